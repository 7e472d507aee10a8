package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// pipelineMode is which of the two pipeline views shows.
type pipelineMode int

const (
	pipelineTree pipelineMode = iota
	pipelineTimeline
)

// pipelineView shows one pipeline run over the whole body of the screen:
// as a tree of which invocation caused which, or as a timeline of the
// attempts of each function. It follows the run as its events arrive; its
// rows are laid out then (and when the size changes), never in View.
type pipelineView struct {
	c    *Common
	key  string
	mode pipelineMode
	run  *pipeline
	// now is the lab time a running attempt is drawn up to.
	now           time.Time
	width, height int
	offset        int
	nodes         []treeNode
	timeline      []timelineRow
	// The timeline's axis: it begins at t0, covers span in axisW cells,
	// laid out as segments (idle stretches left out), each cell cellDur.
	t0       time.Time
	span     time.Duration
	axisW    int
	segments []axisSegment
	cellDur  time.Duration
	// gen tells this view's clock ticks from an earlier view's.
	gen int
}

// pipelineHeaderH is the lines above the scrolling rows: the summary's two
// and the column header (tree) or time axis (timeline).
const pipelineHeaderH = 3

func newPipelineView(c *Common, key string, gen int) *pipelineView {
	return &pipelineView{c: c, key: key, gen: gen}
}

// refresh gathers the run again from the history and lays it out.
func (v *pipelineView) refresh(now time.Time) {
	v.run = buildPipeline(v.c.State.History, v.key)
	v.now = now
	v.layoutRows()
}

// SetSize gives the view its inner size (inside the box).
func (v *pipelineView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.layoutRows()
}

// layoutRows lays out the current view's rows for the size, and keeps the
// scroll position inside them.
func (v *pipelineView) layoutRows() {
	if v.run == nil {
		return
	}
	v.nodes = v.run.tree()
	v.measure()
	v.timeline = v.layoutTimeline(max(v.height-pipelineHeaderH-1, 1))
	v.offset = min(v.offset, max(v.rowCount()-v.rowsShown(), 0))
	v.offset = max(v.offset, 0)
}

// rowCount is how many scrolling rows the current view has.
func (v *pipelineView) rowCount() int {
	if v.mode == pipelineTimeline {
		return len(v.timeline)
	}
	return len(v.nodes)
}

// rowsShown is how many scrolling rows fit: the timeline keeps its last
// line for the legend; the tree uses it too, unless it scrolls, when it
// says where it is.
func (v *pipelineView) rowsShown() int {
	room := max(v.height-pipelineHeaderH, 1)
	if v.mode == pipelineTimeline || len(v.nodes) > room {
		room = max(room-1, 1)
	}
	return room
}

// Title names the run by the upload that started it.
func (v *pipelineView) Title() string {
	obj := "(no object)"
	if v.run != nil && v.run.object != "" {
		obj = v.run.object
	}
	return "Pipeline · " + obj
}

// Update takes a key or the wheel; closed says the view is done.
func (v *pipelineView) Update(msg tea.Msg) (closed bool) {
	k := v.c.Keys
	step := 0
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Back):
			return true
		case key.Matches(msg, k.SwitchView):
			v.mode = 1 - v.mode
			v.offset = 0
		case key.Matches(msg, k.Up):
			step = -1
		case key.Matches(msg, k.Down):
			step = 1
		case key.Matches(msg, k.PageUp):
			step = -v.rowsShown()
		case key.Matches(msg, k.PageDown):
			step = v.rowsShown()
		case key.Matches(msg, k.Top):
			step = -v.rowCount()
		case key.Matches(msg, k.Bottom):
			step = v.rowCount()
		}
	case tea.MouseWheelMsg:
		step = wheelDelta(msg)
	}
	v.offset = max(min(v.offset+step, v.rowCount()-v.rowsShown()), 0)
	return false
}

// View renders the summary, then the tree or the timeline.
func (v *pipelineView) View() string {
	if v.run == nil || len(v.run.events) == 0 {
		return v.c.Styles.Dim.Render(fit("Nothing of this run is left in the history.", v.width))
	}
	lines := v.summary()
	if v.mode == pipelineTimeline {
		lines = append(lines, v.timelineView()...)
	} else {
		lines = append(lines, v.treeView()...)
	}
	return strings.Join(lines, "\n")
}

// summary is the view's two header lines: the tabs and the run's
// invocations per function and time; how many ran at once, the throttles,
// retries and drops.
func (v *pipelineView) summary() []string {
	st, r := v.c.Styles, v.run
	tab := func(name string, m pipelineMode) string {
		if v.mode == m {
			return st.TitleFocused.Render("[" + name + "]")
		}
		return st.Dim.Render(" " + name + " ")
	}
	var counts []string
	for _, fn := range r.functions {
		counts = append(counts, fmt.Sprintf("%s %d", fn, r.count[fn]))
	}
	state := st.StatusOK.Render("done in " + spanText(r.last.Sub(r.first)))
	if v.c.VirtualClock && !r.last.After(r.first) {
		state = st.StatusOK.Render("done") // a virtual clock measured nothing
	}
	if r.running {
		state = st.StatusBusy.Render("running " + spanText(v.now.Sub(r.first)))
	}
	first := tab("Tree", pipelineTree) + tab("Timeline", pipelineTimeline) + "  " +
		st.Value.Render(strings.Join(counts, " · ")) + st.Dim.Render(" · ") + state
	var most []string
	for _, fn := range r.functions {
		most = append(most, fmt.Sprintf("%s %d", fn, r.mostBy[fn]))
	}
	// What held the run back, when anything did (the table below has
	// the zeros).
	second := st.Value.Render(fmt.Sprintf("at most %d at once (%s)", r.most, strings.Join(most, " · ")))
	if r.throttles > 0 {
		second += st.StatusWarn.Render(" · " + pluralText(r.throttles, "throttle", "throttles"))
	}
	if r.retries > 0 {
		second += st.StatusWarn.Render(" · " + pluralText(r.retries, "retry", "retries"))
	}
	if r.drops > 0 {
		second += st.StatusErr.Render(fmt.Sprintf(" · %d dropped", r.drops))
	}
	return []string{fit(first, v.width), fit(second, v.width)}
}

// pluralText says n things.
func pluralText(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// spanText is a length of lab time, short: 840ms, 2.35s, 14.2s, 2m05s.
func spanText(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < 10*time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// scrollLine says which rows show, when not all do.
func (v *pipelineView) scrollLine() string {
	n, shown := v.rowCount(), v.rowsShown()
	return v.c.Styles.Dim.Render(fit(fmt.Sprintf("%d–%d of %d · ↑/↓ scroll", v.offset+1, min(v.offset+shown, n), n), v.width))
}

// ShortHelp is the view's keys for the key line.
func (v *pipelineView) ShortHelp() []key.Binding {
	k := v.c.Keys
	scroll := key.NewBinding(key.WithKeys(append(k.Up.Keys(), k.Down.Keys()...)...), key.WithHelp("↑/↓", "scroll"))
	return []key.Binding{k.SwitchView, scroll, as(k.Back, "back")}
}

// pipelineTickMsg moves a running run's timeline on with the wall clock;
// gen is the view it was asked for.
type pipelineTickMsg struct{ gen int }

// pipelineTickEvery is how often a running run is redrawn on a wall clock
// (on a virtual one the lab's events are what move time).
const pipelineTickEvery = time.Second

// openPipeline shows the run of the selected invocation.
func (m *Model) openPipeline(key string) tea.Cmd {
	m.pipeGen++
	m.pipe = newPipelineView(m.c, key, m.pipeGen)
	m.layout()
	m.pipe.refresh(m.labNow())
	return m.pipelineTick()
}

// labNow is the lab's time now: the clock's, or on a virtual clock (which
// moves only when the lab waits) the newest event's.
func (m *Model) labNow() time.Time {
	h := m.c.State.History
	if m.c.VirtualClock || m.c.Src.Clock == nil {
		return h.latest
	}
	if now := m.c.Src.Clock.Now(); now.After(h.latest) {
		return now
	}
	return h.latest
}

// pipelineTick asks for the next redraw of a running run on a wall clock.
func (m *Model) pipelineTick() tea.Cmd {
	if m.pipe == nil || m.c.VirtualClock || !m.pipe.run.running {
		return nil
	}
	gen := m.pipe.gen
	return tea.Tick(pipelineTickEvery, func(time.Time) tea.Msg { return pipelineTickMsg{gen} })
}

// pipelineTicked redraws the view the tick was for, while it is open.
func (m *Model) pipelineTicked(msg pipelineTickMsg) tea.Cmd {
	if m.pipe == nil || m.pipe.gen != msg.gen {
		return nil
	}
	m.pipe.refresh(m.labNow())
	return m.pipelineTick()
}

// pipelineKeyPress handles a key while the pipeline view is open: help
// and quit as everywhere, the rest is the view's.
func (m *Model) pipelineKeyPress(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	if key.Matches(msg, k.Help) || key.Matches(msg, k.Quit) {
		cmd, _ := m.globalKey(msg)
		return cmd
	}
	if m.pipe.Update(msg) {
		m.pipe = nil
	}
	return nil
}

// pipelineBody is the pipeline view in its box, over the whole body.
func (m *Model) pipelineBody() *lipgloss.Layer {
	return lipgloss.NewLayer(m.box(m.pipe.Title(), m.pipe.View(), max(m.width, 20), m.bodyH, true))
}
