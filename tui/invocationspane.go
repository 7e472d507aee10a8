package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// invocationsPane lists attempts as they happen: time, function, request
// id, status, duration and depth in the recursion chain. It follows the
// newest row until the cursor moves up.
type invocationsPane struct {
	c         *Common
	list      cursorList
	width     int
	focused   bool
	follow    bool
	filter    textinput.Model
	filtering bool
}

func newInvocationsPane(c *Common) *invocationsPane {
	f := newTextInput()
	f.Prompt = "/"
	f.Placeholder = "filter by function, status or request id"
	return &invocationsPane{c: c, follow: true, filter: f}
}

func (p *invocationsPane) Title() string {
	h := p.c.State.History
	t := fmt.Sprintf("Invocations (%d)", len(h.rows))
	if p.filter.Value() != "" {
		t = fmt.Sprintf("Invocations (%d/%d)", len(p.rows()), len(h.rows))
	}
	if h.dropped > 0 {
		t += fmt.Sprintf(" · %d older dropped", h.dropped)
	}
	return t
}

func (p *invocationsPane) Focus() { p.focused = true }
func (p *invocationsPane) Blur()  { p.focused = false; p.filtering = false; p.filter.Blur() }

func (p *invocationsPane) SetSize(w, h int) {
	p.width, p.list.height = w, h-1
	p.filter.SetWidth(max(w-2, 1))
}

// rows are the invocations shown, after the filter.
func (p *invocationsPane) rows() []*invocation {
	all := p.c.State.History.rows
	q := strings.ToLower(p.filter.Value())
	if q == "" {
		return all
	}
	var out []*invocation
	for _, inv := range all {
		if strings.Contains(strings.ToLower(inv.Function+" "+inv.Status+" "+inv.RequestID), q) {
			out = append(out, inv)
		}
	}
	return out
}

// refresh keeps following the newest row.
func (p *invocationsPane) refresh() {
	if p.follow {
		p.list.cursor = len(p.rows()) - 1
	}
	p.list.clamp(len(p.rows()))
}

func (p *invocationsPane) selected() *invocation {
	rows := p.rows()
	if p.list.cursor < 0 || p.list.cursor >= len(rows) {
		return nil
	}
	return rows[p.list.cursor]
}

// invocationChosenMsg asks the root to show an invocation in Detail.
type invocationChosenMsg struct{ inv *invocation }

// pipelineChosenMsg asks the root to show the pipeline run called key.
type pipelineChosenMsg struct{ key string }

func (p *invocationsPane) Update(msg tea.Msg) tea.Cmd {
	k := p.c.Keys
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if p.filtering {
			if s := msg.String(); s == "enter" || s == "esc" {
				if s == "esc" {
					p.filter.SetValue("")
				}
				p.filtering = false
				p.filter.Blur()
				return nil
			}
			var cmd tea.Cmd
			p.filter, cmd = p.filter.Update(msg)
			p.refresh()
			return cmd
		}
		n := len(p.rows())
		switch {
		case p.list.move(k, msg, n):
			p.follow = p.list.cursor >= n-1
		case key.Matches(msg, k.Filter):
			p.filtering = true
			return p.filter.Focus()
		case key.Matches(msg, k.Open):
			if inv := p.selected(); inv != nil {
				return func() tea.Msg { return invocationChosenMsg{inv} }
			}
		case key.Matches(msg, k.Pipeline):
			if inv := p.selected(); inv != nil && pipelineKey(inv) != "" {
				return func() tea.Msg { return pipelineChosenMsg{pipelineKey(inv)} }
			}
		}
	case tea.MouseWheelMsg:
		n := len(p.rows())
		p.list.wheel(wheelDelta(msg), n)
		p.follow = p.list.cursor >= n-1
	}
	return nil
}

func (p *invocationsPane) RowAt(y int) bool {
	i := p.list.offset + y - 1
	n := len(p.rows())
	if y < 1 || i >= n {
		return false
	}
	p.list.cursor = i
	p.follow = i >= n-1
	return true
}

// statusStyle colours a status.
func (p *invocationsPane) statusStyle(s string) lipgloss.Style { return statusStyle(p.c.Styles, s) }

// statusStyle colours an invocation's status: ok, busy, held back, failed.
func statusStyle(st *Styles, s string) lipgloss.Style {
	switch {
	case s == "ok":
		return st.StatusOK
	case s == "running" || s == "queued":
		return st.StatusBusy
	case s == "throttled" || strings.HasPrefix(s, "retry"):
		return st.StatusWarn
	}
	return st.StatusErr
}

// notMeasured stands for a duration the lab's clock did not measure.
const notMeasured = "—"

// durationText renders a duration as REPORT does, to the millisecond. On
// a virtual clock (a scenario's) lab time moves only when a step waits, so
// a handler's work takes none: its 0 is not a measurement, and shows as —
// rather than a misleading 0.0ms. What lab time does measure (a timeout's
// 3 s) shows as it is.
func durationText(inv *invocation, virtual bool) string {
	if inv.Waiting || inv.Status == "running" || strings.HasPrefix(inv.Status, "dropped") {
		return ""
	}
	if virtual && inv.Duration == 0 {
		return notMeasured
	}
	ms := float64(inv.Duration) / float64(time.Millisecond)
	if ms >= 10000 {
		return fmt.Sprintf("%.1fs", ms/1000)
	}
	return fmt.Sprintf("%.1fms", ms)
}

func (p *invocationsPane) View() string {
	st := p.c.Styles
	const timeW, statusW, durW, depthW = 8, 13, 8, 5
	// The request id column appears when there is room; Detail always has it.
	reqW := 0
	if p.width >= 60 {
		reqW = 8
	}
	fnW := max(p.width-timeW-statusW-durW-depthW-4, 6)
	if reqW > 0 {
		fnW -= reqW + 1
	}
	col := func(s string, w int) string {
		if w == 0 {
			return ""
		}
		return fit(s, w) + " "
	}
	var out strings.Builder
	if p.filtering || p.filter.Value() != "" {
		out.WriteString(fit(p.filter.View(), p.width))
	} else {
		out.WriteString(st.ColumnHeader.Render(fit(fit("Time", timeW)+" "+fit("Function", fnW)+" "+col("Request", reqW)+
			fit("Status", statusW)+" "+padRight("Duration", durW)+" "+padRight("Depth", depthW), p.width)))
	}
	rows := p.rows()
	if len(rows) == 0 {
		out.WriteString("\n" + st.Dim.Render(fit("No invocations yet: upload to a bucket marked λ.", p.width)))
		return out.String()
	}
	start, end := p.list.visible(len(rows))
	for i := start; i < end; i++ {
		inv := rows[i]
		req := inv.RequestID
		if len(req) > 8 {
			req = req[:8]
		}
		status := inv.Status
		if inv.Attempt > 1 && !inv.Waiting {
			status += fmt.Sprintf(" #%d", inv.Attempt)
		}
		depth := ""
		if inv.Depth > 0 {
			depth = fmt.Sprint(inv.Depth)
		}
		left := fit(inv.Time.Local().Format("15:04:05"), timeW) + " " + fit(inv.Function, fnW) + " " + col(req, reqW)
		right := " " + padRight(durationText(inv, p.c.VirtualClock), durW) + " " + padRight(depth, depthW)
		out.WriteString("\n")
		if i == p.list.cursor {
			style := st.RowSelected
			if p.focused {
				style = st.RowCursor
			}
			out.WriteString(style.Render(fit(left+fit(status, statusW)+right, p.width)))
			continue
		}
		out.WriteString(st.Row.Render(left) + p.statusStyle(inv.Status).Render(fit(status, statusW)) + st.Row.Render(fit(right, p.width-lipgloss.Width(left)-statusW)))
	}
	return out.String()
}

func (p *invocationsPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	return []key.Binding{as(k.Open, "show invocation"), k.Pipeline, k.Filter, as(k.Bottom, "newest")}
}

func (p *invocationsPane) FullHelp() [][]key.Binding {
	k := p.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{as(k.Open, "show invocation"), k.Pipeline, as(k.Filter, "filter rows"), as(k.Bottom, "newest (follow)")}}
}
