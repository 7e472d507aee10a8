package logs

import (
	"encoding/base64"
	"slices"
	"strings"
)

// A page of GetLogEvents or FilterLogEvents holds at most this many events
// and about this many bytes (messages plus eventOverhead each), as AWS's.
const (
	maxPageEvents = 10000
	maxPageBytes  = 1 << 20
)

// OutputLogEvent is an event as GetLogEvents answers it.
type OutputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

// GetLogEventsInput is GetLogEvents' request.
type GetLogEventsInput struct {
	LogGroupName       string `json:"logGroupName,omitempty"`
	LogGroupIdentifier string `json:"logGroupIdentifier,omitempty"`
	LogStreamName      string `json:"logStreamName"`
	StartTime          *int64 `json:"startTime,omitempty"` // inclusive
	EndTime            *int64 `json:"endTime,omitempty"`   // exclusive
	Limit              *int   `json:"limit,omitempty"`
	NextToken          string `json:"nextToken,omitempty"`
	StartFromHead      bool   `json:"startFromHead,omitempty"`
}

// GetLogEventsOutput is GetLogEvents' answer. At either end of the stream
// a token comes back as it was passed, which is how clients stop paging.
type GetLogEventsOutput struct {
	Events            []OutputLogEvent `json:"events"`
	NextForwardToken  string           `json:"nextForwardToken"`
	NextBackwardToken string           `json:"nextBackwardToken"`
}

func pageLimit(l *int) (int, error) {
	switch {
	case l == nil:
		return maxPageEvents, nil
	case *l < 1:
		return 0, errConstraint(*l, "limit", "Member must have value greater than or equal to 1")
	case *l > maxPageEvents:
		return 0, errConstraint(*l, "limit", "Member must have value less than or equal to 10000")
	}
	return *l, nil
}

// timeRange turns optional millisecond bounds into an inclusive range.
func timeRange(start, end *int64, endExclusive bool) (scan, error) {
	sc := fullRange()
	if start != nil {
		if *start < 0 {
			return sc, errConstraint(*start, "startTime", "Member must have value greater than or equal to 0")
		}
		sc.start = *start
	}
	if end != nil {
		if *end < 0 {
			return sc, errConstraint(*end, "endTime", "Member must have value greater than or equal to 0")
		}
		sc.end = *end
		if endExclusive {
			sc.end--
		}
	}
	return sc, nil
}

// GetLogEvents pages through one stream. A token is a boundary between two
// events: "f/K/s" reads forward from it, "b/K/s" backward, K being the
// 56-digit key of the event just before the boundary.
func (s *Store) GetLogEvents(in GetLogEventsInput) (GetLogEventsOutput, error) {
	name, err := s.resolveGroup(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return GetLogEventsOutput{}, err
	}
	if err := validStreamName(in.LogStreamName, "logStreamName"); err != nil {
		return GetLogEventsOutput{}, err
	}
	limit, err := pageLimit(in.Limit)
	if err != nil {
		return GetLogEventsOutput{}, err
	}
	sc, err := timeRange(in.StartTime, in.EndTime, true)
	if err != nil {
		return GetLogEventsOutput{}, err
	}
	forward, bound, hasToken, err := parseStreamToken(in.NextToken)
	if err != nil {
		return GetLogEventsOutput{}, err
	}
	if !hasToken {
		forward = in.StartFromHead
	}
	g, err := s.group(name)
	if err != nil {
		return GetLogEventsOutput{}, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	st := g.streams[in.LogStreamName]
	if st == nil {
		return GetLogEventsOutput{}, errStreamNotFound()
	}
	if hasToken {
		sc.after = &bound
		if !forward { // backward: the events at or before the boundary
			after := key{bound.ts, bound.seq + 1}
			sc.after = &after
		}
	}
	sc.desc = !forward
	evs := readPage(st, sc, limit)
	if !hasToken { // an empty first page still answers usable boundaries
		bound = key{}
		if !forward && len(st.events) > 0 {
			bound = st.events[len(st.events)-1].key()
		}
	}
	out := GetLogEventsOutput{Events: make([]OutputLogEvent, len(evs)),
		NextForwardToken: streamToken(true, bound), NextBackwardToken: streamToken(false, bound)}
	for i, e := range evs {
		out.Events[i] = OutputLogEvent{Timestamp: e.ts, Message: e.msg, IngestionTime: e.ingest}
	}
	if n := len(evs); n > 0 {
		out.NextForwardToken = streamToken(true, evs[n-1].key())
		out.NextBackwardToken = streamToken(false, evs[0].key().before())
	}
	return out, nil
}

// readPage reads up to limit events (and maxPageBytes) of st in sc's
// direction, returned oldest first. The pointers are valid while the
// caller holds the group's lock.
func readPage(st *stream, sc scan, limit int) []*event {
	var page []*event
	size := 0
	sc.run([]*stream{st}, func(_ *stream, e *event) bool {
		size += len(e.msg) + eventOverhead
		if len(page) == limit || len(page) > 0 && size > maxPageBytes {
			return false
		}
		page = append(page, e)
		return true
	})
	if sc.desc {
		slices.Reverse(page)
	}
	return page
}

func streamToken(forward bool, k key) string {
	if forward {
		return "f/" + keyDigits(k) + "/s"
	}
	return "b/" + keyDigits(k) + "/s"
}

// parseStreamToken reads a GetLogEvents token; "" is no token.
func parseStreamToken(t string) (forward bool, k key, ok bool, err error) {
	if t == "" {
		return false, key{}, false, nil
	}
	if len(t) != 60 || t[1] != '/' || t[0] != 'f' && t[0] != 'b' || !strings.HasSuffix(t, "/s") {
		return false, key{}, false, errBadToken()
	}
	k, valid := parseKeyDigits(t[2:58])
	if !valid {
		return false, key{}, false, errBadToken()
	}
	return t[0] == 'f', k, true, nil
}

// filterToken is FilterLogEvents' opaque nextToken: the direction and the
// key of the last event answered.
func filterToken(desc bool, k key) string {
	d := "a"
	if desc {
		d = "d"
	}
	return base64.RawURLEncoding.EncodeToString([]byte("fl1/" + d + keyDigits(k)))
}

func parseFilterToken(t string) (desc bool, k key, err error) {
	b, derr := base64.RawURLEncoding.DecodeString(t)
	s := string(b)
	if derr != nil || len(s) != 61 || !strings.HasPrefix(s, "fl1/") || s[4] != 'a' && s[4] != 'd' {
		return false, key{}, errBadToken()
	}
	k, ok := parseKeyDigits(s[5:])
	if !ok || k.seq == 0 {
		return false, key{}, errBadToken()
	}
	return s[4] == 'd', k, nil
}
