package tui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/lambdalab/lambdalab/emulator/lambda"
)

// functionDialog edits a function's memory, timeout and environment.
type functionDialog struct {
	c       *Common
	name    string
	memory  textinput.Model
	timeout textinput.Model
	env     textarea.Model
	field   int
	problem string
	w       int
}

func newFunctionDialog(c *Common, name string) *functionDialog {
	cfg, _ := c.Src.Lab.Lambda().Config(name)
	d := &functionDialog{c: c, name: name, memory: newTextInput(), timeout: newTextInput(), env: newTextArea()}
	d.memory.Prompt, d.timeout.Prompt = "", ""
	d.memory.SetValue(strconv.Itoa(cfg.Memory))
	d.timeout.SetValue(cfg.Timeout.String())
	keys := make([]string, 0, len(cfg.Environment))
	for k := range cfg.Environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var lines []string
	for _, k := range keys {
		lines = append(lines, k+"="+cfg.Environment[k])
	}
	d.env.SetValue(strings.Join(lines, "\n"))
	d.env.SetHeight(5)
	d.env.ShowLineNumbers = false
	d.memory.Focus()
	d.SetSize(MinWidth, MinHeight)
	return d
}

func (d *functionDialog) SetSize(w, _ int) {
	d.w = min(max(w-6, 30), 72)
	d.env.SetWidth(d.w)
}

func (d *functionDialog) focus() {
	d.memory.Blur()
	d.timeout.Blur()
	d.env.Blur()
	switch d.field {
	case 0:
		d.memory.Focus()
	case 1:
		d.timeout.Focus()
	case 2:
		d.env.Focus()
	}
}

func (d *functionDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	k := d.c.Keys
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, k.Cancel):
			return true, nil
		case key.Matches(kp, k.NextField):
			d.field = (d.field + 1) % 3
			d.focus()
			return false, nil
		case key.Matches(kp, k.PrevField):
			d.field = (d.field + 2) % 3
			d.focus()
			return false, nil
		case key.Matches(kp, k.Save):
			return d.save()
		case key.Matches(kp, k.Confirm) && d.field != 2:
			// In the environment, enter starts a new line.
			return d.save()
		}
	}
	var cmd tea.Cmd
	switch d.field {
	case 0:
		d.memory, cmd = d.memory.Update(msg)
	case 1:
		d.timeout, cmd = d.timeout.Update(msg)
	default:
		d.env, cmd = d.env.Update(msg)
	}
	return false, cmd
}

func (d *functionDialog) save() (bool, tea.Cmd) {
	mem, err := strconv.Atoi(strings.TrimSpace(d.memory.Value()))
	if err != nil {
		d.problem = "memory: a whole number of MB, 128 to 10240"
		return false, nil
	}
	timeout, err := time.ParseDuration(strings.TrimSpace(d.timeout.Value()))
	if err != nil {
		d.problem = "timeout: a duration such as 3s or 1m"
		return false, nil
	}
	env := map[string]string{}
	for _, line := range strings.Split(d.env.Value(), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			d.problem = fmt.Sprintf("environment line %q: write KEY=value", line)
			return false, nil
		}
		env[strings.TrimSpace(k)] = v
	}
	err = d.c.Src.Lab.UpdateFunction(d.name, func(c *lambda.Config) {
		c.Memory, c.Timeout, c.Environment = mem, timeout, env
	})
	if err != nil {
		d.problem = err.Error()
		return false, nil
	}
	name := d.name
	return true, func() tea.Msg { return resultMsg{text: "updated " + name + "; new invocations get new environments"} }
}

func (d *functionDialog) View() string {
	st := d.c.Styles
	k := d.c.Keys
	w := d.w
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render("Edit function " + d.name))
	b.WriteString("\n\nMemory (MB)  " + d.memory.View())
	b.WriteString("\nTimeout      " + d.timeout.View())
	b.WriteString("\nEnvironment (KEY=value, one per line)\n" + d.env.View())
	if d.problem != "" {
		b.WriteString("\n" + st.MessageErr.Render(wrapText(d.problem, w)))
	}
	b.WriteString("\n" + keyHelp(d.c, w, as(k.NextField, "field"), k.Save, k.Cancel))
	return st.Dialog.Width(w + dialogChrome).Render(b.String())
}

// policyDialog shows and edits a function role's policy.
type policyDialog struct {
	c        *Common
	function string
	role     string
	editor   textarea.Model
	problem  string
	w        int
}

func newPolicyDialog(c *Common, function string) *policyDialog {
	role, p := c.Src.Lab.RolePolicy(function)
	d := &policyDialog{c: c, function: function, role: role, editor: newTextArea()}
	d.editor.ShowLineNumbers = true
	d.editor.SetHeight(14)
	if p != nil {
		d.editor.SetValue(p.Source)
	}
	// SetValue leaves the cursor after the last character, below the lines
	// shown: typing would land out of sight. Start where the eye does.
	d.editor.MoveToBegin()
	d.editor.Focus()
	return d
}

func (d *policyDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	k := d.c.Keys
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, k.Cancel):
			return true, nil
		case key.Matches(kp, k.Save):
			if err := d.c.Src.Lab.SetRolePolicy(d.function, []byte(d.editor.Value())); err != nil {
				d.problem = err.Error()
				return false, nil
			}
			role := d.role
			return true, func() tea.Msg { return resultMsg{text: "policy of " + role + " saved; it applies to the next S3 call"} }
		}
	}
	var cmd tea.Cmd
	d.editor, cmd = d.editor.Update(msg)
	return false, cmd
}

func (d *policyDialog) SetSize(w, h int) {
	d.w = min(max(w-6, 30), 80)
	d.editor.SetWidth(d.w)
	// The frame (2), the title, the key line and a line for a problem.
	d.editor.SetHeight(max(min(14, h-5), 3))
}

func (d *policyDialog) View() string {
	st := d.c.Styles
	k := d.c.Keys
	w := d.w
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render("Role " + d.role + " · policy of " + d.function))
	b.WriteString("\n" + d.editor.View())
	if d.problem != "" {
		b.WriteString("\n" + st.MessageErr.Render(wrapText(d.problem, w)))
	}
	b.WriteString("\n" + keyHelp(d.c, w, k.Save, k.Cancel))
	return st.Dialog.Width(w + dialogChrome).Render(b.String())
}
