package s3

import (
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// write runs a write operation under its keys' locks and emits the changes
// it committed.
func (s *Server) write(c *call, keys []string) error {
	unlock := s.locks.lock(c.op.Bucket, keys)
	defer unlock()
	if err := s.checkCondition(c); err != nil {
		return err
	}
	prepareBody(c.r, c.op)
	if c.op.Name == "CopyObject" {
		rewriteCopySource(c.r.Header)
	}
	if c.op.Name == "CompleteMultipartUpload" {
		c.parts = completedParts(c.r)
	}
	intent, err := s.recordIntent(c, keys)
	if err != nil {
		return err
	}
	if len(c.denied) > 0 {
		if err := s.deleteAllowed(c); err != nil {
			return err
		}
	} else {
		s.fake.ServeHTTP(c.rec, c.r)
	}
	s.publishRequest(c)
	if c.rec.Status() >= 300 {
		s.intentDone(intent)
		return nil
	}
	for _, ch := range s.changes(c, keys) {
		s.commit(ch)
	}
	// Only now: the event is with Lambda (which keeps it). A panic before
	// leaves the intent pending, as a crash would.
	s.intentDone(intent)
	// After the changes: they forget what was known of the key before.
	switch c.op.Name {
	case "PostObject":
		s.answerPost(c)
	case "PutObject":
		answerPutChecksum(c)
	case "CopyObject":
		s.answerCopyChecksum(c)
	case "CompleteMultipartUpload":
		s.completeChecksum(c, c.parts)
	}
	return nil
}

// commit stamps a change with its sequencer and sends it on.
func (s *Server) commit(ch notify.Change) {
	if ch.IsRemoval() {
		s.watches.removed(ch.Bucket + "/" + ch.Key)
	}
	ch.Sequencer = s.nextSequencer(ch.Time)
	s.bus.Publish(bus.ObjectChanged{
		Header: bus.Header{Time: ch.Time}, EventName: ch.EventName, Bucket: ch.Bucket, Key: ch.Key,
		Size: ch.Size, ETag: ch.ETag, VersionID: ch.VersionID, Sequencer: ch.Sequencer,
		RequestID: ch.RequestID, Principal: ch.PrincipalID,
	})
	if s.notifier != nil {
		s.notifier.Notify(ch)
	}
}

// nextSequencer returns a value greater than every earlier one: the lab
// time in nanoseconds, or one more than the last when time stands still.
func (s *Server) nextSequencer(at time.Time) string {
	s.seqMu.Lock()
	defer s.seqMu.Unlock()
	v := uint64(at.UnixNano())
	if v <= s.lastSeq {
		v = s.lastSeq + 1
	}
	s.lastSeq = v
	return notify.Sequencer(v)
}
