package tui

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/charmbracelet/x/ansi"

	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// testResultMsg answers a Test: the synchronous invocation's result.
// asked numbers the run it answers.
type testResultMsg struct {
	asked int
	res   testResult
	err   error
}

// testResult is what Invoke (RequestResponse, LogType Tail) answered.
type testResult struct {
	requestID string
	// functionError is Invoke's FunctionError ("Unhandled" when the
	// function failed).
	functionError string
	payload       []byte
	// log is the tail of the invocation's log (its last 4 KB), decoded.
	log string
}

// testDialog is the Lambda console's Test tab: an event (an S3 PUT for the
// lab's bucket, to edit), invoked synchronously, and the execution result:
// status, response, the function's log and its request id.
type testDialog struct {
	c        *Common
	function string
	editor   textarea.Model
	asked    int
	running  bool
	result   *testResultMsg
	lines    []string // the result, laid out for w
	offset   int
	problem  string
	w, h     int
}

func newTestDialog(c *Common, function string, event []byte) *testDialog {
	d := &testDialog{c: c, function: function, editor: newTextArea()}
	d.editor.ShowLineNumbers = false
	d.editor.SetValue(string(event))
	d.editor.MoveToBegin()
	d.editor.Focus()
	d.SetSize(MinWidth, MinHeight)
	return d
}

// testEvent is the console's "S3 Put" template filled in for the lab: the
// bucket that triggers function (else the lab's first bucket) and its
// first object (else test/key), at the lab's time.
func testEvent(c *Common, function string) []byte {
	st := c.State
	bucket, key := "example-bucket", "test/key"
	if len(st.Buckets) > 0 {
		bucket = st.Buckets[0].Name
	}
	for _, b := range st.Buckets {
		for _, t := range b.Triggers {
			if t.Function == function {
				bucket = b.Name
			}
		}
	}
	var size int64
	etag := "0123456789abcdef0123456789abcdef"
	if b := st.Bucket(bucket); b != nil && len(b.Objects) > 0 {
		key, size, etag = b.Objects[0].Key, b.Objects[0].Size, b.Objects[0].ETag
	}
	principal := "A" + labfile.DefaultAccount + "LAB"
	rec := notify.NewRecord(c.Src.Clients.Lambda.Options().Region, principal, "test-event", notify.Change{
		EventName: "ObjectCreated:Put", Time: c.Src.Clock.Now(), Bucket: bucket, Key: key, Size: size, ETag: etag,
		PrincipalID: principal, SourceIP: "127.0.0.1", RequestID: "TESTEVENT0000000", HostID: "test-event", Sequencer: notify.Sequencer(1),
	})
	var out bytes.Buffer
	json.Indent(&out, notify.Payload(rec), "", "  ")
	return out.Bytes()
}

func (d *testDialog) SetSize(w, h int) {
	d.w = min(max(w-6, 30), 100)
	// The frame (2), the title, a line under it, the key line and a line
	// for a problem.
	d.h = max(h-6, 3)
	d.editor.SetWidth(d.w)
	d.editor.SetHeight(max(min(16, d.h-1), 3))
	d.layout()
}

// keys are the dialog's keys: test, then (with a result) the event again.
func (d *testDialog) keys() []key.Binding {
	k := d.c.Keys
	if d.result != nil {
		return []key.Binding{as(k.Save, "test again"), as(k.NextField, "edit event"), either(k.ArrowUp, k.ArrowDown, "scroll"), as(k.Cancel, "close")}
	}
	return []key.Binding{as(k.Save, "test"), as(k.Cancel, "close")}
}

func (d *testDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	k := d.c.Keys
	switch msg := msg.(type) {
	case testResultMsg:
		if msg.asked == d.asked && d.running {
			d.running, d.result, d.offset = false, &msg, 0
			d.editor.Blur()
			d.layout()
		}
		return false, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Cancel):
			return true, nil
		case d.running:
			return false, nil
		case key.Matches(msg, k.Save):
			return false, d.run()
		case d.result != nil && key.Matches(msg, k.NextField):
			d.result = nil
			d.editor.Focus()
			return false, nil
		case d.result != nil:
			d.scroll(msg)
			return false, nil
		}
	}
	if d.result != nil {
		return false, nil
	}
	var cmd tea.Cmd
	d.editor, cmd = d.editor.Update(msg)
	return false, cmd
}

func (d *testDialog) scroll(msg tea.KeyPressMsg) {
	k := d.c.Keys
	switch {
	case key.Matches(msg, k.ArrowUp), key.Matches(msg, k.Up):
		d.offset--
	case key.Matches(msg, k.ArrowDown), key.Matches(msg, k.Down):
		d.offset++
	case key.Matches(msg, k.PageUp):
		d.offset -= d.h
	case key.Matches(msg, k.PageDown):
		d.offset += d.h
	}
	d.offset = max(min(d.offset, len(d.lines)-d.h), 0)
}

// run invokes the function with the event, synchronously, as the
// console's Test button does.
func (d *testDialog) run() tea.Cmd {
	event := []byte(d.editor.Value())
	if !json.Valid(event) {
		d.problem = "the event is not valid JSON"
		return nil
	}
	d.asked++
	d.running, d.problem = true, ""
	asked, src, function := d.asked, d.c.Src, d.function
	return func() tea.Msg {
		res, err := src.invoke(function, event)
		return src.after(testResultMsg{asked: asked, res: res, err: err})
	}
}

// invoke runs function once with event and waits for its answer, with the
// tail of its log: Invoke with InvocationType RequestResponse and LogType
// Tail, as the console's Test does.
func (src *Source) invoke(function string, event []byte) (testResult, error) {
	c, cancel := ctx()
	defer cancel()
	out, err := src.Clients.Lambda.Invoke(c, &lambdasdk.InvokeInput{FunctionName: aws.String(function),
		InvocationType: lambdatypes.InvocationTypeRequestResponse, LogType: lambdatypes.LogTypeTail, Payload: event})
	if err != nil {
		return testResult{}, errors.New(apiMessage(err))
	}
	res := testResult{functionError: aws.ToString(out.FunctionError), payload: out.Payload}
	res.requestID, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	if tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult)); err == nil {
		res.log = strings.ToValidUTF8(string(tail), "")
	}
	return res, nil
}

// layout lays the result out for the dialog's width.
func (d *testDialog) layout() {
	if d.result == nil {
		d.lines = nil
		return
	}
	st := d.c.Styles
	r := d.result
	wrap := func(s string, indent int) []string {
		var out []string
		pad := strings.Repeat(" ", indent)
		for _, line := range strings.Split(s, "\n") {
			for _, l := range strings.Split(ansi.Wrap(line, max(d.w-indent, 10), " ,/-"), "\n") {
				out = append(out, pad+l)
			}
		}
		return out
	}
	if r.err != nil {
		d.lines = append([]string{st.StatusErr.Render("Execution result: not run")}, wrap(r.err.Error(), 2)...)
		return
	}
	var out []string
	if r.res.functionError == "" {
		out = append(out, st.StatusOK.Render("Execution result: succeeded"))
	} else {
		// As the console: the error document is the response.
		out = append(out, st.StatusErr.Render("Execution result: failed"))
	}
	out = append(out, "", st.Bold.Render("Response"))
	var pretty bytes.Buffer
	if json.Indent(&pretty, r.res.payload, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(r.res.payload)
	}
	out = append(out, wrap(pretty.String(), 2)...)
	out = append(out, "", st.Bold.Render("Function Logs"))
	for _, l := range logLines(r.res.log) {
		out = append(out, wrap(strings.ReplaceAll(l, "\t", "  "), 2)...)
	}
	out = append(out, "", st.Bold.Render("Request ID"), "  "+r.res.requestID)
	d.lines = out
	d.offset = max(min(d.offset, len(d.lines)-d.h), 0)
}

func (d *testDialog) View() string {
	st := d.c.Styles
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render("Test · " + d.function))
	switch {
	case d.result != nil:
		end := min(d.offset+d.h, len(d.lines))
		for _, l := range d.lines[d.offset:end] {
			b.WriteString("\n" + fit(l, d.w))
		}
		if len(d.lines) > d.h {
			b.WriteString("\n" + st.Dim.Render(fmt.Sprintf("lines %d-%d of %d", d.offset+1, end, len(d.lines))))
		}
	case d.running:
		b.WriteString("\n" + st.Dim.Render("invoking "+d.function+"…"))
	default:
		b.WriteString("\n" + st.Dim.Render(fit("Event JSON (the console's S3 Put template; edit it):", d.w)))
		b.WriteString("\n" + d.editor.View())
	}
	if d.problem != "" {
		b.WriteString("\n" + st.MessageErr.Render(wrapText(d.problem, d.w)))
	}
	b.WriteString("\n" + keyHelp(d.c, d.w, d.keys()...))
	return st.Dialog.Width(d.w + dialogChrome).Render(b.String())
}
