package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
)

// Drawing the timeline: the axis, the rows' cells, the legend.

// timelineView is the axis, the visible rows and the legend.
func (v *pipelineView) timelineView() []string {
	labelW := v.labelWidth()
	out := []string{v.c.Styles.Dim.Render(fit(strings.Repeat(" ", labelW+1)+v.axis(), v.width))}
	shown := v.rowsShown()
	end := min(v.offset+shown, len(v.timeline))
	for _, row := range v.timeline[v.offset:end] {
		label := v.c.Styles.Dim.Render(fit(row.label, labelW))
		if row.kind == rowLane && row.label != "" {
			label = v.c.Styles.Bold.Render(fit(row.label, labelW))
		}
		out = append(out, label+" "+v.renderCells(v.rowCells(row)))
	}
	// The legend sits under the rows, a line apart when there is room.
	if end-v.offset < shown {
		out = append(out, "")
	}
	out = append(out, v.legend())
	if len(v.timeline) > shown {
		return out
	}
	return append(out, v.metricsBelow(len(out))...)
}

// axisSteps are the tick intervals the axis chooses from.
var axisSteps = []time.Duration{
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond,
	50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour,
}

// axis is the time labels across the axis, as far apart as their width
// needs.
func (v *pipelineView) axis() string {
	widest := len(axisLabel(v.span)) + 2
	step := axisSteps[len(axisSteps)-1]
	for _, s := range axisSteps {
		if int64(s)*int64(v.axisW) >= int64(widest)*int64(v.span) {
			step = s
			break
		}
	}
	cells := []rune(strings.Repeat(" ", v.axisW))
	for d := time.Duration(0); d <= v.span; d += step {
		c := v.cellOf(v.t0.Add(d))
		label := []rune(axisLabel(d))
		if c+len(label) > v.axisW {
			break
		}
		copy(cells[c:], label)
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

// rowCells draws a row.
func (v *pipelineView) rowCells(row timelineRow) []cellKind {
	cells := make([]cellKind, v.axisW)
	if row.kind == rowQueue {
		v.queueCells(row.function, cells)
		return cells
	}
	prevEnd := -1
	for _, a := range row.attempts {
		prevEnd = v.attemptCells(a, cells, prevEnd, row.kind == rowLane)
	}
	return cells
}

// attemptCells draws one attempt of a lane from its start to its end (or
// now): █ when it ended ok or runs, ▓ ending in ✗ when it failed. An
// attempt that begins where the one before it ended starts with ▐, so
// that back-to-back attempts stay apart. It returns its last cell.
func (v *pipelineView) attemptCells(a *invocation, cells []cellKind, prevEnd int, lane bool) int {
	end := a.Ended
	if end.IsZero() {
		end = v.now
	}
	slot, _ := a.slotFrom()
	c0, c1 := v.cellOf(slot), v.cellTo(end)
	if lane && c0 <= prevEnd {
		c0 = min(prevEnd+1, v.axisW-1)
	}
	c1 = max(c1, c0)
	// A cold start's init, as far as it is longer than the attempt's first
	// cell, is drawn before it.
	for c := c0; c < min(v.cellOf(a.Started), c1); c++ {
		cells[c] = max(cells[c], cellInit)
	}
	kind := cellOK
	switch {
	case a.Ended.IsZero():
		kind = cellRunning
	case a.Status != "ok":
		kind = cellFailed
	}
	for c := max(c0, min(v.cellOf(a.Started), c1)); c <= c1; c++ {
		cells[c] = max(cells[c], kind)
	}
	if kind == cellFailed {
		cells[c1] = cellFailEnd
	} else if lane && prevEnd >= 0 && c0 == prevEnd+1 && c1 > c0 && cells[prevEnd] != cellFailEnd && cells[c0] != cellInit {
		cells[c0] = cellJoin
	}
	return c1
}

// queueCells draws a function's waiting events: ░ queued, · backing off
// before a retry, ! a throttle, ✗ a drop.
func (v *pipelineView) queueCells(fn string, cells []cellKind) {
	half := v.span / time.Duration(2*v.axisW)
	mark := func(from, to time.Time, kind cellKind) {
		if to.Sub(from) < half || to.Before(from) {
			return
		}
		for c := v.cellOf(from); c <= max(v.cellTo(to), v.cellOf(from)); c++ {
			cells[c] = max(cells[c], kind)
		}
	}
	for _, e := range v.run.events {
		if e.function != fn {
			continue
		}
		for _, r := range e.rows {
			until, _ := r.slotFrom()
			switch {
			case !until.IsZero():
			case !r.Ended.IsZero():
				until = r.Ended
			default:
				until = v.now
			}
			from := r.waitSince()
			if from.After(until) {
				from = until
			}
			mark(r.Queued, from, cellBackoff)
			mark(from, until, cellQueued)
			for _, t := range r.Throttles {
				cells[v.cellOf(t)] = max(cells[v.cellOf(t)], cellThrottle)
			}
			if strings.HasPrefix(r.Status, "dropped") {
				cells[v.cellOf(r.Ended)] = cellDropped
			}
		}
	}
}

// cellColor is the colour a kind of cell is drawn in: its status's.
type cellColor int

const (
	colorDim cellColor = iota
	colorOK
	colorBusy
	colorErr
	colorWarn
)

func colorOf(k cellKind) cellColor {
	switch k {
	case cellOK, cellJoin:
		return colorOK
	case cellRunning, cellInit:
		return colorBusy
	case cellFailed, cellFailEnd, cellDropped:
		return colorErr
	case cellThrottle:
		return colorWarn
	}
	return colorDim
}

// renderCells styles a row's cells, a run of one colour at a time.
func (v *pipelineView) renderCells(cells []cellKind) string {
	st := v.c.Styles
	styles := [...]lipgloss.Style{colorDim: st.Dim, colorOK: st.StatusOK, colorBusy: st.StatusBusy, colorErr: st.StatusErr, colorWarn: st.StatusWarn}
	var b strings.Builder
	for i := 0; i < len(cells); {
		j := i
		var run strings.Builder
		for j < len(cells) && colorOf(cells[j]) == colorOf(cells[i]) {
			run.WriteRune(cellRunes[cells[j]])
			j++
		}
		b.WriteString(styles[colorOf(cells[i])].Render(run.String()))
		i = j
	}
	return b.String()
}

// legend says what the cells mean, and what one cell is.
func (v *pipelineView) legend() string {
	st := v.c.Styles
	items := []string{st.StatusOK.Render("█") + " ran", st.StatusErr.Render("▓✗") + " failed"}
	if v.run.running {
		items = append(items, st.StatusBusy.Render("█")+" running")
	}
	if v.run.cold {
		items = append(items, st.StatusBusy.Render("▒")+" cold start")
	}
	items = append(items, st.Dim.Render("░")+" queued", st.StatusWarn.Render("!")+" throttled", st.Dim.Render("·")+" retry back-off")
	if v.run.drops > 0 {
		items = append(items, st.StatusErr.Render("✗")+" dropped")
	}
	line := strings.Join(items, "  ")
	cell := "  " + st.Dim.Render("1 col = "+spanText(v.span/time.Duration(v.axisW)))
	if lipgloss.Width(line+cell) <= v.width {
		line += cell
	}
	if v.rowCount() > v.rowsShown() {
		line += st.Dim.Render(fmt.Sprintf("  %d–%d of %d rows", v.offset+1, min(v.offset+v.rowsShown(), v.rowCount()), v.rowCount()))
	}
	return fit(line, v.width)
}
