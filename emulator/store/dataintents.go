package store

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lambdalab/lambdalab/emulator/notify"
	"github.com/lambdalab/lambdalab/emulator/s3"
)

// intentsBucket holds the events of writes in progress (s3.IntentLog).
var intentsBucket = []byte("intents")

// Record implements s3.IntentLog: the intent is synced to lab.db before the
// write that announces it stores anything.
func (d *Data) Record(in s3.Intent) (string, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	// Ids sort by time, so that Pending replays writes in their order.
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	id := fmt.Sprintf("%020d-%s", time.Now().UnixNano(), hex.EncodeToString(b))
	err = d.state.Batch(func(tx *bolt.Tx) error { return tx.Bucket(intentsBucket).Put([]byte(id), body) })
	return id, err
}

// Done implements s3.IntentLog. The intent is removed lazily, with the
// journal's updates: one left behind by a crash is recognised by Pending
// when its event is still in the journal; when the event had also run to
// the end, it runs again (at least once).
func (d *Data) Done(id string) { d.journal.queue(journalOp{id: id, intent: true}) }

// Pending implements s3.IntentLog.
func (d *Data) Pending() ([]s3.Intent, error) {
	accepted := map[string]bool{}
	entries, err := d.journal.entries()
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		var ev notify.Event
		if json.Unmarshal(e.Invocation.Payload, &ev) == nil {
			for _, r := range ev.Records {
				accepted[r.ResponseElements.RequestID] = true
			}
		}
	}
	var out []s3.Intent
	err = d.each(intentsBucket, func(id string, v []byte) error {
		var in s3.Intent
		if err := json.Unmarshal(v, &in); err != nil {
			return fmt.Errorf("pending event %s: %w", id, err)
		}
		in.ID = id
		if accepted[in.Change.RequestID] {
			d.Done(id)
			return nil
		}
		out = append(out, in)
		return nil
	})
	return out, err
}
