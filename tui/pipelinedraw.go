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
	drawn := map[cellKind]bool{}
	for _, row := range v.timeline[v.offset:end] {
		label := v.c.Styles.Dim.Render(fit(row.label, labelW))
		if row.kind == rowLane && row.label != "" {
			label = v.c.Styles.Bold.Render(fit(row.label, labelW))
		}
		cells := v.rowCells(row)
		for _, c := range cells {
			drawn[c] = true
		}
		out = append(out, label+" "+v.renderCells(cells))
	}
	// The legend sits under the rows, a line apart when there is room.
	if end-v.offset < shown {
		out = append(out, "")
	}
	out = append(out, v.legend(drawn))
	if len(v.timeline) > shown {
		return out
	}
	return append(out, v.metricsBelow(len(out))...)
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

// queueCells draws a function's waiting events: ░ queued, · waiting out
// a retry's back-off, ! a throttle, ✗ a drop.
func (v *pipelineView) queueCells(fn string, cells []cellKind) {
	half := v.cellDur / 2
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

// legend says what the cells drawn mean, and what one cell is.
func (v *pipelineView) legend(drawn map[cellKind]bool) string {
	st := v.c.Styles
	var items []string
	for _, it := range []struct {
		has  bool
		mark string
		what string
	}{
		{drawn[cellOK] || drawn[cellJoin], st.StatusOK.Render("█"), "ran"},
		{drawn[cellFailed] || drawn[cellFailEnd], st.StatusErr.Render("▓✗"), "failed"},
		{drawn[cellRunning], st.StatusBusy.Render("█"), "running"},
		{drawn[cellInit], st.StatusBusy.Render("▒"), "cold start"},
		{drawn[cellQueued], st.Dim.Render("░"), "queued"},
		{drawn[cellThrottle], st.StatusWarn.Render("!"), "throttled"},
		{drawn[cellBackoff], st.Dim.Render("·"), "retry wait"},
		{drawn[cellDropped], st.StatusErr.Render("✗"), "dropped"},
	} {
		if it.has {
			items = append(items, it.mark+" "+it.what)
		}
	}
	line := strings.Join(items, "  ")
	cell := "  " + st.Dim.Render("1 col = "+spanText(v.cellDur))
	if lipgloss.Width(line+cell) <= v.width {
		line += cell
	}
	if v.rowCount() > v.rowsShown() {
		line += st.Dim.Render(fmt.Sprintf("  %d–%d of %d rows", v.offset+1, min(v.offset+v.rowsShown(), v.rowCount()), v.rowCount()))
	}
	return fit(line, v.width)
}
