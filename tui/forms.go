package tui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator/lambda"
	s3srv "github.com/lambdalab/lambdalab/emulator/s3"
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
	return d
}

func (d *triggerDialog) function() string {
	if len(d.c.State.Functions) == 0 {
		return ""
	}
	return d.c.State.Functions[d.fnIndex]
}

func (d *triggerDialog) risk() string { return d.c.Src.Lab.TriggerRisk(d.bucket, d.function()) }

func (d *triggerDialog) fields() int {
	if d.risk() != "" {
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
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	switch k.String() {
	case "esc":
		return true, nil
	case "tab", "down":
		if k.String() == "down" && d.field == 1 && d.evCursor < len(triggerEvents)-1 {
			d.evCursor++
			return false, nil
		}
		d.field = (d.field + 1) % d.fields()
		d.focusField()
		return false, nil
	case "shift+tab", "up":
		if k.String() == "up" && d.field == 1 && d.evCursor > 0 {
			d.evCursor--
			return false, nil
		}
		d.field = (d.field + d.fields() - 1) % d.fields()
		d.focusField()
		return false, nil
	case "enter":
		return d.submit()
	}
	switch d.field {
	case 0:
		n := len(d.c.State.Functions)
		switch k.String() {
		case "left", "h":
			d.fnIndex = (d.fnIndex + n - 1) % max(n, 1)
		case "right", "l", "space":
			d.fnIndex = (d.fnIndex + 1) % max(n, 1)
		}
		d.ack = false
	case 1:
		if k.String() == "space" {
			e := triggerEvents[d.evCursor]
			d.events[e] = !d.events[e]
		}
	case 2:
		var cmd tea.Cmd
		d.prefix, cmd = d.prefix.Update(msg)
		return false, cmd
	case 3:
		var cmd tea.Cmd
		d.suffix, cmd = d.suffix.Update(msg)
		return false, cmd
	case 4:
		if k.String() == "space" {
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
	case d.risk() != "" && !d.ack:
		d.problem = "acknowledge the recursive-invocation risk first (space on the checkbox)"
		return false, nil
	}
	src, bucket := d.c.Src, d.bucket
	prefix, suffix := d.prefix.Value(), d.suffix.Value()
	arn := src.Lab.Lambda().ARN(fn)
	return true, func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		cur, err := src.Client.GetBucketNotificationConfiguration(c, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
		if err != nil {
			return resultMsg{err: fmt.Errorf("read triggers of %s: %s", bucket, apiMessage(err))}
		}
		lc := types.LambdaFunctionConfiguration{LambdaFunctionArn: aws.String(arn)}
		for _, e := range events {
			lc.Events = append(lc.Events, types.Event(e))
		}
		var rules []types.FilterRule
		if prefix != "" {
			rules = append(rules, types.FilterRule{Name: types.FilterRuleNamePrefix, Value: aws.String(prefix)})
		}
		if suffix != "" {
			rules = append(rules, types.FilterRule{Name: types.FilterRuleNameSuffix, Value: aws.String(suffix)})
		}
		if rules != nil {
			lc.Filter = &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: rules}}
		}
		cfg := &types.NotificationConfiguration{
			LambdaFunctionConfigurations: append(cur.LambdaFunctionConfigurations, lc),
			QueueConfigurations:          cur.QueueConfigurations,
			TopicConfigurations:          cur.TopicConfigurations,
		}
		if _, err := src.Client.PutBucketNotificationConfiguration(c, &s3.PutBucketNotificationConfigurationInput{
			Bucket: aws.String(bucket), NotificationConfiguration: cfg}); err != nil {
			return resultMsg{err: fmt.Errorf("add trigger: %s", apiMessage(err))}
		}
		return src.after(resultMsg{text: fmt.Sprintf("trigger added: %s %s → %s", bucket, strings.Join(events, ","), fn)})
	}
}

func (d *triggerDialog) View(width int) string {
	st := d.c.Styles
	w := min(max(width-6, 30), 72)
	cursor := func(i int) string {
		if d.field == i {
			return st.Checkbox.Render("▸ ")
		}
		return "  "
	}
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render("Add trigger · S3 bucket " + d.bucket))
	b.WriteString("\n\n" + cursor(0) + "Function   " + st.Bold.Render("◂ "+d.function()+" ▸"))
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
	b.WriteString("\n" + cursor(2) + "Prefix     " + d.prefix.View())
	b.WriteString("\n" + cursor(3) + "Suffix     " + d.suffix.View())
	if risk := d.risk(); risk != "" {
		b.WriteString("\n\n" + st.Warning.Render(wrapText(risk, w)))
		box := "[ ]"
		if d.ack {
			box = "[x]"
		}
		b.WriteString("\n" + cursor(4) + st.Checkbox.Render(box) + " I acknowledge the risk of recursive invocations")
	}
	if d.problem != "" {
		b.WriteString("\n\n" + st.MessageErr.Render(d.problem))
	}
	b.WriteString("\n\n" + st.Dim.Render("tab/↑↓ field · ←→ function · space toggle · enter add · esc cancel"))
	return st.Dialog.Width(w + 4).Render(b.String())
}

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

// removeTriggerDialog removes one of a bucket's triggers.
type removeTriggerDialog struct {
	c       *Common
	bucket  string
	configs []types.LambdaFunctionConfiguration
	rest    types.NotificationConfiguration
	cursor  int
}

func (d *removeTriggerDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	switch k.String() {
	case "esc":
		return true, nil
	case "up", "k":
		d.cursor = max(d.cursor-1, 0)
	case "down", "j":
		d.cursor = min(d.cursor+1, len(d.configs)-1)
	case "enter":
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

func (d *removeTriggerDialog) View(width int) string {
	st := d.c.Styles
	w := min(max(width-6, 30), 72)
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
		line := fit(fmt.Sprintf("%s → %s  %s", aws.ToString(l.Id), lambdaName(aws.ToString(l.LambdaFunctionArn)), strings.Join(evs, ",")), w)
		if i == d.cursor {
			line = st.RowCursor.Render(line)
		}
		b.WriteString("\n" + line)
	}
	b.WriteString("\n\n" + st.Dim.Render("enter remove · esc cancel"))
	return st.Dialog.Width(w + 4).Render(b.String())
}

func lambdaName(arn string) string { return arn[strings.LastIndex(arn, ":")+1:] }

// loadRemoveTrigger reads a bucket's triggers for the remove dialog.
type removeTriggerLoadedMsg struct {
	d   *removeTriggerDialog
	err error
}

func (src *Source) loadRemoveTrigger(c *Common, bucket string) tea.Cmd {
	return func() tea.Msg {
		cx, cancel := ctx()
		defer cancel()
		cur, err := src.Client.GetBucketNotificationConfiguration(cx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
		if err != nil {
			return removeTriggerLoadedMsg{err: fmt.Errorf("read triggers of %s: %s", bucket, apiMessage(err))}
		}
		d := &removeTriggerDialog{c: c, bucket: bucket, configs: cur.LambdaFunctionConfigurations,
			rest: types.NotificationConfiguration{QueueConfigurations: cur.QueueConfigurations, TopicConfigurations: cur.TopicConfigurations}}
		return removeTriggerLoadedMsg{d: d}
	}
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
	return d
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
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return true, nil
		case "tab":
			d.field = (d.field + 1) % 3
			d.focus()
			return false, nil
		case "shift+tab":
			d.field = (d.field + 2) % 3
			d.focus()
			return false, nil
		case "ctrl+s":
			return d.save()
		case "enter":
			if d.field != 2 {
				return d.save()
			}
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

func (d *functionDialog) View(width int) string {
	st := d.c.Styles
	w := min(max(width-6, 30), 72)
	d.env.SetWidth(w)
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render("Edit function " + d.name))
	b.WriteString("\n\nMemory (MB)  " + d.memory.View())
	b.WriteString("\nTimeout      " + d.timeout.View())
	b.WriteString("\nEnvironment (KEY=value, one per line)\n" + d.env.View())
	if d.problem != "" {
		b.WriteString("\n" + st.MessageErr.Render(wrapText(d.problem, w)))
	}
	b.WriteString("\n" + st.Dim.Render("tab field · ctrl+s save · esc cancel"))
	return st.Dialog.Width(w + 4).Render(b.String())
}

// policyDialog shows and edits a function role's policy.
type policyDialog struct {
	c        *Common
	function string
	role     string
	editor   textarea.Model
	problem  string
}

func newPolicyDialog(c *Common, function string) *policyDialog {
	role, p := c.Src.Lab.RolePolicy(function)
	d := &policyDialog{c: c, function: function, role: role, editor: newTextArea()}
	if p != nil {
		d.editor.SetValue(p.Source)
	}
	d.editor.ShowLineNumbers = true
	d.editor.SetHeight(14)
	d.editor.Focus()
	return d
}

func (d *policyDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return true, nil
		case "ctrl+s":
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

func (d *policyDialog) View(width int) string {
	st := d.c.Styles
	w := min(max(width-6, 30), 80)
	d.editor.SetWidth(w)
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render("Role " + d.role + " · policy of " + d.function))
	b.WriteString("\n" + d.editor.View())
	if d.problem != "" {
		b.WriteString("\n" + st.MessageErr.Render(wrapText(d.problem, w)))
	}
	b.WriteString("\n" + st.Dim.Render("ctrl+s save · esc cancel"))
	return st.Dialog.Width(w + 4).Render(b.String())
}

// defaultDownloadDir is where downloads go unless the user says otherwise.
const defaultDownloadDir = "lambdalab-downloads"

// checkBucketName is the create-bucket dialog's live check: AWS's naming
// rules, with the rule that is broken.
func checkBucketName(name string) string {
	if err := s3srv.ValidateBucketName(name); err != nil {
		return err.Error()
	}
	return ""
}
