package logs

import (
	"container/heap"
	"math"
	"time"
)

// scan walks events of several streams in one order, as FilterLogEvents
// interleaves them: by timestamp then ingestion (key), ascending or
// descending, within [start, end] and strictly beyond an optional key.
type scan struct {
	start, end int64 // inclusive
	after      *key  // exclusive; nil to start at the range's edge
	desc       bool
	// keep, when set, passes over other events inside each stream, before
	// they cost a step of the merge: a rare pattern costs a linear scan.
	keep func(*event) bool
}

func fullRange() scan { return scan{start: math.MinInt64, end: math.MaxInt64} }

// cursor is a position in one stream.
type cursor struct {
	st *stream
	i  int
}

func (sc scan) open(st *stream) (cursor, bool) {
	if !sc.desc {
		i := st.searchFrom(sc.start)
		if sc.after != nil {
			i = max(i, st.searchAfter(*sc.after))
		}
		return sc.settle(cursor{st, i}, 1)
	}
	j := len(st.events)
	if sc.end < math.MaxInt64 {
		j = st.searchFrom(sc.end + 1)
	}
	if sc.after != nil {
		j = min(j, st.searchAfter(sc.after.before()))
	}
	return sc.settle(cursor{st, j - 1}, -1)
}

// settle moves c by step to the first event in range that keep accepts.
func (sc scan) settle(c cursor, step int) (cursor, bool) {
	for sc.valid(c) {
		if sc.keep == nil || sc.keep(&c.st.events[c.i]) {
			return c, true
		}
		c.i += step
	}
	return c, false
}

func (sc scan) valid(c cursor) bool {
	if c.i < 0 || c.i >= len(c.st.events) {
		return false
	}
	ts := c.st.events[c.i].ts
	return ts >= sc.start && ts <= sc.end
}

// cursors is a heap of stream positions, the next event to visit on top.
type cursors struct {
	cs   []cursor
	desc bool
}

func (h *cursors) Len() int { return len(h.cs) }
func (h *cursors) Less(i, j int) bool {
	a, b := h.cs[i].st.events[h.cs[i].i].key(), h.cs[j].st.events[h.cs[j].i].key()
	if h.desc {
		return b.less(a)
	}
	return a.less(b)
}
func (h *cursors) Swap(i, j int) { h.cs[i], h.cs[j] = h.cs[j], h.cs[i] }
func (h *cursors) Push(x any)    { h.cs = append(h.cs, x.(cursor)) }
func (h *cursors) Pop() any {
	c := h.cs[len(h.cs)-1]
	h.cs = h.cs[:len(h.cs)-1]
	return c
}

// run visits the streams' events in order until visit returns false. The
// caller holds the group's lock.
func (sc scan) run(streams []*stream, visit func(st *stream, e *event) bool) {
	h := &cursors{desc: sc.desc}
	for _, st := range streams {
		if c, ok := sc.open(st); ok {
			h.cs = append(h.cs, c)
		}
	}
	heap.Init(h)
	step := 1
	if sc.desc {
		step = -1
	}
	for h.Len() > 0 {
		c := h.cs[0]
		if !visit(c.st, &c.st.events[c.i]) {
			return
		}
		c.i += step
		if c, ok := sc.settle(c, step); ok {
			h.cs[0] = c
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
}

// StoredEvent is an event as the lab reads it back: CloudWatch's fields
// plus the request id of the invocation that wrote it.
type StoredEvent struct {
	Group     string
	Stream    string
	Time      time.Time // the event's timestamp, to the millisecond, in UTC
	Ingestion time.Time
	Message   string
	RequestID string
	seq       uint64
}

// EventID is the event's eventId as the API answers it.
func (e StoredEvent) EventID() string { return keyDigits(key{e.Time.UnixMilli(), e.seq}) }

func stored(group, stream string, e *event) StoredEvent {
	return StoredEvent{Group: group, Stream: stream, Time: time.UnixMilli(e.ts).UTC(),
		Ingestion: time.UnixMilli(e.ingest).UTC(), Message: e.msg, RequestID: e.reqID, seq: e.seq}
}

// Events returns a group's events in CloudWatch's order (by timestamp, then
// ingestion); only stream's when stream is not "". A missing group or
// stream has none.
func (s *Store) Events(groupName, streamName string) []StoredEvent {
	return s.collect(groupName, streamName, func(*event) bool { return true })
}

// Invocation returns the events one invocation (request id) wrote to a
// group, in order.
func (s *Store) Invocation(groupName, requestID string) []StoredEvent {
	return s.collect(groupName, "", func(e *event) bool { return e.reqID == requestID })
}

func (s *Store) collect(groupName, streamName string, keep func(*event) bool) []StoredEvent {
	g, err := s.group(groupName)
	if err != nil {
		return nil
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	var out []StoredEvent
	sc := fullRange()
	sc.keep = keep
	sc.run(g.pick(streamName), func(st *stream, e *event) bool {
		out = append(out, stored(g.name, st.name, e))
		return true
	})
	return out
}

// pick returns the named stream, or every stream for "".
func (g *group) pick(name string) []*stream {
	if name != "" {
		if st := g.streams[name]; st != nil {
			return []*stream{st}
		}
		return nil
	}
	out := make([]*stream, 0, len(g.streams))
	for _, st := range g.streams {
		out = append(out, st)
	}
	return out
}
