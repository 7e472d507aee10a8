package tui

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// A pipeline run, as the pipeline views show it, is one recursion chain:
// an upload from outside starts it, and every event a function's S3 write
// queues continues it. Each event names its cause (the event whose
// invocation made the write), which makes the run a tree: split's event,
// the encodes its chunks queued, the merge the last encode's marker
// queued. It is built from the history's rows, so it is bounded as they
// are and updates as they do.

// pipeEvent is one event of a run: a node of the tree, and the attempts
// the timeline draws.
type pipeEvent struct {
	id, function, cause string
	object              string // bucket/key of the write that queued it
	// rows are the history's rows of the event, in order: its first
	// attempt, each retry, a drop. A row holds the wait before its
	// attempt and the attempt.
	rows     []*invocation
	children []*pipeEvent
}

// last is the event's newest row: its state now.
func (e *pipeEvent) last() *invocation { return e.rows[len(e.rows)-1] }

// tries counts the attempts that started.
func (e *pipeEvent) tries() int {
	n := 0
	for _, r := range e.rows {
		if !r.Started.IsZero() {
			n++
		}
	}
	return n
}

// throttled counts the throttles the event met.
func (e *pipeEvent) throttled() int {
	n := 0
	for _, r := range e.rows {
		n += r.Throttled
	}
	return n
}

// pending says the event is not over: queued, throttled, running, or
// waiting for a retry.
func (e *pipeEvent) pending() bool {
	l := e.last()
	return l.Waiting || l.Status == "running"
}

// pipeline is one run.
type pipeline struct {
	key    string // the chain, or the event id of an event without one
	object string // bucket/key of the upload that started it
	events []*pipeEvent
	roots  []*pipeEvent
	// functions are the run's functions in the order their first event
	// was queued, and count its events per function.
	functions []string
	count     map[string]int
	// first is when the first event was queued, last when the last
	// attempt ended (or event was dropped).
	first, last time.Time
	running     bool
	throttles   int
	retries     int
	drops       int
	// most is how many attempts ran at once, mostBy per function.
	most   int
	mostBy map[string]int
	stats  map[string]*functionStats
}

// functionStats are a function's numbers in one run.
type functionStats struct {
	attempts, throttles, retries int
	// longestWait is the longest an attempt waited in the queue (a retry's
	// back-off not counted: it waits to be due, not for a slot).
	longestWait time.Duration
	durations   []time.Duration // of the attempts that ended, sorted
}

// median is the middle duration (the lower of two).
func (s *functionStats) median() time.Duration {
	if len(s.durations) == 0 {
		return 0
	}
	return s.durations[(len(s.durations)-1)/2]
}

// longest is the longest duration.
func (s *functionStats) longest() time.Duration {
	if len(s.durations) == 0 {
		return 0
	}
	return s.durations[len(s.durations)-1]
}

// pipelineKey is what names the run of row: its chain, or, for an event
// outside any chain, its own id.
func pipelineKey(row *invocation) string {
	if row.Chain != "" {
		return row.Chain
	}
	return row.EventID
}

// buildPipeline gathers the run called key from the history.
func buildPipeline(h *history, key string) *pipeline {
	p := &pipeline{key: key, count: map[string]int{}, mostBy: map[string]int{}, stats: map[string]*functionStats{}}
	byID := map[string]*pipeEvent{}
	for _, r := range h.rows {
		if pipelineKey(r) != key {
			continue
		}
		e := byID[r.EventID]
		if e == nil {
			e = &pipeEvent{id: r.EventID, function: r.Function, cause: r.Cause, object: sourceObject(r.Source)}
			byID[r.EventID] = e
			p.events = append(p.events, e)
			if p.count[e.function] == 0 {
				p.functions = append(p.functions, e.function)
			}
			p.count[e.function]++
		}
		e.rows = append(e.rows, r)
	}
	for _, e := range p.events {
		if parent := byID[e.cause]; parent != nil && e.cause != e.id {
			parent.children = append(parent.children, e)
		} else {
			p.roots = append(p.roots, e)
		}
	}
	if len(p.roots) > 0 {
		p.object = p.roots[0].object
	}
	p.sum()
	return p
}

// sourceObject is the bucket/key of an event's source ("s3:bucket/key
// ObjectCreated:Put").
func sourceObject(source string) string {
	obj, _, _ := strings.Cut(strings.TrimPrefix(source, "s3:"), " ")
	return printable(obj)
}

// sum counts the run's throttles, retries and drops, its time span, and
// how many attempts ran at once.
func (p *pipeline) sum() {
	for _, e := range p.events {
		if e.pending() {
			p.running = true
		}
		if strings.HasPrefix(e.last().Status, "dropped") {
			p.drops++
		}
		fs := p.stats[e.function]
		if fs == nil {
			fs = &functionStats{}
			p.stats[e.function] = fs
		}
		for _, r := range e.rows {
			p.throttles += r.Throttled
			fs.throttles += r.Throttled
			if r.retry {
				p.retries++
				fs.retries++
			}
			if q := r.Queued; !q.IsZero() && (p.first.IsZero() || q.Before(p.first)) {
				p.first = q
			}
			if r.Ended.After(p.last) {
				p.last = r.Ended
			}
			fs.attempt(r)
		}
	}
	for _, fs := range p.stats {
		slices.Sort(fs.durations)
	}
	p.concurrency()
}

// slotFrom is when the row's attempt took its execution slot, in time and
// bus order: when its environment was created, for a cold start.
func (r *invocation) slotFrom() (time.Time, int) {
	if !r.initAt.IsZero() {
		return r.initAt, r.initSeq
	}
	return r.Started, r.startSeq
}

// waitSince is when the row began to wait for a slot: when it was queued,
// or, for a retry, when its back-off ended.
func (r *invocation) waitSince() time.Time {
	if r.retry && r.due.After(r.Queued) {
		return r.due
	}
	return r.Queued
}

// attempt counts row's attempt, if it started, into the stats.
func (s *functionStats) attempt(r *invocation) {
	if r.Started.IsZero() {
		return
	}
	s.attempts++
	slot, _ := r.slotFrom()
	s.longestWait = max(s.longestWait, slot.Sub(r.waitSince()))
	if !r.Ended.IsZero() {
		s.durations = append(s.durations, r.Duration)
	}
}

// concurrency sweeps the attempts' starts and ends in bus order: on a
// virtual clock a whole stage can start and end at one instant, and only
// the order says which attempts overlapped.
func (p *pipeline) concurrency() {
	type edge struct {
		seq, delta int
		function   string
	}
	var edges []edge
	for _, e := range p.events {
		for _, r := range e.rows {
			if r.Started.IsZero() {
				continue
			}
			_, from := r.slotFrom()
			edges = append(edges, edge{from, 1, e.function})
			if !r.Ended.IsZero() {
				edges = append(edges, edge{r.endSeq, -1, e.function})
			}
		}
	}
	sort.Slice(edges, func(i, j int) bool { return edges[i].seq < edges[j].seq })
	now, total := map[string]int{}, 0
	for _, g := range edges {
		now[g.function] += g.delta
		total += g.delta
		p.mostBy[g.function] = max(p.mostBy[g.function], now[g.function])
		p.most = max(p.most, total)
	}
}

// tree is the run's events depth first, each with whether it and each of
// its ancestors is the last of its siblings (what the tree's branches are
// drawn from). An event is drawn once, whatever its causes say.
func (p *pipeline) tree() []treeNode {
	var out []treeNode
	seen := map[*pipeEvent]bool{}
	var walk func(e *pipeEvent, lasts []bool)
	walk = func(e *pipeEvent, lasts []bool) {
		if seen[e] {
			return
		}
		seen[e] = true
		out = append(out, treeNode{e, append([]bool(nil), lasts...)})
		for i, c := range e.children {
			walk(c, append(lasts, i == len(e.children)-1))
		}
	}
	for _, r := range p.roots {
		walk(r, nil)
	}
	return out
}

// treeNode is an event in the tree: lasts[i] says whether its ancestor at
// depth i+1 (or itself, for the last) is the last child of its parent.
type treeNode struct {
	e     *pipeEvent
	lasts []bool
}

// lane is one execution slot of a function on the timeline: attempts that
// did not overlap, in order.
type lane []*invocation

// lanes assigns a function's attempts to execution slots: each attempt,
// in the order they started, takes the first slot free again by then (in
// bus order), so there are as many lanes as attempts ran at once.
func (p *pipeline) lanes(function string) []lane {
	var attempts []*invocation
	for _, e := range p.events {
		if e.function != function {
			continue
		}
		for _, r := range e.rows {
			if !r.Started.IsZero() {
				attempts = append(attempts, r)
			}
		}
	}
	sort.SliceStable(attempts, func(i, j int) bool {
		_, a := attempts[i].slotFrom()
		_, b := attempts[j].slotFrom()
		return a < b
	})
	var out []lane
	for _, a := range attempts {
		placed := false
		for i, l := range out {
			prev := l[len(l)-1]
			if _, from := a.slotFrom(); !prev.Ended.IsZero() && prev.endSeq < from {
				out[i] = append(l, a)
				placed = true
				break
			}
		}
		if !placed {
			out = append(out, lane{a})
		}
	}
	return out
}
