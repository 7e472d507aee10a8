package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// The timeline's time axis. It runs from the run's first queueing to its
// last event (or now), but a long idle stretch — nothing running, nothing
// queued, only a retry's back-off (a minute, on Lambda) — is left out and
// drawn as a narrow break that says how long it was, so that the busy
// parts keep their detail: the fan-out before the break, the serial tail
// after it.

// axisSegment is a stretch of the axis: lab time from..to drawn in cells
// [cell, cell+cells). A gap is idle time left out.
type axisSegment struct {
	from, to    time.Time
	cell, cells int
	gap         bool
}

// Breaks: an idle stretch is left out when it is at least gapShare of the
// span, and drawn in as many cells as its label needs. The busy stretches
// keep a margin of padShare of the span around them.
const (
	gapShare = 4  // a quarter
	padShare = 50 // two percent
)

// measure lays out the axis for the run and the view's width.
func (v *pipelineView) measure() {
	r := v.run
	end := r.last
	for _, e := range r.events {
		for _, row := range e.rows {
			for _, t := range append([]time.Time{row.Queued, row.Started, row.Ended}, row.Throttles...) {
				if t.After(end) {
					end = t
				}
			}
		}
	}
	if r.running && v.now.After(end) {
		end = v.now
	}
	v.t0, v.span = r.first, end.Sub(r.first)
	if v.span <= 0 {
		v.span = time.Second // a run on a virtual clock can take no lab time
	}
	v.axisW = max(v.width-v.labelWidth()-1, 1)
	v.segments = v.breakAxis(v.busy())
	if v.segments == nil {
		v.segments = []axisSegment{{from: v.t0, to: v.t0.Add(v.span), cells: v.axisW}}
	}
	var busyTime time.Duration
	busyCells := 0
	for _, s := range v.segments {
		if !s.gap {
			busyTime += s.to.Sub(s.from)
			busyCells += s.cells
		}
	}
	v.cellDur = busyTime / time.Duration(max(busyCells, 1))
}

// interval is a stretch of lab time.
type interval struct{ from, to time.Time }

// busy is when the run was doing something, merged: attempts from their
// slot to their end, and events waiting for a slot (not a back-off).
func (v *pipelineView) busy() []interval {
	var spans []interval
	for _, e := range v.run.events {
		for _, r := range e.rows {
			slot, _ := r.slotFrom()
			until := r.Ended
			if until.IsZero() {
				until = v.now
			}
			if !slot.IsZero() {
				spans = append(spans, interval{slot, until})
				until = slot
			}
			if since := r.waitSince(); !until.Before(since) {
				spans = append(spans, interval{since, until})
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from.Before(spans[j].from) })
	var merged []interval
	for _, s := range spans {
		if n := len(merged); n > 0 && !s.from.After(merged[n-1].to) {
			if s.to.After(merged[n-1].to) {
				merged[n-1].to = s.to
			}
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// breakAxis lays the axis out with the long idle stretches between busy
// ones left out; nil when there are none, or when the busy time would keep
// less than half the width.
func (v *pipelineView) breakAxis(busy []interval) []axisSegment {
	end, pad := v.t0.Add(v.span), v.span/padShare
	var gaps []interval
	for i := 0; i+1 <= len(busy); i++ {
		from, to := busy[i].to.Add(pad), end
		if i+1 < len(busy) {
			to = busy[i+1].from.Add(-pad)
		}
		if to.Sub(from) >= v.span/gapShare {
			gaps = append(gaps, interval{from, to})
		}
	}
	if len(gaps) == 0 {
		return nil
	}
	gapCells, idle := 0, time.Duration(0)
	for _, g := range gaps {
		gapCells += utf8.RuneCountInString(gapLabel(g.to.Sub(g.from)))
		idle += g.to.Sub(g.from)
	}
	cells, busyTime := v.axisW-gapCells, v.span-idle
	if cells < v.axisW/2 || busyTime <= 0 {
		return nil
	}
	var out []axisSegment
	at, cell, left := v.t0, 0, cells
	for _, g := range gaps {
		n := int(int64(g.from.Sub(at)) * int64(cells) / int64(busyTime))
		if g.from.After(at) {
			out = append(out, axisSegment{from: at, to: g.from, cell: cell, cells: max(n, 1)})
			cell, left = cell+max(n, 1), left-max(n, 1)
		}
		w := utf8.RuneCountInString(gapLabel(g.to.Sub(g.from)))
		out = append(out, axisSegment{from: g.from, to: g.to, cell: cell, cells: w, gap: true})
		cell, at = cell+w, g.to
	}
	if end.After(at) && left > 0 {
		out = append(out, axisSegment{from: at, to: end, cell: cell, cells: left})
	}
	return out
}

// gapLabel is what a break says: how long the time left out was.
func gapLabel(d time.Duration) string { return "≈" + spanText(d) + "≈" }

// segmentOf is the segment that holds t (the last, for t past the end).
func (v *pipelineView) segmentOf(t time.Time) axisSegment {
	for _, s := range v.segments {
		if t.Before(s.to) {
			return s
		}
	}
	return v.segments[len(v.segments)-1]
}

// cellOf is the cell that holds t; cellTo the last cell an interval
// ending at t reaches.
func (v *pipelineView) cellOf(t time.Time) int {
	s := v.segmentOf(t)
	c := s.cell
	if d := s.to.Sub(s.from); d > 0 {
		c += int(int64(t.Sub(s.from)) * int64(s.cells) / int64(d))
	}
	return max(min(c, s.cell+s.cells-1, v.axisW-1), 0)
}

func (v *pipelineView) cellTo(t time.Time) int {
	s := v.segmentOf(t)
	d := s.to.Sub(s.from)
	if d <= 0 {
		return s.cell
	}
	n := int64(t.Sub(s.from)) * int64(s.cells)
	c := s.cell + int(n/int64(d))
	if n%int64(d) == 0 && c > s.cell {
		c--
	}
	return max(min(c, s.cell+s.cells-1, v.axisW-1), 0)
}

// axisSteps are the tick intervals the axis chooses from.
var axisSteps = []time.Duration{
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond,
	50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour,
}

// axis is the time labels across the axis, as far apart as their width
// needs, and each break's length.
func (v *pipelineView) axis() string {
	widest := len(axisLabel(v.span)) + 2
	step := axisSteps[len(axisSteps)-1]
	for _, s := range axisSteps {
		if s >= v.cellDur*time.Duration(widest) {
			step = s
			break
		}
	}
	cells := []rune(strings.Repeat(" ", v.axisW))
	free := 0 // the first cell a label may take
	for i, s := range v.segments {
		if s.gap {
			copy(cells[s.cell:], []rune(gapLabel(s.to.Sub(s.from))))
			free = s.cell + s.cells + 1
			continue
		}
		limit := v.axisW // the cells a label may reach: a space before a break
		if i+1 < len(v.segments) {
			limit = s.cell + s.cells - 1
		}
		k := (s.from.Sub(v.t0) + step - 1) / step
		for d := k * step; !v.t0.Add(d).After(s.to); d += step {
			c, label := v.cellOf(v.t0.Add(d)), []rune(axisLabel(d))
			if c >= free && c+len(label) <= limit {
				copy(cells[c:], label)
				free = c + len(label) + 1
			}
		}
	}
	return string(cells)
}

// axisLabel is a time on the axis: 0s, 500ms, 12s, 1m30s, 2m.
func axisLabel(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%gs", d.Seconds())
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}
