package tui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
)

// The timeline view: lab time runs across the screen from the first
// event's queueing to the last attempt's end. Each function has a block of
// rows: one lane per execution slot (attempts that ran at once sit in
// different lanes), and a queue row for its events that waited (queued,
// throttled, or backing off before a retry). So a fan-out shows as a stack
// of lanes, reserved concurrency as a short stack with a long queue, and a
// retry as a gap before a serial tail.

// timelineRowKind is what a row of the timeline draws.
type timelineRowKind int

const (
	rowLane  timelineRowKind = iota // one execution slot
	rowMore                         // the lanes that did not fit, drawn together
	rowQueue                        // the function's events waiting
)

// timelineRow is one row of a function's block.
type timelineRow struct {
	kind     timelineRowKind
	function string
	label    string
	attempts []*invocation // what a lane (or the lanes that did not fit) ran
}

// cellKind is what a cell of a row shows; where two are drawn in one
// cell, the later in this list wins.
type cellKind int

const (
	cellEmpty cellKind = iota
	cellBackoff
	cellQueued
	cellInit
	cellOK
	cellRunning
	cellFailed
	cellFailEnd
	cellThrottle
	cellDropped
	cellJoin // an attempt that starts as the one before it in the lane ends
)

// cellRunes are the cells' characters, by kind.
var cellRunes = [...]rune{' ', '·', '░', '▒', '█', '█', '▓', '✗', '!', '✗', '▐'}

// timelineMinLabel is the least width of the label column.
const timelineMinLabel = 9

// labelWidth is the label column's width: the longest function name,
// within a quarter of the view.
func (v *pipelineView) labelWidth() int {
	w := timelineMinLabel
	for _, fn := range v.run.functions {
		w = max(w, lipgloss.Width(fn))
	}
	return min(w, max(v.width/4, timelineMinLabel))
}

// layoutTimeline lays out the blocks for room rows: when the lanes do not
// fit, the widest blocks keep fewer, and the rest of their lanes share a
// "+N lanes" row.
func (v *pipelineView) layoutTimeline(room int) []timelineRow {
	r := v.run
	lanes := map[string][]lane{}
	shown := map[string]int{}
	queue := map[string]bool{}
	total := 0
	for _, fn := range r.functions {
		lanes[fn] = r.lanes(fn)
		shown[fn] = max(len(lanes[fn]), 1)
		queue[fn] = v.waited(fn)
		total += shown[fn]
		if queue[fn] {
			total++
		}
	}
	rows := func(fn string) int {
		n := shown[fn]
		if shown[fn] < len(lanes[fn]) {
			n++
		}
		return n
	}
	for total > room {
		widest := ""
		for _, fn := range r.functions {
			if shown[fn] > 1 && (widest == "" || shown[fn] > shown[widest]) {
				widest = fn
			}
		}
		if widest == "" {
			break
		}
		before := rows(widest)
		shown[widest]--
		total += rows(widest) - before
	}
	var out []timelineRow
	for _, fn := range r.functions {
		if len(lanes[fn]) == shown[fn]+1 {
			shown[fn]++ // a "+1 lanes" row is no shorter than the lane
		}
		out = append(out, v.block(fn, lanes[fn], shown[fn], queue[fn])...)
	}
	return out
}

// block is a function's rows: its lanes shown, the rest together, its
// queue.
func (v *pipelineView) block(fn string, lanes []lane, shown int, queue bool) []timelineRow {
	var out []timelineRow
	for i := 0; i < shown; i++ {
		row := timelineRow{kind: rowLane, function: fn}
		if i < len(lanes) {
			row.attempts = lanes[i]
		}
		if i == 0 {
			row.label = fn
		}
		out = append(out, row)
	}
	if hidden := len(lanes) - shown; hidden > 0 {
		more := timelineRow{kind: rowMore, function: fn, label: fmt.Sprintf("+%d lanes", hidden)}
		for _, l := range lanes[shown:] {
			more.attempts = append(more.attempts, l...)
		}
		out = append(out, more)
	}
	if queue {
		out = append(out, timelineRow{kind: rowQueue, function: fn, label: " queue"})
	}
	return out
}

// waited says whether any event of fn waited long enough to show: a
// throttle, a retry, a drop, a wait of half a cell or more.
func (v *pipelineView) waited(fn string) bool {
	half := v.cellDur / 2
	for _, e := range v.run.events {
		if e.function != fn {
			continue
		}
		for _, r := range e.rows {
			until, _ := r.slotFrom()
			if until.IsZero() {
				until = v.now
			}
			if r.Throttled > 0 || r.retry || r.Waiting || strings.HasPrefix(r.Status, "dropped") || until.Sub(r.Queued) >= half {
				return true
			}
		}
	}
	return false
}
