package logs

import (
	"container/heap"
	"sort"
)

// key orders events as CloudWatch returns them: by timestamp, then in the
// order they were ingested. seq is unique in the whole store, so a key names
// one event and the eventId and paging tokens are built from it.
type key struct {
	ts  int64
	seq uint64
}

func (a key) less(b key) bool {
	if a.ts != b.ts {
		return a.ts < b.ts
	}
	return a.seq < b.seq
}

// before is the largest key smaller than k's event and every event before
// it: a boundary just ahead of k (seq starts at 1, so it never wraps).
func (k key) before() key { return key{k.ts, k.seq - 1} }

// event is one stored log event; times are milliseconds since the epoch,
// CloudWatch's unit.
type event struct {
	ts     int64
	ingest int64
	seq    uint64
	msg    string
	reqID  string
}

func (e *event) key() key { return key{e.ts, e.seq} }

// stream is one log stream; its events are kept sorted by key.
type stream struct {
	name       string
	created    int64
	hasEvents  bool // first and last are set
	first      int64
	last       int64
	lastIngest int64
	uploads    uint64
	events     []event
	// base is the start of events' array: dropping the oldest event moves
	// events forward in it, and room moves them back rather than growing.
	base    []event
	heapIdx int // position in the group's oldest-first heap, -1 if absent
}

func newStream(name string, created int64) *stream {
	return &stream{name: name, created: created, heapIdx: -1}
}

// insert adds e in key order and reports whether it became the stream's
// first event. The lab appends in time order, so the common case appends.
func (st *stream) insert(e event) (front bool) {
	if !st.hasEvents || e.ts < st.first {
		st.first = e.ts
	}
	if !st.hasEvents || e.ts > st.last {
		st.last = e.ts
	}
	st.hasEvents = true
	st.room()
	n := len(st.events)
	if n == 0 || !e.key().less(st.events[n-1].key()) {
		st.events = append(st.events, e)
		return n == 0
	}
	i := sort.Search(n, func(i int) bool { return e.key().less(st.events[i].key()) })
	st.events = st.events[:n+1]
	copy(st.events[i+1:], st.events[i:])
	st.events[i] = e
	return i == 0
}

// room makes space for one more event at the end of events without a new
// array when at least half of the current one lies before events, freed by
// dropFirst: a group at its cap then appends and drops with no allocation.
func (st *stream) room() {
	if len(st.events) < cap(st.events) {
		return
	}
	if c := cap(st.base); c > 0 && len(st.events) <= c/2 {
		full := st.base[:c]
		n := copy(full, st.events)
		clear(full[n:]) // the moved events' old slots
		st.events = full[:n]
		return
	}
	// Twice the live events, so that a stream at its group's cap later has
	// half its array to move back into.
	grown := make([]event, len(st.events), 2*len(st.events)+8)
	copy(grown, st.events)
	st.events, st.base = grown, grown
}

// dropFirst removes the stream's earliest event. The slot is cleared so the
// message can be collected, and the array is compacted once mostly dead, so
// a stream that only loses events does not pin its old array.
func (st *stream) dropFirst() event {
	e := st.events[0]
	st.events[0] = event{}
	st.events = st.events[1:]
	if len(st.events) == 0 {
		st.events, st.base = nil, nil
	} else if len(st.events) < cap(st.base)/4 {
		st.events = append([]event(nil), st.events...)
		st.base = st.events
	}
	return e
}

// searchAfter returns the index of the first event whose key is above k.
func (st *stream) searchAfter(k key) int {
	return sort.Search(len(st.events), func(i int) bool { return k.less(st.events[i].key()) })
}

// searchFrom returns the index of the first event at or after ts.
func (st *stream) searchFrom(ts int64) int {
	return sort.Search(len(st.events), func(i int) bool { return st.events[i].ts >= ts })
}

// oldestFirst is a min-heap of a group's non-empty streams by their first
// event, so dropping the group's oldest event costs O(log streams).
type oldestFirst []*stream

func (h oldestFirst) Len() int           { return len(h) }
func (h oldestFirst) Less(i, j int) bool { return h[i].events[0].key().less(h[j].events[0].key()) }
func (h oldestFirst) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx = i
	h[j].heapIdx = j
}

func (h *oldestFirst) Push(x any) {
	st := x.(*stream)
	st.heapIdx = len(*h)
	*h = append(*h, st)
}

func (h *oldestFirst) Pop() any {
	old := *h
	st := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	st.heapIdx = -1
	return st
}

// update places st after its first event changed.
func (h *oldestFirst) update(st *stream) {
	switch {
	case len(st.events) == 0 && st.heapIdx >= 0:
		heap.Remove(h, st.heapIdx)
	case len(st.events) == 0:
	case st.heapIdx < 0:
		heap.Push(h, st)
	default:
		heap.Fix(h, st.heapIdx)
	}
}

// digits writes v into dst as zero-padded decimal.
func digits(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}

// keyDigits renders k as 56 decimal digits, the length of CloudWatch's
// eventIds and paging tokens: 20 for the timestamp, 36 for the sequence.
// *unverified*: only the shape is AWS's; what the digits encode is ours.
func keyDigits(k key) string {
	var b [56]byte
	putKeyDigits(b[:], k)
	return string(b[:])
}

func putKeyDigits(b []byte, k key) {
	digits(b[:20], uint64(k.ts))
	digits(b[20:56], k.seq)
}

// parseKeyDigits reads what keyDigits wrote.
func parseKeyDigits(s string) (key, bool) {
	if len(s) != 56 {
		return key{}, false
	}
	var ts, seq uint64
	for i := 0; i < 56; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return key{}, false
		}
		v := &seq
		if i < 20 {
			v = &ts
		}
		if *v > (^uint64(0)-9)/10 {
			return key{}, false
		}
		*v = *v*10 + uint64(c-'0')
	}
	if ts > maxTimestamp {
		return key{}, false
	}
	return key{int64(ts), seq}, true
}
