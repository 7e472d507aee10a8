package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/arn"
)

// layerVerifiedMsg answers a layer dialog's Verify: what the ARN names, or
// Lambda's error. asked numbers the verification it answers.
type layerVerifiedMsg struct {
	asked   int
	arn     string
	version layerVersion
	err     error
}

// layerVersion is what GetLayerVersionByArn says of a layer version.
type layerVersion struct {
	arn         string
	codeSize    int64
	description string
	runtimes    []string
	// standIn is set for a public layer the lab runs a stand-in for.
	standIn bool
}

// layerAddedMsg answers the dialog's Add.
type layerAddedMsg struct {
	asked int
	err   error
}

// layerDialog adds a layer to a function by ARN, as the Lambda console's
// "Add a layer → Specify an ARN" does: Verify resolves the ARN and shows
// what it is (or Lambda's error) before Add puts it after the function's
// layers.
type layerDialog struct {
	c        *Common
	function string
	current  []string
	input    textinput.Model
	asked    int
	busy     string // what is running: "verifying…", "adding…"
	verified *layerVersion
	problem  string
	w        int
}

func newLayerDialog(c *Common, function string, current []string) *layerDialog {
	in := newTextInput()
	in.Prompt = "ARN: "
	in.Placeholder = "arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION"
	in.Focus()
	d := &layerDialog{c: c, function: function, current: current, input: in}
	d.SetSize(MinWidth, MinHeight)
	return d
}

func (d *layerDialog) SetSize(w, _ int) {
	d.w = min(max(w-6, 30), 90)
	d.input.SetWidth(d.w - lipgloss.Width(d.input.Prompt) - 1)
}

// keys are the dialog's keys now: enter verifies an ARN, and adds one
// verified.
func (d *layerDialog) keys() []key.Binding {
	k := d.c.Keys
	enter := as(k.Confirm, "verify")
	if d.verified != nil {
		enter = as(k.Confirm, "add")
	}
	return []key.Binding{enter, k.Cancel}
}

func (d *layerDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	k := d.c.Keys
	switch msg := msg.(type) {
	case layerVerifiedMsg:
		if msg.asked == d.asked && d.busy != "" {
			d.busy = ""
			if msg.err != nil {
				d.problem = msg.err.Error()
			} else {
				d.verified = &msg.version
			}
		}
		return false, nil
	case layerAddedMsg:
		if msg.asked != d.asked || d.busy == "" {
			return false, nil
		}
		d.busy = ""
		if msg.err != nil {
			d.problem = msg.err.Error()
			return false, nil
		}
		text := fmt.Sprintf("added layer %s to %s; new environments get it", strings.TrimSpace(d.input.Value()), d.function)
		function := d.function
		return true, func() tea.Msg { return resultMsg{text: text, function: function} }
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Cancel):
			return true, nil
		case d.busy != "":
			return false, nil
		case key.Matches(msg, k.Confirm) && d.verified != nil:
			return false, d.add()
		case key.Matches(msg, k.Confirm):
			return false, d.verify()
		}
	}
	before := d.input.Value()
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	if d.input.Value() != before {
		d.verified, d.problem = nil, ""
	}
	return false, cmd
}

// verify asks Lambda what the ARN names (GetLayerVersionByArn): for a
// public layer the lab builds its stand-in the first time, which takes a
// moment.
func (d *layerDialog) verify() tea.Cmd {
	layerARN := strings.TrimSpace(d.input.Value())
	if layerARN == "" {
		d.problem = "type a layer version ARN, e.g. " + emulator.KlayersPillow + " (the exercise's Pillow)"
		return nil
	}
	d.asked++
	d.busy, d.problem = "verifying…", ""
	asked, src := d.asked, d.c.Src
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		out, err := src.Clients.Lambda.GetLayerVersionByArn(c, &lambdasdk.GetLayerVersionByArnInput{Arn: aws.String(layerARN)})
		if err != nil {
			return layerVerifiedMsg{asked: asked, arn: layerARN, err: errors.New(apiMessage(err))}
		}
		v := layerVersion{arn: aws.ToString(out.LayerVersionArn), description: aws.ToString(out.Description),
			standIn: slices.Contains(emulator.StandIns(), layerARN)}
		if out.Content != nil {
			v.codeSize = out.Content.CodeSize
		}
		for _, r := range out.CompatibleRuntimes {
			v.runtimes = append(v.runtimes, string(r))
		}
		return layerVerifiedMsg{asked: asked, arn: layerARN, version: v}
	}
}

// add gives the function its layers and this one, as
// UpdateFunctionConfiguration --layers does.
func (d *layerDialog) add() tea.Cmd {
	d.asked++
	d.busy, d.problem = "adding…", ""
	asked, src := d.asked, d.c.Src
	in := &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String(d.function),
		Layers: append(slices.Clone(d.current), strings.TrimSpace(d.input.Value()))}
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		return src.after(layerAddedMsg{asked: asked, err: src.updateConfiguration(c, in)})
	}
}

func (d *layerDialog) View() string {
	st := d.c.Styles
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render("Add a layer · " + d.function))
	b.WriteString("\n" + st.Dim.Render(wrapText(fmt.Sprintf("Layers: %d of 5. Specify a layer version ARN: one `lambdalab layer publish` printed, or a public one such as Klayers' (lambdalab builds a stand-in from this machine).", len(d.current)), d.w)))
	b.WriteString("\n\n" + d.input.View() + "\n")
	switch {
	case d.busy != "":
		b.WriteString("\n" + st.Dim.Render(d.busy))
	case d.problem != "":
		b.WriteString("\n" + st.MessageErr.Render(wrapText(d.problem, d.w)))
	case d.verified != nil:
		b.WriteString("\n" + d.verifiedText())
	}
	b.WriteString("\n" + keyHelp(d.c, d.w, d.keys()...))
	return st.Dialog.Width(d.w + dialogChrome).Render(b.String())
}

// verifiedText says what the verified ARN is, as the console does under
// the field: the layer, its version, what it holds.
func (d *layerDialog) verifiedText() string {
	st := d.c.Styles
	v := d.verified
	name := v.arn
	if l, err := arn.ParseLayer(v.arn); err == nil {
		name = fmt.Sprintf("%s:%d", l.Name, l.Version)
	}
	lines := []string{st.Message.Render("✓ " + fmt.Sprintf("%s · %s", name, humanSize(v.codeSize)))}
	style := st.Dim
	if v.standIn {
		style = st.Warning
	}
	if v.description != "" {
		lines = append(lines, style.Render(wrapText(v.description, d.w)))
	}
	if len(v.runtimes) > 0 {
		lines = append(lines, st.Dim.Render("Compatible runtimes: "+strings.Join(v.runtimes, ", ")))
	}
	return strings.Join(lines, "\n")
}
