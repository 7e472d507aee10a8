package tui

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// functionAction is a function's action key whose dialog opens once the
// function is read: its configuration (and, for the policy, its role's).
type functionAction int

const (
	actEdit functionAction = iota
	actPolicy
	actLayer
)

// functionActionMsg answers prepareAction: what the dialog starts from.
type functionActionMsg struct {
	action   functionAction
	function string
	conf     lambdatypes.FunctionConfiguration
	policy   rolePolicy
	err      error
}

// prepareAction reads what action's dialog shows of function, as the
// console does before it shows an edit page.
func (src *Source) prepareAction(action functionAction, function string) tea.Cmd {
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		msg := functionActionMsg{action: action, function: function}
		out, err := src.Clients.Lambda.GetFunction(c, &lambdasdk.GetFunctionInput{FunctionName: aws.String(function)})
		if err != nil {
			msg.err = fmt.Errorf("%s: %s", function, apiMessage(err))
			return msg
		}
		msg.conf = *out.Configuration
		if action == actPolicy {
			msg.policy, msg.err = src.rolePolicy(c, aws.ToString(msg.conf.Role))
		}
		return msg
	}
}

// functionSavedMsg answers the function form's save; asked numbers the
// save it answers.
type functionSavedMsg struct {
	asked int
	err   error
}

// functionDialog edits a function's memory, timeout and environment.
type functionDialog struct {
	c       *Common
	name    string
	memory  textinput.Model
	timeout textinput.Model
	env     textarea.Model
	field   int
	problem string
	asked   int
	saving  bool
	w       int
}

func newFunctionDialog(c *Common, name string, cfg lambdatypes.FunctionConfiguration) *functionDialog {
	d := &functionDialog{c: c, name: name, memory: newTextInput(), timeout: newTextInput(), env: newTextArea()}
	d.memory.Prompt, d.timeout.Prompt = "", ""
	d.memory.SetValue(strconv.Itoa(int(aws.ToInt32(cfg.MemorySize))))
	d.timeout.SetValue((time.Duration(aws.ToInt32(cfg.Timeout)) * time.Second).String())
	var vars map[string]string
	if cfg.Environment != nil {
		vars = cfg.Environment.Variables
	}
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var lines []string
	for _, k := range keys {
		lines = append(lines, k+"="+vars[k])
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
	switch msg := msg.(type) {
	case functionSavedMsg:
		if msg.asked != d.asked || !d.saving {
			return false, nil
		}
		d.saving = false
		if msg.err != nil {
			d.problem = msg.err.Error()
			return false, nil
		}
		name := d.name
		return true, func() tea.Msg {
			return resultMsg{text: "updated " + name + "; new invocations get new environments", function: name}
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Cancel):
			return true, nil
		case d.saving:
			return false, nil
		case key.Matches(msg, k.NextField):
			d.field = (d.field + 1) % 3
			d.focus()
			return false, nil
		case key.Matches(msg, k.PrevField):
			d.field = (d.field + 2) % 3
			d.focus()
			return false, nil
		case key.Matches(msg, k.Save):
			return false, d.save()
		case key.Matches(msg, k.Confirm) && d.field != 2:
			// In the environment, enter starts a new line.
			return false, d.save()
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

// save checks what the form can (numbers, KEY=value lines) and sends the
// rest to Lambda, which checks the values as AWS does.
func (d *functionDialog) save() tea.Cmd {
	mem, err := strconv.Atoi(strings.TrimSpace(d.memory.Value()))
	if err != nil {
		d.problem = "memory: a whole number of MB, 128 to 10240"
		return nil
	}
	timeout, err := time.ParseDuration(strings.TrimSpace(d.timeout.Value()))
	if err != nil || timeout%time.Second != 0 {
		d.problem = "timeout: whole seconds, such as 3s or 1m"
		return nil
	}
	env := map[string]string{}
	for _, line := range strings.Split(d.env.Value(), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			d.problem = fmt.Sprintf("environment line %q: write KEY=value", line)
			return nil
		}
		env[strings.TrimSpace(k)] = v
	}
	d.asked++
	d.saving, d.problem = true, ""
	in := &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String(d.name), MemorySize: aws.Int32(int32(mem)),
		Timeout: aws.Int32(int32(timeout / time.Second)), Environment: &lambdatypes.Environment{Variables: env}}
	asked, src := d.asked, d.c.Src
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		return src.after(functionSavedMsg{asked: asked, err: src.updateConfiguration(c, in)})
	}
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
	switch {
	case d.saving:
		b.WriteString("\n" + st.Dim.Render("saving…"))
	case d.problem != "":
		b.WriteString("\n" + st.MessageErr.Render(wrapText(d.problem, w)))
	}
	b.WriteString("\n" + keyHelp(d.c, w, as(k.NextField, "field"), k.Save, k.Cancel))
	return st.Dialog.Width(w + dialogChrome).Render(b.String())
}

// policySavedMsg answers the policy dialog's save; asked numbers the save
// it answers.
type policySavedMsg struct {
	asked int
	err   error
}

// policyDialog shows and edits a function role's policy, as the IAM
// console's "Edit policy": PutRolePolicy saves it.
type policyDialog struct {
	c        *Common
	function string
	rolePolicy
	editor  textarea.Model
	problem string
	asked   int
	saving  bool
	w       int
}

func newPolicyDialog(c *Common, function string, rp rolePolicy) *policyDialog {
	d := &policyDialog{c: c, function: function, rolePolicy: rp, editor: newTextArea()}
	d.editor.ShowLineNumbers = true
	d.editor.SetHeight(14)
	d.editor.SetValue(rp.policy)
	// SetValue leaves the cursor after the last character, below the lines
	// shown: typing would land out of sight. Start where the eye does.
	d.editor.MoveToBegin()
	d.editor.Focus()
	return d
}

func (d *policyDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	k := d.c.Keys
	switch msg := msg.(type) {
	case policySavedMsg:
		if msg.asked != d.asked || !d.saving {
			return false, nil
		}
		d.saving = false
		if msg.err != nil {
			d.problem = msg.err.Error()
			return false, nil
		}
		role, function := d.role, d.function
		return true, func() tea.Msg {
			return resultMsg{text: "policy of " + role + " saved; it applies to the next S3 call", function: function}
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Cancel):
			return true, nil
		case d.saving:
			return false, nil
		case key.Matches(msg, k.Save):
			return false, d.save()
		}
	}
	var cmd tea.Cmd
	d.editor, cmd = d.editor.Update(msg)
	return false, cmd
}

// save puts the document as the role's inline policy; IAM checks it.
func (d *policyDialog) save() tea.Cmd {
	d.asked++
	d.saving, d.problem = true, ""
	in := &iamsdk.PutRolePolicyInput{RoleName: aws.String(d.role), PolicyName: aws.String(d.policyName),
		PolicyDocument: aws.String(d.editor.Value())}
	asked, src := d.asked, d.c.Src
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		_, err := src.Clients.IAM.PutRolePolicy(c, in)
		if err != nil {
			err = errors.New(apiMessage(err))
		}
		return src.after(policySavedMsg{asked: asked, err: err})
	}
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
	switch {
	case d.saving:
		b.WriteString("\n" + st.Dim.Render("saving…"))
	case d.problem != "":
		b.WriteString("\n" + st.MessageErr.Render(wrapText(d.problem, w)))
	}
	b.WriteString("\n" + keyHelp(d.c, w, k.Save, k.Cancel))
	return st.Dialog.Width(w + dialogChrome).Render(b.String())
}
