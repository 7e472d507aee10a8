package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
)

// The run's numbers per function, under the tree or the timeline when
// they fit: what Lambda's metrics would say of the run (invocations,
// concurrent executions, throttles, duration), counted from its events.

// metricsColumns are the table's headers, and the width each takes.
var metricsColumns = []struct {
	head string
	w    int
}{{"Events", 6}, {"Tries", 5}, {"At once", 7}, {"Throttles", 9}, {"Retries", 7}, {"Max wait", 8}, {"Took p50", 8}, {"Took max", 8}}

// metricsBelow is the table, a line apart from used lines above it, when
// it fits in the view's height.
func (v *pipelineView) metricsBelow(used int) []string {
	need := 2 + 1 + len(v.run.functions)
	if pipelineHeaderH-1+used+need > v.height {
		return nil
	}
	return append([]string{""}, v.metricsTable()...)
}

// metricsTable is one row per function, under a header.
func (v *pipelineView) metricsTable() []string {
	st := v.c.Styles
	fnW, colsW := len("Function"), 0
	for _, fn := range v.run.functions {
		fnW = max(fnW, lipgloss.Width(fn))
	}
	for _, c := range metricsColumns {
		colsW += c.w + 1
	}
	fnW = max(min(fnW, v.width-colsW), 6) // long names give way to the numbers
	heads := []string{fit("Function", fnW)}
	for _, c := range metricsColumns {
		heads = append(heads, padRight(c.head, c.w))
	}
	out := []string{st.ColumnHeader.Render(fit(strings.Join(heads, " "), v.width))}
	for _, fn := range v.run.functions {
		s := v.run.stats[fn]
		cells := []string{fit(fn, fnW)}
		for i, val := range []string{fmt.Sprint(v.run.count[fn]), fmt.Sprint(s.attempts), fmt.Sprint(v.run.mostBy[fn]),
			fmt.Sprint(s.throttles), fmt.Sprint(s.retries), v.measured(s.longestWait, false), v.measured(s.median(), true),
			v.measured(s.longest(), true)} {
			cells = append(cells, padRight(val, metricsColumns[i].w))
		}
		out = append(out, st.Value.Render(fit(strings.Join(cells, " "), v.width)))
	}
	return out
}

// measured is a time of the table: — for a duration a virtual clock did
// not measure.
func (v *pipelineView) measured(d time.Duration, duration bool) string {
	if duration && v.c.VirtualClock && d == 0 {
		return notMeasured
	}
	return spanText(d)
}
