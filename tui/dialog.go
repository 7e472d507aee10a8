package tui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// dialog is a modal form over the panes. Update reports whether the dialog
// is finished (submitted or cancelled).
type dialog interface {
	Update(msg tea.Msg) (done bool, cmd tea.Cmd)
	View(width int) string
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
}

func newInputDialog(c *Common, title, prompt, value string, intro ...string) *inputDialog {
	in := newTextInput()
	in.Prompt = prompt
	in.SetValue(value)
	in.Focus()
	in.SetWidth(48)
	return &inputDialog{c: c, title: title, intro: intro, input: in}
}

func (d *inputDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return true, nil
		case "enter":
			if d.check != nil {
				if d.problem = d.check(d.input.Value()); d.problem != "" {
					return false, nil
				}
			}
			return true, d.submit(d.input.Value())
		case "tab":
			if d.complete != nil {
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
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	if d.check != nil {
		d.problem = d.check(d.input.Value())
	}
	return false, cmd
}

func (d *inputDialog) View(width int) string {
	st := d.c.Styles
	w := min(max(width-6, 20), 72)
	d.input.SetWidth(w - lipgloss.Width(d.input.Prompt) - 1)
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render(d.title))
	for _, l := range d.intro {
		b.WriteString("\n" + st.Dim.Render(l))
	}
	b.WriteString("\n\n" + d.input.View())
	if len(d.choices) > 0 {
		b.WriteString("\n" + st.Dim.Render(fit(strings.Join(d.choices, "  "), w)))
	}
	switch {
	case d.problem != "":
		b.WriteString("\n" + st.MessageErr.Render(d.problem))
	case d.check != nil && d.input.Value() != "":
		b.WriteString("\n" + st.Message.Render("✓"))
	default:
		b.WriteString("\n")
	}
	b.WriteString("\n" + st.Dim.Render("enter confirm · esc cancel"))
	if d.complete != nil {
		b.WriteString(st.Dim.Render(" · tab complete"))
	}
	return st.Dialog.Width(w + 4).Render(b.String())
}

// textDialog shows text (help, the safe patterns) until esc or enter.
type textDialog struct {
	c     *Common
	title string
	body  string
}

func (d *textDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc", "enter", "q", "?", "s":
			return true, nil
		}
	}
	return false, nil
}

func (d *textDialog) View(width int) string {
	st := d.c.Styles
	w := min(max(width-6, 20), 86)
	return st.Dialog.Width(w + 4).Render(st.DialogTitle.Render(d.title) + "\n\n" + d.body + "\n\n" + st.Dim.Render("esc close"))
}

// safePatterns is the lesson of a stopped loop.
const safePatterns = `A function that writes into the bucket that triggers it invokes itself
again and again. Lambda stopped this chain after 16 invocations; on AWS
you would also get an email. Three ways out:

1. A separate output bucket (the exercise): OUTPUT_BUCKET is another
   bucket. Shipped lab: default.
2. One bucket, a prefix filter the output does not match: trigger on
   uploads/, write to resized/. Shipped lab: same-bucket-prefix.
3. A handler that skips its own output: mark what it writes
   (x-amz-meta-resized-by) and skip marked objects (SKIP_RESIZED=true).
   Shipped lab: skip-own-output.

Try one: lambdalab --lab same-bucket-prefix`

func wrapText(s string, w int) string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && len(line)+1+len(word) > w {
			lines = append(lines, line)
			line = word
			continue
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return strings.Join(append(lines, line), "\n")
}
