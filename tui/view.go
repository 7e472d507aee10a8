package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// MinWidth and MinHeight are the smallest supported terminal.
const (
	MinWidth  = 80
	MinHeight = 24
)

// layout places the panes for the window size: Lab and Objects on top,
// Invocations and Detail below; a zoomed pane takes the whole body.
func (m *Model) layout() {
	w, h := max(m.width, 20), max(m.height, 8)
	bodyY := 1
	// The header and the key line take a line each; the status block what
	// it needs (a banner, a message wrapped).
	m.statusH = len(m.statusLines())
	bodyH := max(h-2-m.statusH, 4)
	m.bodyH = bodyH
	for i := range m.rects {
		m.rects[i] = rect{}
	}
	if m.zoom {
		m.rects[m.focus] = rect{0, bodyY, w, bodyH}
	} else {
		leftW := min(max(w*36/100, 28), 44)
		topH := max(bodyH*42/100, 5)
		invW := w * 62 / 100
		m.rects[labPaneID] = rect{0, bodyY, leftW, topH}
		m.rects[objectsPaneID] = rect{leftW, bodyY, w - leftW, topH}
		m.rects[invocationsPaneID] = rect{0, bodyY + topH, invW, bodyH - topH}
		m.rects[detailPaneID] = rect{invW, bodyY + topH, w - invW, bodyH - topH}
	}
	for id, r := range m.rects {
		if r.w > 0 {
			m.panes[id].SetSize(r.w-2, r.h-2)
		}
	}
	if m.pipe != nil {
		m.pipe.SetSize(w-2, bodyH-2)
	}
	m.help.SetWidth(w)
	m.progress.SetWidth(min(40, w/3))
}

// View draws the UI.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "lambdalab"
	return v
}

// render is the screen as a string (what golden tests compare).
func (m *Model) render() string {
	if m.width == 0 {
		return "starting lambdalab…"
	}
	var b strings.Builder
	b.WriteString(m.header())
	var layers []*lipgloss.Layer
	for id, r := range m.rects {
		if r.w == 0 || m.pipe != nil {
			continue
		}
		p := m.panes[id]
		box := m.box(p.Title(), p.View(), r.w, r.h, paneID(id) == m.focus)
		layers = append(layers, lipgloss.NewLayer(box).X(r.x).Y(r.y-1))
	}
	if m.pipe != nil {
		layers = append(layers, m.pipelineBody())
	}
	if m.dialog != nil {
		dv := m.dialog.View()
		dx := max((m.width-lipgloss.Width(dv))/2, 0)
		dy := max((m.bodyH-lipgloss.Height(dv))/2, 0)
		layers = append(layers, lipgloss.NewLayer(dv).X(dx).Y(dy).Z(1))
	}
	screen := lipgloss.NewCanvas(m.width, m.bodyH)
	screen.Compose(lipgloss.NewCompositor(layers...))
	body := screen.Render()
	lines := strings.Split(body, "\n")
	for len(lines) < m.bodyH {
		lines = append(lines, "")
	}
	b.WriteString("\n" + strings.Join(lines[:m.bodyH], "\n"))
	b.WriteString("\n" + strings.Join(m.statusLines(), "\n"))
	b.WriteString("\n" + m.footer())
	return b.String()
}

// footer is the key line: the focused pane's keys, cut to the room left by
// the global ones (next pane, help, quit), which always show.
func (m *Model) footer() string {
	local, global := m.shortHelp()
	right := m.keyLine(global, m.width)
	sep := m.help.Styles.ShortSeparator.Render(m.help.ShortSeparator)
	left := m.keyLine(local, m.width-lipgloss.Width(right)-lipgloss.Width(sep))
	if left == "" {
		return fit(right, m.width)
	}
	return fit(left+sep+right, m.width)
}

// keyLine is bindings as "key desc" items on one line of at most w cells:
// whole items only, and … when some did not fit. (help.ShortHelpView lets
// the last item overflow when its … does not fit.)
func (m *Model) keyLine(bindings []key.Binding, w int) string {
	st := m.help.Styles
	sep := st.ShortSeparator.Render(m.help.ShortSeparator)
	ellipsis := " " + st.Ellipsis.Render(m.help.Ellipsis)
	var b strings.Builder
	used := 0
	for i, k := range bindings {
		item := st.ShortKey.Render(k.Help().Key) + " " + st.ShortDesc.Render(k.Help().Desc)
		if used > 0 {
			item = sep + item
		}
		iw := lipgloss.Width(item)
		// The last item needs no room for an ellipsis after it.
		room := w - used
		if i < len(bindings)-1 {
			room -= lipgloss.Width(ellipsis)
		}
		if iw > room && !(i == len(bindings)-1 && iw <= w-used) {
			if used > 0 && used+lipgloss.Width(ellipsis) <= w {
				b.WriteString(ellipsis)
			}
			break
		}
		b.WriteString(item)
		used += iw
	}
	return b.String()
}
func (m *Model) header() string {
	st := m.c.Styles
	src := m.c.Src
	parts := []string{st.Header.Render("lambdalab"), st.HeaderDim.Render("lab " + src.LabName)}
	if src.Endpoint != "" {
		parts = append(parts, st.HeaderDim.Render("export ")+st.HeaderKey.Render("AWS_ENDPOINT_URL="+src.Endpoint))
		if m.width >= 100 {
			parts = append(parts, st.HeaderDim.Render("(any credentials)"))
		}
	}
	if m.player != nil {
		parts = append(parts[:2], st.HeaderKey.Render(m.player.status()))
	}
	return fit(" "+strings.Join(parts, st.HeaderDim.Render(" · ")), m.width)
}

// maxMessageLines bounds a message's lines; the panes keep the rest.
const maxMessageLines = 3

// statusLines is the block above the key line: the loop banner, then an
// upload's progress or the last message, wrapped (a step's notes, S3's
// errors are longer than a line). It is one line at least, blank or not.
func (m *Model) statusLines() []string {
	st := m.c.Styles
	var out []string
	if b := m.banner; b != nil {
		// The keys stay whole; the text is cut to the room they leave.
		keys := " s safe patterns · esc dismiss "
		text := fmt.Sprintf(" ■ LOOP STOPPED: %s ran %d times in a chain (%s).", b.Function, b.Invocations, b.By)
		room := max(m.width-lipgloss.Width(keys), 0)
		out = append(out, st.Banner.Render(fit(text, room)+fit(keys, m.width-room)))
	}
	switch {
	case m.upload != nil && m.upload.total > 0:
		pct := float64(m.upload.done) / float64(m.upload.total)
		out = append(out, fit(" uploading "+m.upload.file+" "+m.progress.ViewAs(pct), m.width))
	case m.message != "":
		style := st.Message
		if m.messageErr {
			style = st.MessageErr
		}
		lines := wrapWords(m.message, m.width-2, m.width-2)
		if len(lines) > maxMessageLines {
			lines = lines[:maxMessageLines]
			lines[maxMessageLines-1] += " …"
		}
		for _, l := range lines {
			out = append(out, style.Render(fit(" "+l, m.width)))
		}
	}
	if len(out) == 0 {
		out = append(out, "")
	}
	return out
}

// box draws a pane: a rounded border with the title in its top edge.
func (m *Model) box(title, content string, w, h int, focused bool) string {
	st := m.c.Styles
	border, titleStyle, edge := st.Pane, st.Title, st.Edge
	if focused {
		border, titleStyle, edge = st.PaneFocused, st.TitleFocused, st.EdgeFocused
	}
	bs := border.GetBorderStyle()
	inner := w - 2
	t := titleStyle.Render(fit(" "+title+" ", min(lipgloss.Width(title)+2, max(inner-2, 0))))
	top := edge.Render(bs.TopLeft+bs.Top) + t + edge.Render(strings.Repeat(bs.Top, max(inner-1-lipgloss.Width(t), 0))+bs.TopRight)
	lines := strings.Split(content, "\n")
	var b strings.Builder
	b.WriteString(top)
	for i := 0; i < h-2; i++ {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		b.WriteString("\n" + edge.Render(bs.Left) + fit(line, inner) + edge.Render(bs.Right))
	}
	b.WriteString("\n" + edge.Render(bs.BottomLeft+strings.Repeat(bs.Bottom, max(inner, 0))+bs.BottomRight))
	return b.String()
}
