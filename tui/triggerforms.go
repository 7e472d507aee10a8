package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
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
	// risk is the recursive-invocation warning for the chosen function,
	// asked of the lab when the function changes (View asks nothing).
	risk string
	w    int
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
	d.risk = d.c.Src.Lab.TriggerRisk(d.bucket, d.function())
	d.SetSize(MinWidth, MinHeight)
	return d
}

func (d *triggerDialog) SetSize(w, _ int) {
	d.w = min(max(w-6, 30), 72)
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
		d.risk = d.c.Src.Lab.TriggerRisk(d.bucket, d.function())
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
	arn := src.Lab.Lambda().ARN(fn)
	return true, func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		t := emulator.Trigger{FunctionARN: arn, Events: events, Prefix: prefix, Suffix: suffix}
		if err := emulator.AddTrigger(c, src.Client, bucket, t); err != nil {
			return resultMsg{err: fmt.Errorf("add trigger: %s", apiMessage(err))}
		}
		return src.after(resultMsg{text: fmt.Sprintf("trigger added: %s %s → %s", bucket, strings.Join(events, ","), fn)})
	}
}

func (d *triggerDialog) View() string {
	st := d.c.Styles
	k := d.c.Keys
	w := d.w
	cursor := func(i int) string {
		if d.field == i {
			return st.Checkbox.Render("▸ ")
		}
		return "  "
	}
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render("Add trigger · S3 bucket " + d.bucket))
	b.WriteString("\n\n" + cursor(0) + "Function   " + st.Bold.Render("◂ "+d.function()+" ▸"))
	// With a recursion warning the form would not fit 24 rows: the event
	// list folds to one line unless it has the focus, and then the warning
	// folds instead.
	risk := d.risk
	if risk != "" && d.field != 1 {
		var chosen []string
		for _, e := range triggerEvents {
			if d.events[e] {
				chosen = append(chosen, e)
			}
		}
		b.WriteString("\n" + cursor(1) + fit("Events     "+strings.Join(chosen, ", "), w-2))
	} else {
		b.WriteString("\n" + cursor(1) + "Events")
		for i, e := range triggerEvents {
			box := "[ ]"
			if d.events[e] {
				box = "[x]"
			}
			line := "    " + box + " " + e
			if d.field == 1 && i == d.evCursor {
				line = st.RowCursor.Render(line)
			}
			b.WriteString("\n" + line)
		}
	}
	b.WriteString("\n" + cursor(2) + "Prefix     " + d.prefix.View())
	b.WriteString("\n" + cursor(3) + "Suffix     " + d.suffix.View())
	switch {
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
		b.WriteString("\n" + cursor(4) + st.Checkbox.Render(box) + " " + strings.ReplaceAll(ack, "\n", "\n      "))
	}
	if d.problem != "" {
		b.WriteString("\n\n" + st.MessageErr.Render(wrapText(d.problem, w)))
	}
	b.WriteString("\n\n" + keyHelp(d.c, w, as(k.NextField, "field"), as(k.Left, "function"), k.Toggle, as(k.Confirm, "add"), k.Cancel))
	return st.Dialog.Width(w + dialogChrome).Render(b.String())
}

// removeTriggerDialog removes one of a bucket's triggers.
type removeTriggerDialog struct {
	c       *Common
	bucket  string
	configs []types.LambdaFunctionConfiguration
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
			if _, err := src.Client.PutBucketNotificationConfiguration(c, &s3.PutBucketNotificationConfigurationInput{
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
	for i, l := range d.configs {
		var evs []string
		for _, e := range l.Events {
			evs = append(evs, string(e))
		}
		line := fit(fmt.Sprintf("%s → %s  %s", aws.ToString(l.Id), newTriggerRow(l).target(), strings.Join(evs, ",")), w)
		if i == d.cursor {
			line = st.RowCursor.Render(line)
		}
		b.WriteString("\n" + line)
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
		cur, err := src.Client.GetBucketNotificationConfiguration(cx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
		if err != nil {
			return removeTriggerLoadedMsg{bucket: bucket, err: fmt.Errorf("read triggers of %s: %s", bucket, apiMessage(err))}
		}
		d := &removeTriggerDialog{c: c, bucket: bucket, configs: cur.LambdaFunctionConfigurations,
			rest: types.NotificationConfiguration{QueueConfigurations: cur.QueueConfigurations, TopicConfigurations: cur.TopicConfigurations}}
		return removeTriggerLoadedMsg{bucket: bucket, d: d}
	}
}
