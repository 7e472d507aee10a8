package store

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/lambdalab/lambdalab/emulator/lambda"
)

// journal is lambda.Journal over lab.db's events bucket. Accepted writes
// through (synced before it returns); Attempted and Done are queued and
// written by a goroutine, since Lambda reports them holding its lock. A Done
// lost in a crash means the event is delivered again: at least once.
type journal struct {
	db *bolt.DB

	mu      sync.Mutex
	ops     []journalOp
	kick    chan struct{}
	stopped chan struct{}
	closed  bool
}

type journalOp struct {
	id       string
	attempts int  // 0: done
	intent   bool // a pending event of the S3 layer, done (see dataintents.go)
}

func newJournal(db *bolt.DB) *journal {
	j := &journal{db: db, kick: make(chan struct{}, 1), stopped: make(chan struct{})}
	go j.run()
	return j
}

// Accepted implements lambda.Journal.
func (j *journal) Accepted(e lambda.JournalEntry) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return j.db.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(eventsBucket).Put([]byte(e.ID), body)
	})
}

// Attempted implements lambda.Journal.
func (j *journal) Attempted(id string, attempts int) { j.queue(journalOp{id: id, attempts: attempts}) }

// Done implements lambda.Journal.
func (j *journal) Done(id string) { j.queue(journalOp{id: id}) }

func (j *journal) queue(op journalOp) {
	j.mu.Lock()
	if !j.closed {
		j.ops = append(j.ops, op)
	}
	j.mu.Unlock()
	select {
	case j.kick <- struct{}{}:
	default:
	}
}

func (j *journal) run() {
	defer close(j.stopped)
	for range j.kick {
		j.mu.Lock()
		ops, closed := j.ops, j.closed
		j.ops = nil
		j.mu.Unlock()
		if len(ops) > 0 {
			_ = j.db.Update(func(tx *bolt.Tx) error { return applyOps(tx.Bucket(eventsBucket), ops) })
		}
		if closed {
			return
		}
	}
}

// applyOps applies queued updates in order.
func applyOps(b *bolt.Bucket, ops []journalOp) error {
	for _, op := range ops {
		if op.intent {
			if err := b.Tx().Bucket(intentsBucket).Delete([]byte(op.id)); err != nil {
				return err
			}
			continue
		}
		if op.attempts == 0 {
			if err := b.Delete([]byte(op.id)); err != nil {
				return err
			}
			continue
		}
		v := b.Get([]byte(op.id))
		if v == nil {
			continue
		}
		var e lambda.JournalEntry
		if json.Unmarshal(v, &e) != nil {
			continue
		}
		e.Attempts = op.attempts
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(op.id), body); err != nil {
			return err
		}
	}
	return nil
}

// close writes what is queued and stops the writer.
func (j *journal) close() {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return
	}
	j.closed = true
	j.mu.Unlock()
	j.kick <- struct{}{}
	<-j.stopped
}

// entries returns the events accepted and not done, oldest first.
func (j *journal) entries() ([]lambda.JournalEntry, error) {
	var out []lambda.JournalEntry
	err := j.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(eventsBucket).ForEach(func(k, v []byte) error {
			var e lambda.JournalEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	sortEntries(out)
	return out, err
}

func sortEntries(es []lambda.JournalEntry) {
	slices.SortStableFunc(es, func(a, b lambda.JournalEntry) int {
		if c := a.Received.Compare(b.Received); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
