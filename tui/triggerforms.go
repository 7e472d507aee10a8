package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/lambdalab/lambdalab/emulator"
)

// triggerEvents are the event types the trigger form offers.
var triggerEvents = []string{
	"s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
	"s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete",
	"s3:ObjectRemoved:DeleteMarkerCreated",
}

// triggerDialog adds an S3 trigger, as the console's Add trigger form does:
// function, event types, prefix, suffix, and the recursive-invocation
// acknowledgement when the function writes to the bucket.
type triggerDialog struct {
	c        *Common
	bucket   string
	fnIndex  int
	events   map[string]bool
	evCursor int
	prefix   textinput.Model
	suffix   textinput.Model
	ack      bool
	field    int // 0 function, 1 events, 2 prefix, 3 suffix, 4 acknowledge
	problem  string
	// adding is set while S3 has the new configuration: the form stays
	// open until it answers, to show a refusal whole.
	adding bool
	// risk is the recursive-invocation warning for the chosen function,
	// asked of the lab when the function changes (View asks nothing).
	risk string
	w, h int
}

func newTriggerDialog(c *Common, bucket, function string) *triggerDialog {
	d := &triggerDialog{c: c, bucket: bucket, events: map[string]bool{"s3:ObjectCreated:*": true}}
	for i, f := range c.State.Functions {
		if f == function {
			d.fnIndex = i
		}
	}
	d.prefix, d.suffix = newTextInput(), newTextInput()
	d.prefix.Prompt, d.suffix.Prompt = "", ""
	d.prefix.Placeholder, d.suffix.Placeholder = "e.g. uploads/", "e.g. .jpg"
	d.risk = d.c.Src.triggerRisk(d.bucket, d.function())
	d.SetSize(MinWidth, MinHeight)
	return d
}

func (d *triggerDialog) SetSize(w, h int) {
	d.w, d.h = min(max(w-6, 30), 72), h
	d.prefix.SetWidth(max(d.w-13, 10))
	d.suffix.SetWidth(max(d.w-13, 10))
}

func (d *triggerDialog) function() string {
	if len(d.c.State.Functions) == 0 {
		return ""
	}
	return d.c.State.Functions[d.fnIndex]
}

func (d *triggerDialog) fields() int {
	if d.risk != "" {
		return 5
	}
	return 4
}

func (d *triggerDialog) focusField() {
	d.prefix.Blur()
	d.suffix.Blur()
	switch d.field {
	case 2:
		d.prefix.Focus()
	case 3:
		d.suffix.Focus()
	}
}

func (d *triggerDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	k := d.c.Keys
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	switch {
	case key.Matches(kp, k.Cancel):
		return true, nil
	case d.adding:
		return false, nil // S3 has not answered yet
	case key.Matches(kp, k.Confirm):
		return d.submit()
	case key.Matches(kp, k.ArrowDown) && d.field == 1 && d.evCursor < len(triggerEvents)-1:
		d.evCursor++
		return false, nil
	case key.Matches(kp, k.ArrowUp) && d.field == 1 && d.evCursor > 0:
		d.evCursor--
		return false, nil
	case key.Matches(kp, k.NextField, k.ArrowDown):
		d.field = (d.field + 1) % d.fields()
		d.focusField()
		return false, nil
	case key.Matches(kp, k.PrevField, k.ArrowUp):
		d.field = (d.field + d.fields() - 1) % d.fields()
		d.focusField()
		return false, nil
	}
	switch d.field {
	case 0:
		n := max(len(d.c.State.Functions), 1)
		switch {
		case key.Matches(kp, k.Left):
			d.fnIndex = (d.fnIndex + n - 1) % n
		case key.Matches(kp, k.Right, k.Toggle):
			d.fnIndex = (d.fnIndex + 1) % n
		}
		d.ack = false
		d.risk = d.c.Src.triggerRisk(d.bucket, d.function())
	case 1:
		if key.Matches(kp, k.Toggle) {
			e := triggerEvents[d.evCursor]
			d.events[e] = !d.events[e]
		}
	case 2:
		var cmd tea.Cmd
		d.prefix, cmd = d.prefix.Update(kp)
		return false, cmd
	case 3:
		var cmd tea.Cmd
		d.suffix, cmd = d.suffix.Update(kp)
		return false, cmd
	case 4:
		if key.Matches(kp, k.Toggle) {
			d.ack = !d.ack
		}
	}
	return false, nil
}

func (d *triggerDialog) chosenEvents() []string {
	var out []string
	for _, e := range triggerEvents {
		if d.events[e] {
			out = append(out, e)
		}
	}
	return out
}

func (d *triggerDialog) submit() (bool, tea.Cmd) {
	fn := d.function()
	events := d.chosenEvents()
	switch {
	case fn == "":
		d.problem = "the lab has no function"
		return false, nil
	case len(events) == 0:
		d.problem = "choose at least one event type (space toggles)"
		return false, nil
	case d.risk != "" && !d.ack:
		d.problem = "acknowledge the recursive-invocation risk first (space on the checkbox)"
		return false, nil
	}
	src, bucket := d.c.Src, d.bucket
	prefix, suffix := d.prefix.Value(), d.suffix.Value()
	arn := aws.ToString(d.c.State.Configs[fn].FunctionArn)
	d.adding, d.problem = true, ""
	return false, func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		t := emulator.Trigger{FunctionARN: arn, Events: events, Prefix: prefix, Suffix: suffix}
		if err := emulator.AddTrigger(c, src.Clients, bucket, t); err != nil {
			return triggerAddedMsg{d: d, err: fmt.Errorf("add trigger: %s", apiMessage(err))}
		}
		return src.after(triggerAddedMsg{d: d, text: fmt.Sprintf("trigger added: %s %s → %s", bucket, strings.Join(events, ","), fn)})
	}
}

// triggerAddedMsg is S3's answer to the trigger form d.
type triggerAddedMsg struct {
	d    *triggerDialog
	text string
	err  error
}

// handleTriggerAdded closes the trigger form on success; a refusal stays
// in the form, whole, where the user can change what S3 refused.
func (m *Model) handleTriggerAdded(msg triggerAddedMsg) {
	msg.d.adding = false
	open := m.dialog == dialog(msg.d)
	switch {
	case msg.err != nil && open:
		msg.d.problem = msg.err.Error()
	case msg.err != nil:
		m.setMessage(msg.err.Error(), true)
	default:
		if open {
			m.dialog = nil
		}
		m.setMessage(msg.text, false)
	}
}

func (d *triggerDialog) View() string {
	st := d.c.Styles
	head := st.DialogTitle.Render("Add trigger · S3 bucket "+d.bucket) + "\n\n" +
		d.cursor(0) + "Function   " + st.Bold.Render("◂ "+d.function()+" ▸")
	tail := d.tail()
	// The event list takes the room the rest leaves: all of it when it
	// fits (and no warning needs the room), else one line, or, with the
	// focus, a window around its cursor.
	room := d.h - 2 - lipgloss.Height(head) - lipgloss.Height(tail)
	return st.Dialog.Width(d.w + dialogChrome).Render(head + "\n" + d.eventLines(room) + "\n" + tail)
}

func (d *triggerDialog) cursor(field int) string {
	if d.field == field {
		return d.c.Styles.Checkbox.Render("▸ ")
	}
	return "  "
}

// eventLines is the event field in at most room lines.
func (d *triggerDialog) eventLines(room int) string {
	st := d.c.Styles
	all := len(triggerEvents) + 1
	if d.field != 1 && (d.risk != "" || all > room) {
		var chosen []string
		for _, e := range triggerEvents {
			if d.events[e] {
				chosen = append(chosen, e)
			}
		}
		return d.cursor(1) + fit("Events     "+strings.Join(chosen, ", "), d.w-2)
	}
	rows := min(len(triggerEvents), max(room-1, 3))
	first := min(max(d.evCursor-rows/2, 0), len(triggerEvents)-rows)
	lines := []string{d.cursor(1) + "Events"}
	for i := first; i < first+rows; i++ {
		e := triggerEvents[i]
		box := "[ ]"
		if d.events[e] {
			box = "[x]"
		}
		line := "    " + box + " " + e
		if d.field == 1 && i == d.evCursor {
			line = st.RowCursor.Render(line)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// tail is the form below the events: prefix, suffix, the recursion
// warning and its acknowledgement, S3's answer, the keys.
func (d *triggerDialog) tail() string {
	st := d.c.Styles
	k := d.c.Keys
	w := d.w
	var b strings.Builder
	b.WriteString(d.cursor(2) + "Prefix     " + d.prefix.View())
	b.WriteString("\n" + d.cursor(3) + "Suffix     " + d.suffix.View())
	switch risk := d.risk; {
	case risk != "" && d.field == 1:
		b.WriteString("\n\n" + st.Warning.Render(fit("Recursive invocation risk: read and acknowledge it below (tab).", w)))
	case risk != "":
		// The warning's first sentence says what is at risk here; the
		// acknowledgement below it is the console's text on why.
		if i := strings.Index(risk, ". "); i > 0 {
			risk = risk[:i+1]
		}
		b.WriteString("\n\n" + st.Warning.Render(wrapText(risk, w)))
		box := "[ ]"
		if d.ack {
			box = "[x]"
		}
		// The console's own acknowledgement.
		ack := wrapText("I acknowledge that using the same S3 bucket for both input and output is not recommended and that this configuration can cause recursive invocations, increased Lambda usage, and increased costs.", max(w-6, 20))
		b.WriteString("\n" + d.cursor(4) + st.Checkbox.Render(box) + " " + strings.ReplaceAll(ack, "\n", "\n      "))
	}
	switch {
	case d.adding:
		b.WriteString("\n\n" + st.Dim.Render("adding…"))
	case d.problem != "":
		b.WriteString("\n\n" + st.MessageErr.Render(wrapText(d.problem, w)))
	}
	b.WriteString("\n\n" + keyHelp(d.c, w, as(k.NextField, "field"), either(k.Left, k.Right, "function"), k.Toggle, as(k.Confirm, "add"), k.Cancel))
	return b.String()
}

// removeTriggerDialog removes one of a bucket's triggers.
type removeTriggerDialog struct {
	c       *Common
	bucket  string
	configs []types.LambdaFunctionConfiguration
	rows    []triggerRow // configs, read
	rest    types.NotificationConfiguration
	cursor  int
	w       int
}

func (d *removeTriggerDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	k := d.c.Keys
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	switch {
	case key.Matches(kp, k.Cancel):
		return true, nil
	case key.Matches(kp, k.Up):
		d.cursor = max(d.cursor-1, 0)
	case key.Matches(kp, k.Down):
		d.cursor = min(d.cursor+1, len(d.configs)-1)
	case key.Matches(kp, k.Confirm):
		if len(d.configs) == 0 {
			return true, nil
		}
		keep := append(append([]types.LambdaFunctionConfiguration{}, d.configs[:d.cursor]...), d.configs[d.cursor+1:]...)
		src, bucket, removed := d.c.Src, d.bucket, aws.ToString(d.configs[d.cursor].Id)
		rest := d.rest
		return true, func() tea.Msg {
			c, cancel := ctx()
			defer cancel()
			rest.LambdaFunctionConfigurations = keep
			if _, err := src.Clients.S3.PutBucketNotificationConfiguration(c, &s3.PutBucketNotificationConfigurationInput{
				Bucket: aws.String(bucket), NotificationConfiguration: &rest}); err != nil {
				return resultMsg{err: fmt.Errorf("remove trigger: %s", apiMessage(err))}
			}
			return src.after(resultMsg{text: "trigger " + removed + " removed from " + bucket})
		}
	}
	return false, nil
}

func (d *removeTriggerDialog) SetSize(w, _ int) { d.w = min(max(w-6, 30), 72) }

func (d *removeTriggerDialog) View() string {
	st := d.c.Styles
	k := d.c.Keys
	w := d.w
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render("Remove trigger · S3 bucket " + d.bucket))
	if len(d.configs) == 0 {
		b.WriteString("\n\n" + st.Dim.Render("This bucket has no triggers."))
	}
	// What a trigger does comes first; S3's generated id (often a long
	// base64 string) goes on its own line, cut to fit.
	for i, t := range d.rows {
		what := t.target() + " ← " + strings.Join(t.Events, ", ")
		what += t.filter()
		marker := "  "
		if i == d.cursor {
			marker = st.Checkbox.Render("▸ ")
		}
		b.WriteString("\n")
		for j, l := range wrapWords(what, w-2, w-4) {
			switch {
			case j > 0:
				l = "    " + l
			case i == d.cursor:
				l = st.RowCursor.Render(l)
			}
			if j == 0 {
				l = marker + l
			}
			b.WriteString("\n" + l)
		}
		b.WriteString("\n" + st.Dim.Render(fit("    id "+t.ID, w)))
	}
	b.WriteString("\n\n" + keyHelp(d.c, w, as(k.Confirm, "remove"), k.Cancel))
	return st.Dialog.Width(w + dialogChrome).Render(b.String())
}

// loadRemoveTrigger reads a bucket's triggers for the remove dialog.
type removeTriggerLoadedMsg struct {
	bucket string
	d      *removeTriggerDialog
	err    error
}

func (src *Source) loadRemoveTrigger(c *Common, bucket string) tea.Cmd {
	return func() tea.Msg {
		cx, cancel := ctx()
		defer cancel()
		cur, err := src.Clients.S3.GetBucketNotificationConfiguration(cx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
		if err != nil {
			return removeTriggerLoadedMsg{bucket: bucket, err: fmt.Errorf("read triggers of %s: %s", bucket, apiMessage(err))}
		}
		d := &removeTriggerDialog{c: c, bucket: bucket, configs: cur.LambdaFunctionConfigurations,
			rest: types.NotificationConfiguration{QueueConfigurations: cur.QueueConfigurations, TopicConfigurations: cur.TopicConfigurations}}
		for _, l := range cur.LambdaFunctionConfigurations {
			d.rows = append(d.rows, newTriggerRow(l))
		}
		return removeTriggerLoadedMsg{bucket: bucket, d: d}
	}
}
