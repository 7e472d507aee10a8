package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
)

// The tree view: one line per event, under the event whose invocation
// queued it, in the order they were queued; each line says the function,
// how the event ended (after how many attempts, throttled how often), how
// long its last attempt took, and the object that triggered it.

// Column widths of the tree: the status column's most, the columns of
// times and throttles, and the least the object keeps.
const (
	treeStatusMax = 24
	treeTimeW     = 6
	treeThrottleW = 9
	treeObjectMin = 12
)

// treeView is the column header, the visible nodes, and the run's numbers
// per function when they fit under them.
func (v *pipelineView) treeView() []string {
	st := v.c.Styles
	nameW, statusW := v.treeColumns()
	objW := max(v.width-nameW-statusW-2*treeTimeW-treeThrottleW-5, 0)
	head := fit("Invocation", nameW) + " " + fit("Status", statusW) + " " + padRight("Waited", treeTimeW) + " " +
		padRight("Throttled", treeThrottleW) + " " + padRight("Took", treeTimeW) + " " + fit("Triggered by", objW)
	out := []string{st.ColumnHeader.Render(fit(head, v.width))}
	shown := v.rowsShown()
	end := min(v.offset+shown, len(v.nodes))
	root := v.rootBucket()
	for _, n := range v.nodes[v.offset:end] {
		out = append(out, v.treeLine(n, nameW, statusW, objW, root))
	}
	if len(v.nodes) > shown {
		for len(out) < shown+1 {
			out = append(out, "")
		}
		return append(out, v.scrollLine())
	}
	return append(out, v.metricsBelow(len(out))...)
}

// treeColumns are the widths of the name (branches and function) and
// status columns: as wide as their widest cell, within bounds that leave
// the object some room.
func (v *pipelineView) treeColumns() (nameW, statusW int) {
	nameW, statusW = len("Invocation"), len("Status")
	for _, n := range v.nodes {
		nameW = max(nameW, lipgloss.Width(treeBranches(n.lasts))+lipgloss.Width(n.e.function))
		statusW = max(statusW, lipgloss.Width(v.eventStatus(n.e)))
	}
	statusW = min(statusW, treeStatusMax)
	nameW = min(nameW, max(v.width-statusW-2*treeTimeW-treeThrottleW-treeObjectMin-5, 8))
	return nameW, statusW
}

// treeBranches is the box drawing before a node: a bar for each ancestor
// with siblings still to come, then its own branch.
func treeBranches(lasts []bool) string {
	if len(lasts) == 0 {
		return ""
	}
	var b strings.Builder
	for _, last := range lasts[:len(lasts)-1] {
		if last {
			b.WriteString("   ")
		} else {
			b.WriteString("│  ")
		}
	}
	if lasts[len(lasts)-1] {
		b.WriteString("└─ ")
	} else {
		b.WriteString("├─ ")
	}
	return b.String()
}

// treeLine is one node.
func (v *pipelineView) treeLine(n treeNode, nameW, statusW, objW int, rootBucket string) string {
	st := v.c.Styles
	branches := treeBranches(n.lasts)
	name := st.Dim.Render(branches) + st.Bold.Render(n.e.function)
	if lipgloss.Width(branches)+lipgloss.Width(n.e.function) > nameW {
		name = st.Dim.Render(fitLeft(branches, max(nameW-lipgloss.Width(n.e.function), 1))) + st.Bold.Render(n.e.function)
	}
	status := statusStyle(st, n.e.last().Status).Render(fit(v.eventStatus(n.e), statusW))
	throttled := ""
	if t := n.e.throttled(); t > 0 {
		throttled = fmt.Sprintf("%d×", t)
	}
	obj := n.e.object
	if b, k, ok := strings.Cut(obj, "/"); ok && b == rootBucket {
		obj = k
	}
	line := fit(name, nameW) + " " + status + " " + padRight(v.eventWait(n.e), treeTimeW) + " " +
		st.StatusWarn.Render(padRight(throttled, treeThrottleW)) + " " + padRight(v.eventDuration(n.e), treeTimeW) + " " +
		st.Value.Render(fitLeft(obj, objW))
	return fit(line, v.width)
}

// rootBucket is the bucket of the run's upload: the tree names objects in
// it by their key alone.
func (v *pipelineView) rootBucket() string {
	b, _, _ := strings.Cut(v.run.object, "/")
	return b
}

// eventStatus says where an event is: its status, and after how many
// attempts it came to it.
func (v *pipelineView) eventStatus(e *pipeEvent) string {
	last := e.last()
	switch {
	case last.Waiting && last.retry:
		return fmt.Sprintf("waiting for attempt %d", last.Attempt)
	case last.Waiting:
		return last.Status
	case e.tries() > 1:
		return fmt.Sprintf("%s after %d attempts", last.Status, e.tries())
	}
	return last.Status
}

// eventWait is how long the event waited in the queue for its attempts
// (a retry's back-off not counted), up to now while it waits.
func (v *pipelineView) eventWait(e *pipeEvent) string {
	var d time.Duration
	for _, r := range e.rows {
		since := r.waitSince()
		switch {
		case !r.Started.IsZero():
			slot, _ := r.slotFrom()
			d += slot.Sub(since)
		case r.Waiting && v.now.After(since):
			d += v.now.Sub(since)
		}
	}
	if d < time.Millisecond {
		return "" // no wait to speak of
	}
	return spanText(d)
}

// eventDuration is how long the event's last attempt took, "" while it
// has not ended.
func (v *pipelineView) eventDuration(e *pipeEvent) string {
	last := e.last()
	if last.Started.IsZero() || last.Ended.IsZero() {
		return ""
	}
	if v.c.VirtualClock && last.Duration == 0 {
		return notMeasured
	}
	return spanText(last.Duration)
}
