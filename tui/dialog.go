package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// dialog is a modal form over the panes. Update reports whether the dialog
// is finished (submitted or cancelled). SetSize gives it the room it may
// take (the panes' area); it lays itself out there, so that View only
// renders.
type dialog interface {
	Update(msg tea.Msg) (done bool, cmd tea.Cmd)
	SetSize(w, h int)
	View() string
}

// dialogChrome is what a dialog's frame takes: the double border and the
// padding of Styles.Dialog.
const dialogChrome = 4

// openDialog shows d, sized to the window.
func (m *Model) openDialog(d dialog) {
	m.dialog = d
	if d != nil {
		d.SetSize(m.width, max(m.bodyH, 1))
	}
}

// keyHelp is a dialog's key line, built from its bindings and wrapped to
// w cells.
func keyHelp(c *Common, w int, keys ...key.Binding) string {
	var parts []string
	for _, k := range keys {
		parts = append(parts, k.Help().Key+" "+k.Help().Desc)
	}
	return c.Styles.Dim.Render(wrapText(strings.Join(parts, " · "), w))
}

// inputDialog asks for one value, checks it as it is typed, and submits it.
type inputDialog struct {
	c        *Common
	title    string
	intro    []string
	input    textinput.Model
	check    func(string) (problem string) // "" when the value is acceptable
	complete func(string) (string, []string)
	submit   func(string) tea.Cmd
	problem  string
	choices  []string
	w        int
}

func newInputDialog(c *Common, title, prompt, value string, intro ...string) *inputDialog {
	in := newTextInput()
	in.Prompt = prompt
	in.SetValue(value)
	in.Focus()
	d := &inputDialog{c: c, title: title, intro: intro, input: in}
	d.SetSize(MinWidth, MinHeight)
	return d
}

func (d *inputDialog) SetSize(w, _ int) {
	d.w = min(max(w-6, 20), 72)
	d.input.SetWidth(d.w - lipgloss.Width(d.input.Prompt) - 1)
}

func (d *inputDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	k := d.c.Keys
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, k.Cancel):
			return true, nil
		case key.Matches(kp, k.Confirm):
			if d.check != nil {
				if d.problem = d.check(d.input.Value()); d.problem != "" {
					return false, nil
				}
			}
			return true, d.submit(d.input.Value())
		case key.Matches(kp, k.Complete) && d.complete != nil:
			v, choices := d.complete(d.input.Value())
			d.input.SetValue(v)
			d.input.CursorEnd()
			d.choices = choices
			if len(choices) == 1 {
				d.choices = nil
			}
			if d.check != nil {
				d.problem = d.check(d.input.Value())
			}
			return false, nil
		}
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	if d.check != nil {
		d.problem = d.check(d.input.Value())
	}
	return false, cmd
}

func (d *inputDialog) View() string {
	st := d.c.Styles
	k := d.c.Keys
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render(d.title))
	for _, l := range d.intro {
		b.WriteString("\n" + st.Dim.Render(wrapText(l, d.w)))
	}
	b.WriteString("\n\n" + d.input.View())
	if len(d.choices) > 0 {
		b.WriteString("\n" + st.Dim.Render(fit(strings.Join(d.choices, "  "), d.w)))
	}
	switch {
	case d.problem != "":
		b.WriteString("\n" + st.MessageErr.Render(wrapText(d.problem, d.w)))
	case d.check != nil && d.input.Value() != "":
		b.WriteString("\n" + st.Message.Render("✓"))
	default:
		b.WriteString("\n")
	}
	keys := []key.Binding{k.Confirm, k.Cancel}
	if d.complete != nil {
		keys = append(keys, k.Complete)
	}
	b.WriteString("\n" + keyHelp(d.c, d.w, keys...))
	return st.Dialog.Width(d.w + dialogChrome).Render(b.String())
}

// pagerDialog shows text (the keys, the safe patterns, a scenario's
// introduction) laid out for the room it has, scrolling when it does not
// fit, until it is closed.
type pagerDialog struct {
	c     *Common
	title string
	// body lays the text out for an inner width.
	body func(w int) []string
	// maxW bounds the inner width (text reads badly wider).
	maxW int
	// passthrough are keys that close the dialog and then do what they do
	// without it (space in a scenario's introduction runs the first step).
	passthrough []key.Binding
	lines       []string
	offset      int
	w, h        int // inner width; body rows shown
	// spaced puts a blank line under the title and above the keys, when
	// there is room for them.
	spaced bool
}

// newPager builds a pager over text, reflowed to the dialog's width.
func newPager(c *Common, title, text string) *pagerDialog {
	return &pagerDialog{c: c, title: title, maxW: 76, body: func(w int) []string {
		return strings.Split(reflow(text, w), "\n")
	}}
}

func (d *pagerDialog) SetSize(w, h int) {
	inner := max(min(w-2-dialogChrome, d.maxW), 10)
	d.lines = d.body(inner)
	widest := 0
	for _, l := range d.lines {
		widest = max(widest, lipgloss.Width(l))
	}
	d.w = max(min(inner, widest), lipgloss.Width(d.title), 30)
	// The frame (2), the title (1) and the key line (1), and a blank line
	// after the title and before the keys when everything fits with them.
	d.spaced = len(d.lines)+6 <= h
	d.h = max(h-4, 1)
	if d.spaced {
		d.h -= 2
	}
	d.scroll(0)
}

func (d *pagerDialog) scroll(delta int) {
	d.offset = max(min(d.offset+delta, len(d.lines)-d.h), 0)
}

// passes reports whether msg closes the dialog to act without it.
func (d *pagerDialog) passes(msg tea.KeyPressMsg) bool {
	for _, b := range d.passthrough {
		if key.Matches(msg, b) {
			return true
		}
	}
	return false
}

func (d *pagerDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	k := d.c.Keys
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	switch {
	case key.Matches(kp, k.Cancel, k.Confirm, k.Quit, k.Help):
		return true, nil
	case key.Matches(kp, k.Up):
		d.scroll(-1)
	case key.Matches(kp, k.Down):
		d.scroll(1)
	case key.Matches(kp, k.PageUp):
		d.scroll(-d.h)
	case key.Matches(kp, k.PageDown):
		d.scroll(d.h)
	case key.Matches(kp, k.Top):
		d.scroll(-len(d.lines))
	case key.Matches(kp, k.Bottom):
		d.scroll(len(d.lines))
	}
	return false, nil
}

func (d *pagerDialog) View() string {
	st := d.c.Styles
	k := d.c.Keys
	end := min(d.offset+d.h, len(d.lines))
	body := make([]string, 0, d.h)
	for _, l := range d.lines[d.offset:end] {
		body = append(body, fit(l, d.w))
	}
	keys := append([]key.Binding{as(k.Cancel, "close")}, d.passthrough...)
	title := st.DialogTitle.Render(d.title)
	if len(d.lines) > d.h {
		keys = append(keys, as(k.Down, "scroll"), as(k.PageDown, "page"))
		pos := fmt.Sprintf("%d–%d of %d", d.offset+1, end, len(d.lines))
		title = fit(title, d.w-len(pos)-1) + " " + st.Dim.Render(pos)
	}
	sep := "\n"
	if d.spaced {
		sep = "\n\n"
	}
	return st.Dialog.Width(d.w + dialogChrome).Render(title + sep + strings.Join(body, "\n") + sep + keyHelp(d.c, d.w, keys...))
}

// safePatterns is the lesson of a stopped loop.
const safePatterns = `A function that writes into the bucket that triggers it invokes itself again and again. Lambda stopped this chain after 16 invocations; on AWS you would also get an email. Three ways out:

1. A separate output bucket (the exercise): OUTPUT_BUCKET is another bucket. Shipped lab: default.
2. One bucket, a prefix filter the output does not match: trigger on uploads/, write to resized/. Shipped lab: same-bucket-prefix.
3. A handler that skips its own output: mark what it writes (x-amz-meta-resized-by) and skip marked objects (SKIP_RESIZED=true). Shipped lab: skip-own-output.

Try one: lambdalab --lab same-bucket-prefix`

// reflow wraps text to w cells. Lines of a paragraph are joined and
// wrapped again (notes in YAML break lines where the author's editor did);
// a list item ("1. ", "- ") starts a new line and its continuation lines
// hang under its text. Lines break at spaces only.
func reflow(text string, w int) string {
	var out []string
	var para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		first := para[0]
		indent := len(first) - len(strings.TrimLeft(first, " "))
		hang := indent + listMarker(first[indent:])
		words := strings.Join(para, " ")[indent:]
		lines := wrapWords(words, w-indent, w-hang)
		for i, l := range lines {
			pad := indent
			if i > 0 {
				pad = hang
			}
			out = append(out, strings.Repeat(" ", pad)+l)
		}
		para = nil
	}
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
			out = append(out, "")
		case listMarker(trimmed) > 0 || len(para) == 0:
			flush()
			para = []string{strings.TrimRight(line, " ")}
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	return strings.Join(out, "\n")
}

// listMarker is the width of a list marker ("1. ", "- ", "* ") at the start
// of s, or 0.
func listMarker(s string) int {
	if strings.HasPrefix(s, "- ") || strings.HasPrefix(s, "* ") {
		return 2
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && strings.HasPrefix(s[i:], ". ") {
		return i + 2
	}
	return 0
}

// wrapText wraps s at spaces to lines of at most w cells.
func wrapText(s string, w int) string { return strings.Join(wrapWords(s, w, w), "\n") }

// wrapWords wraps s at spaces: the first line to first cells, the others
// to rest. A word longer than a whole line is broken.
func wrapWords(s string, first, rest int) []string {
	var lines []string
	line, w := "", max(first, 1)
	var fields []string
	for _, word := range strings.Fields(s) {
		if n := max(rest, 1); ansi.StringWidth(word) > n {
			fields = append(fields, strings.Split(ansi.Wrap(word, n, "/-"), "\n")...)
			continue
		}
		fields = append(fields, word)
	}
	for _, word := range fields {
		if line != "" && ansi.StringWidth(line)+1+ansi.StringWidth(word) > w {
			lines = append(lines, line)
			line, w = word, max(rest, 1)
			continue
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}
