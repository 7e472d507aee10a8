package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/charmbracelet/x/ansi"

	"github.com/lambdalab/lambdalab/emulator/lambda"
)

// detailKind is what the Detail pane shows.
type detailKind int

const (
	detailWelcome detailKind = iota
	detailObject
	detailInvocation
	detailFunction
)

// detailPane shows one thing in depth: an object (properties and a preview
// of the image), an invocation (event, logs, error, chain), or a function
// (configuration, policy, triggers, metrics). Its lines are built when the
// thing or the size changes, never in View.
type detailPane struct {
	c       *Common
	width   int
	height  int
	focused bool
	offset  int
	kind    detailKind
	lines   []string

	object     objectDetailMsg
	invocation *invocation
	function   string
	// fn is the function shown, as Lambda and IAM last described it (nil
	// while it loads), or why it could not be read.
	fn    *functionInfo
	fnErr error
	// asked numbers the last object load asked for, fnAsked the last
	// function load: an answer to an earlier one (the user moved on) is
	// dropped.
	asked, fnAsked int
}

func newDetailPane(c *Common) *detailPane {
	d := &detailPane{c: c}
	d.rebuild()
	return d
}

func (d *detailPane) Title() string {
	switch d.kind {
	case detailObject:
		return "Object · " + printable(d.object.key)
	case detailInvocation:
		return "Invocation · " + d.invocation.Function
	case detailFunction:
		return "Function · " + d.function
	}
	if p := d.c.Player; p != nil {
		return "Scenario · " + p.sc.Name
	}
	return "Detail"
}

func (d *detailPane) Focus() { d.focused = true }
func (d *detailPane) Blur()  { d.focused = false }

func (d *detailPane) SetSize(w, h int) {
	if w != d.width || h != d.height {
		d.width, d.height = w, h
		d.rebuild()
	}
}

// askObject shows bucket/key as loading and returns the number of the
// load to ask for.
func (d *detailPane) askObject(bucket, key string) int {
	d.asked++
	d.kind, d.offset = detailObject, 0
	d.object = objectDetailMsg{bucket: bucket, key: key, asked: d.asked, loading: true}
	d.rebuild()
	return d.asked
}

// reask numbers a reload of the object shown, which stays on screen
// until the answer comes.
func (d *detailPane) reask() int {
	d.asked++
	return d.asked
}

// showObject shows a loaded object if it answers the last load asked for.
func (d *detailPane) showObject(m objectDetailMsg) {
	if d.kind != detailObject || m.asked != d.asked {
		return
	}
	offset := d.offset
	if m.bucket != d.object.bucket || m.key != d.object.key {
		offset = 0
	}
	d.object, d.offset = m, offset
	d.rebuild()
}

// clear goes back to the guide; a load still on its way is dropped.
func (d *detailPane) clear() {
	d.asked++
	d.kind, d.offset = detailWelcome, 0
	d.object, d.invocation, d.function = objectDetailMsg{}, nil, ""
	d.fnAsked++
	d.fn, d.fnErr = nil, nil
	d.rebuild()
}

func (d *detailPane) showInvocation(inv *invocation) {
	d.kind, d.invocation, d.offset = detailInvocation, inv, 0
	d.rebuild()
}

// showFunction shows name, loading, and returns the number of the load
// to ask for.
func (d *detailPane) showFunction(name string) int {
	d.kind, d.function, d.offset = detailFunction, name, 0
	d.fn, d.fnErr = nil, nil
	d.fnAsked++
	d.rebuild()
	return d.fnAsked
}

// reaskFunction numbers a reload of the function shown, which stays on
// screen until the answer comes.
func (d *detailPane) reaskFunction() int {
	d.fnAsked++
	return d.fnAsked
}

// showFunctionInfo shows a loaded function if it answers the last load
// asked for.
func (d *detailPane) showFunctionInfo(m functionLoadedMsg) {
	if d.kind != detailFunction || m.asked != d.fnAsked || m.name != d.function {
		return
	}
	d.fn, d.fnErr = m.info, m.err
	d.rebuild()
}

// labChanged rebuilds what reads the lab's buckets, triggers and
// functions: a function's detail, the guide.
func (d *detailPane) labChanged() {
	if d.kind == detailFunction || d.kind == detailWelcome {
		d.rebuild()
	}
}

// rebuild renders the lines for the current thing and width.
func (d *detailPane) rebuild() {
	if d.width <= 0 {
		return
	}
	var lines []string
	switch d.kind {
	case detailObject:
		lines = d.objectLines()
	case detailInvocation:
		lines = d.invocationLines()
	case detailFunction:
		lines = d.functionLines()
	default:
		lines, d.offset = d.welcomeLines()
	}
	d.lines = lines
	d.offset = min(d.offset, max(len(d.lines)-d.height, 0))
}

func (d *detailPane) Update(msg tea.Msg) tea.Cmd {
	k := d.c.Keys
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			d.offset--
		case key.Matches(msg, k.Down):
			d.offset++
		case key.Matches(msg, k.PageUp):
			d.offset -= d.height
		case key.Matches(msg, k.PageDown):
			d.offset += d.height
		case key.Matches(msg, k.Top):
			d.offset = 0
		case key.Matches(msg, k.Bottom):
			d.offset = len(d.lines)
		}
	case tea.MouseWheelMsg:
		d.offset += wheelDelta(msg)
	}
	d.offset = max(min(d.offset, len(d.lines)-d.height), 0)
	return nil
}

func (d *detailPane) RowAt(int) bool { return false }

func (d *detailPane) View() string {
	end := min(d.offset+d.height, len(d.lines))
	var b strings.Builder
	for i := d.offset; i < end; i++ {
		if i > d.offset {
			b.WriteString("\n")
		}
		b.WriteString(fit(d.lines[i], d.width))
	}
	return b.String()
}

func (d *detailPane) ShortHelp() []key.Binding {
	k := d.c.Keys
	return []key.Binding{k.Up, k.Down, k.Zoom, k.Back}
}

func (d *detailPane) FullHelp() [][]key.Binding {
	k := d.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Zoom, k.Back}}
}

// wrap breaks text into lines of the pane's width, indenting continuations.
func (d *detailPane) wrap(text string, indent int) []string {
	var out []string
	pad := strings.Repeat(" ", indent)
	text = strings.ReplaceAll(text, "\t", "  ")
	for _, line := range strings.Split(text, "\n") {
		w := ansi.Wrap(line, max(d.width-indent, 10), " /-")
		for _, l := range strings.Split(w, "\n") {
			out = append(out, pad+l)
		}
	}
	return out
}

// wrapStyled wraps plain text, then styles each line (a style opened on one
// line does not carry over to the next once wrapped).
func (d *detailPane) wrapStyled(text string, style lipgloss.Style, indent int) []string {
	lines := d.wrap(text, indent)
	for i, l := range lines {
		lines[i] = l[:len(l)-len(strings.TrimLeft(l, " "))] + style.Render(strings.TrimLeft(l, " "))
	}
	return lines
}

func (d *detailPane) field(name, value string) []string {
	st := d.c.Styles
	const w = 13
	first := st.Key.Render(fit(name, w)) + st.Value.Render(value)
	if ansi.StringWidth(name)+ansi.StringWidth(value) < d.width-1 || d.width <= w+10 {
		return []string{first}
	}
	out := []string{st.Key.Render(name)}
	return append(out, d.wrap(value, 2)...)
}

// arnField is a field whose value is an ARN: when it does not fit beside
// its name it goes below, broken after its colons.
func (d *detailPane) arnField(name, value string) []string {
	if ansi.StringWidth(value) <= d.width-14 || d.width <= 23 {
		return d.field(name, value)
	}
	out := []string{d.c.Styles.Key.Render(name)}
	for _, l := range strings.Split(ansi.Wrap(value, d.width-2, ":"), "\n") {
		out = append(out, "  "+d.c.Styles.Value.Render(l))
	}
	return out
}

func (d *detailPane) heading(s string) []string {
	return []string{"", d.c.Styles.Bold.Render(s)}
}

func (d *detailPane) objectLines() []string {
	m := d.object
	st := d.c.Styles
	if m.err != nil {
		return d.wrapStyled(m.err.Error(), st.MessageErr, 0)
	}
	if m.loading {
		return append(d.objectProperties(), "", st.Dim.Render("loading…"))
	}
	// With room, the preview stands beside the properties; otherwise below.
	side := m.img != nil && d.width >= 64
	full := d.width
	if side {
		d.width = min(44, d.width/2)
	}
	props := d.objectProperties()
	d.width = full
	if m.img == nil {
		return props
	}
	if !side {
		return append(append(props, ""), renderPreview(m.img, d.width, max(d.height-len(props)-1, 6), d.c.Profile)...)
	}
	propsW := min(44, d.width/2)
	preview := renderPreview(m.img, d.width-propsW-2, max(d.height, len(props)), d.c.Profile)
	out := make([]string, max(len(props), len(preview)))
	for i := range out {
		left, right := "", ""
		if i < len(props) {
			left = props[i]
		}
		if i < len(preview) {
			right = preview[i]
		}
		out[i] = fit(left, propsW) + "  " + right
	}
	return out
}

func (d *detailPane) objectProperties() []string {
	m := d.object
	var out []string
	h := m.head
	out = append(out, d.field("Bucket", m.bucket)...)
	out = append(out, d.field("Key", printable(m.key))...)
	if h != nil {
		out = append(out, d.field("Size", fmt.Sprintf("%s (%d bytes)", humanSize(aws.ToInt64(h.ContentLength)), aws.ToInt64(h.ContentLength)))...)
		out = append(out, d.field("Type", aws.ToString(h.ContentType))...)
		out = append(out, d.field("ETag", strings.Trim(aws.ToString(h.ETag), `"`))...)
		out = append(out, d.field("Modified", aws.ToTime(h.LastModified).Local().Format(time.DateTime))...)
	}
	if m.width > 0 {
		out = append(out, d.field("Image", fmt.Sprintf("%s, %d × %d", m.format, m.width, m.height))...)
	}
	if m.unpreviewed != "" {
		out = append(out, d.field("Preview", m.unpreviewed)...)
	}
	if h != nil && len(h.Metadata) > 0 {
		out = append(out, d.heading("Metadata (x-amz-meta-)")...)
		keys := make([]string, 0, len(h.Metadata))
		for k := range h.Metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, d.wrap(k+" = "+h.Metadata[k], 2)...)
		}
	}
	return out
}

// prettyJSON indents JSON and colours its keys, strings and numbers.
func (d *detailPane) prettyJSON(raw []byte) []string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return d.wrap(string(raw), 2)
	}
	st := d.c.Styles
	var out []string
	for _, line := range strings.Split(buf.String(), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(trimmed)]
		if k, rest, ok := strings.Cut(trimmed, `": `); ok && strings.HasPrefix(k, `"`) {
			colored := st.JSONKey.Render(k+`"`) + ": " + d.jsonValue(rest)
			out = append(out, d.wrap(indent+colored, 0)...)
			continue
		}
		out = append(out, d.wrap(indent+d.jsonValue(trimmed), 0)...)
	}
	return out
}

func (d *detailPane) jsonValue(v string) string {
	st := d.c.Styles
	core := strings.TrimSuffix(v, ",")
	tail := v[len(core):]
	switch {
	case strings.HasPrefix(core, `"`):
		return st.JSONString.Render(core) + tail
	case len(core) > 0 && (core[0] == '-' || core[0] >= '0' && core[0] <= '9'):
		return st.JSONNumber.Render(core) + tail
	}
	return v
}

func (d *detailPane) invocationLines() []string {
	inv := d.invocation
	st := d.c.Styles
	var out []string
	req := inv.RequestID
	if req == "" {
		req = "(not started)"
	}
	out = append(out, d.field("Request", req)...)
	out = append(out, d.field("Status", fmt.Sprintf("%s (attempt %d)", inv.Status, max(inv.Attempt, 1)))...)
	if t := durationText(inv, d.c.VirtualClock); t == notMeasured {
		out = append(out, d.field("Duration", "— (not measured: on the lab's virtual clock a handler's work takes no lab time)")...)
	} else if t != "" {
		out = append(out, d.field("Duration", t)...)
	}
	out = append(out, d.field("Source", inv.Source)...)
	if inv.Depth > 0 {
		chain := fmt.Sprintf("invocation %d of chain %s", inv.Depth, inv.Chain)
		if l, ok := d.c.State.History.loopOf(inv.Chain); ok {
			chain += fmt.Sprintf("; stopped (%s) after %d: %s", l.By, l.Invocations, l.Path)
		}
		out = append(out, d.field("Chain", chain)...)
	}
	if den := inv.Denied; den != nil {
		out = append(out, d.field("Denied", fmt.Sprintf("IAM refused %s on %s to %s", den.Action, den.Resource, den.Principal))...)
	}
	if inv.Error != "" {
		out = append(out, d.heading("Error")...)
		if json.Valid([]byte(inv.Error)) {
			out = append(out, d.prettyJSON([]byte(inv.Error))...)
		} else {
			out = append(out, d.wrapStyled(inv.Error, st.StatusErr, 2)...)
		}
	}
	out = append(out, d.heading("Log "+lambda.LogGroupName(inv.Function))...)
	if len(inv.Logs) == 0 {
		why := "(no lines: not started, or the role may not write logs)"
		if inv.RequestID == "" && strings.HasPrefix(inv.Status, "dropped") {
			why = "(no lines: Lambda dropped the event before it ran)"
		}
		out = append(out, d.wrapStyled(why, st.Dim, 2)...)
	}
	for _, l := range inv.Logs {
		if isPlatformLine(l) {
			out = append(out, d.wrapStyled(l, st.LogPlatform, 2)...)
		} else {
			out = append(out, d.wrap(l, 2)...)
		}
	}
	if len(inv.Payload) > 0 {
		out = append(out, d.heading("Event")...)
		out = append(out, d.prettyJSON(inv.Payload)...)
	}
	return out
}

func isPlatformLine(l string) bool {
	for _, p := range []string{"START RequestId:", "END RequestId:", "REPORT RequestId:", "INIT_REPORT"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}
