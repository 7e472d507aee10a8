package logs

import "time"

// PutLogEvents' limits, from its API reference.
const (
	maxBatchEvents = 10000
	maxBatchBytes  = 1048576 // messages in UTF-8 plus eventOverhead per event
	eventOverhead  = 26
	maxPastAge     = 14 * 24 * time.Hour
	maxFuture      = 2 * time.Hour
	maxBatchSpan   = 24 * time.Hour
)

// InputLogEvent is one event of a PutLogEvents batch.
type InputLogEvent struct {
	Timestamp int64  `json:"timestamp"` // milliseconds since the epoch
	Message   string `json:"message"`
}

// PutLogEventsInput is PutLogEvents' request.
type PutLogEventsInput struct {
	LogGroupName  string          `json:"logGroupName"`
	LogStreamName string          `json:"logStreamName"`
	LogEvents     []InputLogEvent `json:"logEvents"`
	// SequenceToken is ignored, as AWS now ignores it.
	SequenceToken string `json:"sequenceToken,omitempty"`
}

// RejectedLogEventsInfo says which events of a batch were not stored: a
// prefix too old (or older than the group's retention) and a suffix too new.
type RejectedLogEventsInfo struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

// PutLogEventsOutput is PutLogEvents' answer.
type PutLogEventsOutput struct {
	// NextSequenceToken is still answered, though deprecated and ignored.
	NextSequenceToken     string                 `json:"nextSequenceToken"`
	RejectedLogEventsInfo *RejectedLogEventsInfo `json:"rejectedLogEventsInfo,omitempty"`
}

// PutLogEvents stores a batch in an existing stream, with AWS's checks: the
// batch in chronological order, within the size limits and spanning at most
// 24 hours; events too old or too new are rejected and the rest stored.
func (s *Store) PutLogEvents(in PutLogEventsInput) (PutLogEventsOutput, error) {
	if err := validatePut(in); err != nil {
		return PutLogEventsOutput{}, err
	}
	g, err := s.group(in.LogGroupName)
	if err != nil {
		return PutLogEventsOutput{}, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.streams[in.LogStreamName]
	if g.deleted {
		return PutLogEventsOutput{}, errGroupNotFound()
	}
	if st == nil {
		return PutLogEventsOutput{}, errStreamNotFound()
	}
	for i := 1; i < len(in.LogEvents); i++ {
		if in.LogEvents[i].Timestamp < in.LogEvents[i-1].Timestamp {
			return PutLogEventsOutput{}, errInvalid("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	now := s.clock.Now()
	from, to, rejected := classify(in.LogEvents, now, g.retention)
	if from < to && in.LogEvents[to-1].Timestamp-in.LogEvents[from].Timestamp > maxBatchSpan.Milliseconds() {
		// *unverified* text; the limit is AWS's.
		return PutLogEventsOutput{}, errInvalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	nowMs := now.UnixMilli()
	st.uploads++
	st.lastIngest = nowMs
	for _, ie := range in.LogEvents[from:to] {
		s.add(g, st, event{ts: ie.Timestamp, ingest: nowMs, seq: s.seq.Add(1), msg: ie.Message})
	}
	return PutLogEventsOutput{NextSequenceToken: sequenceToken(st.uploads), RejectedLogEventsInfo: rejected}, nil
}

func validatePut(in PutLogEventsInput) error {
	if err := validGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return err
	}
	if err := validStreamName(in.LogStreamName, "logStreamName"); err != nil {
		return err
	}
	n := len(in.LogEvents)
	if n == 0 {
		return errConstraint("[]", "logEvents", "Member must have length greater than or equal to 1")
	}
	if n > maxBatchEvents {
		return errInvalid("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000")
	}
	size := 0
	for i, e := range in.LogEvents {
		if e.Message == "" {
			return errInvalid("1 validation error detected: Value '' at 'logEvents.%d.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1", i+1)
		}
		size += len(e.Message) + eventOverhead
	}
	if size > maxBatchBytes {
		// *unverified* text; the limit is AWS's.
		return errInvalid("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	return nil
}

// classify returns the stored range [from, to) of a chronological batch and
// what was rejected before and after it.
func classify(evs []InputLogEvent, now time.Time, retention int) (from, to int, rejected *RejectedLogEventsInfo) {
	oldest := now.Add(-maxPastAge).UnixMilli()
	expired := int64(-1 << 62)
	if retention > 0 {
		expired = now.Add(-time.Duration(retention) * 24 * time.Hour).UnixMilli()
	}
	newest := now.Add(maxFuture).UnixMilli()
	info := RejectedLogEventsInfo{}
	to = len(evs)
	for i, e := range evs {
		switch {
		case e.Timestamp < oldest:
			info.TooOldLogEventEndIndex = &i
			from = i + 1
		case e.Timestamp < expired:
			info.ExpiredLogEventEndIndex = &i
			from = i + 1
		case e.Timestamp > newest && to == len(evs):
			info.TooNewLogEventStartIndex = &i
			to = i
		}
	}
	if from > to { // every event rejected
		from = to
	}
	if info == (RejectedLogEventsInfo{}) {
		return from, to, nil
	}
	return from, to, &info
}

// sequenceToken renders a stream's upload count as a 56-digit token, the
// shape of AWS's (deprecated) sequence tokens. *unverified*: the digits.
func sequenceToken(n uint64) string {
	var b [56]byte
	digits(b[:], n)
	return string(b[:])
}
