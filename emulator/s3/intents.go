package s3

import (
	"encoding/hex"
	"fmt"

	"github.com/lambdalab/lambdalab/emulator/notify"
)

// A write that will send an event records that intent before it stores the
// object, in a log that survives a crash (the data directory's): storing
// the object and queueing its event are two steps, and a crash between
// them used to store the object and lose its event. After a restart, the
// intents still pending whose object is there as the write would have left
// it are sent as the events they announced. Only writes a notification
// configuration matches are recorded.

// Intent is the event a write in progress will send.
type Intent struct {
	// ID is the log's name for the intent.
	ID string `json:"-"`
	// Change is the event, but for what only the stored object says (size,
	// ETag, version, sequencer).
	Change notify.Change `json:"change"`
	// ETag is the MD5 (hex) of the object the write stores, when it is
	// known beforehand; Previous is the stored object's before the write
	// ("" when there was none).
	ETag     string `json:"etag,omitempty"`
	Previous string `json:"previous,omitempty"`
}

// IntentLog keeps intents across a crash.
type IntentLog interface {
	// Record keeps an intent; it is on disk when Record returns.
	Record(in Intent) (id string, err error)
	// Done forgets an intent whose event went out (or will never be sent).
	Done(id string)
	// Pending returns the intents recorded and not done, oldest first,
	// leaving out those whose event Lambda has already accepted.
	Pending() ([]Intent, error)
}

// WithIntentLog records the events of writes in progress in log.
func WithIntentLog(log IntentLog) Option { return func(s *Server) { s.intents = log } }

// createdEvents are the event names of the writes that record intents.
var createdEvents = map[string]string{
	"PutObject": "ObjectCreated:Put", "PostObject": "ObjectCreated:Post", "CopyObject": "ObjectCreated:Copy",
	"CompleteMultipartUpload": "ObjectCreated:CompleteMultipartUpload",
}

// recordIntent records the event a write is about to cause (the key is
// locked). It returns "" when there is nothing to record.
func (s *Server) recordIntent(c *call, keys []string) (string, error) {
	event, ok := createdEvents[c.op.Name]
	if s.intents == nil || !ok || len(keys) != 1 {
		return "", nil
	}
	key := keys[0]
	if len(s.notes.Match(c.op.Bucket, event, key)) == 0 {
		return "", nil
	}
	in := Intent{Change: notify.Change{
		EventName: event, Time: s.clock.Now(), Bucket: c.op.Bucket, Key: key,
		PrincipalID: c.principal.PrincipalID, SourceIP: sourceIP(c.r), RequestID: c.rec.requestID,
		HostID: c.rec.hostID, Trace: c.r.Header.Get(TraceHeader),
	}}
	if md5, exists, err := s.storedMD5(c.op.Bucket, key); err == nil && exists {
		in.Previous = md5
	}
	switch {
	case c.spool != nil:
		in.ETag = hex.EncodeToString(c.spool.md5)
	case c.postMD5 != nil:
		in.ETag = hex.EncodeToString(c.postMD5)
	case c.op.Name == "CopyObject":
		if b, k, _, ok := copySource(c.r.Header.Get("X-Amz-Copy-Source")); ok {
			if obj, err := s.backend.HeadObject(b, k); err == nil {
				in.ETag = hex.EncodeToString(obj.Hash)
				if obj.Contents != nil {
					obj.Contents.Close()
				}
			}
		}
	}
	id, err := s.intents.Record(in)
	if err != nil {
		return "", fmt.Errorf("record the event of the write: %w", err)
	}
	return id, nil
}

// ReplayIntents sends the events of writes a crash interrupted: those whose
// object is stored as the write would have left it (with the ETag it
// announced, or, when that was not known, changed from what was there
// before). The others are forgotten. Call it once the lab's notification
// configurations are restored.
func (s *Server) ReplayIntents() error {
	if s.intents == nil {
		return nil
	}
	pending, err := s.intents.Pending()
	if err != nil {
		return err
	}
	for _, in := range pending {
		ch := in.Change
		obj, err := s.backend.HeadObject(ch.Bucket, ch.Key)
		if err == nil {
			if obj.Contents != nil {
				obj.Contents.Close()
			}
			plain := hex.EncodeToString(obj.Hash)
			if in.ETag == plain || in.ETag == "" && plain != in.Previous {
				ch.Size, ch.ETag = obj.Size, s.mpETags.fix(ch.Bucket, ch.Key, plain)
				if obj.VersionID != "" && s.versioned(ch.Bucket) {
					ch.VersionID = string(obj.VersionID)
				}
				s.commit(ch)
			}
		}
		s.intents.Done(in.ID)
	}
	return nil
}

func (s *Server) intentDone(id string) {
	if id != "" {
		s.intents.Done(id)
	}
}
