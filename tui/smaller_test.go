package tui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/charmbracelet/x/ansi"

	"github.com/lambdalab/lambdalab/emulator"
)

// manyBuckets is a lab whose buckets overflow the Lab pane at 80×24.
func manyBuckets(n int) string {
	var b strings.Builder
	b.WriteString("buckets:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - name: bucket-%02d\n", i)
	}
	b.WriteString("functions:\n  - name: thumbnailer\n    handler: resize\n")
	return b.String()
}

// TestLabPaneSaysWhatIsHidden: with more buckets than the Lab pane holds,
// its last line says what is below (the function too); at the bottom, what
// is above.
func TestLabPaneSaysWhatIsHidden(t *testing.T) {
	h := newHarness(t, manyBuckets(12), 80, 24)
	if strings.Contains(h.screen(), "ƒ thumbnailer") {
		t.Fatalf("the function fits; the test needs more buckets:\n%s", h.screen())
	}
	h.mustSee("↓ 8 buckets, 1 function")
	h.keys("G")
	h.mustSee("ƒ thumbnailer", "↑ 9 above")
	h.keys("g")
	h.mustSee("↓ 8 buckets, 1 function")
}

// TestFooterKeepsTheGlobalKeys: at 80 columns, whatever has the focus, the
// key line ends with the keys that always work.
func TestFooterKeepsTheGlobalKeys(t *testing.T) {
	h := newHarness(t, "", 80, 24)
	footer := func() string {
		lines := strings.Split(h.screen(), "\n")
		return strings.TrimRight(lines[len(lines)-1], " ")
	}
	for _, step := range []struct {
		name string
		keys []string
	}{
		{"a bucket in Lab", nil},
		{"the function in Lab", []string{"G"}},
		{"zoomed", []string{"z"}},
		{"Objects", []string{"z", "tab"}},
		{"Invocations", []string{"tab"}},
		{"Detail", []string{"tab"}},
	} {
		h.keys(step.keys...)
		if f := footer(); !strings.HasSuffix(f, "tab next pane • ? help • q quit") {
			t.Errorf("%s: the key line is %q", step.name, f)
		}
	}
}

// TestFilterCountsInTitles: a filter shows how many rows it lets through
// of how many, in the pane's title.
func TestFilterCountsInTitles(t *testing.T) {
	h := newHarness(t, studentLab, 100, 30)
	for _, k := range []string{"cat.txt", "catalog.txt", "dog.txt"} {
		h.lab.Put(t, "thumbnails-out", k, []byte("x"), "")
	}
	h.settle()
	h.keys("tab", "/")
	h.typeText("cat")
	h.mustSee("Objects · thumbnails-out (2/3)")
	h.keys("enter")
	h.mustSee("Objects · thumbnails-out (2/3)")
	h.keys("/", "esc")
	h.mustSee("Objects · thumbnails-out (3)")

	data, err := os.ReadFile("../emulator/labs/recursion.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h = newHarness(t, string(data), 100, 30)
	h.lab.Put(t, "cis-examples", "cat.png", []byte(mustPNG(t)), "image/png")
	h.settle()
	all := len(h.m.c.State.History.rows)
	h.keys("tab", "tab", "/")
	h.typeText("dropped")
	h.mustSee(fmt.Sprintf("Invocations (1/%d)", all))
}

// TestEnvironmentUnderItsHeading: a function's environment is listed under
// a heading, each variable whole (KEY=value), zoomed or not.
func TestEnvironmentUnderItsHeading(t *testing.T) {
	h := newHarness(t, "", 80, 24)
	h.keys("G", "enter")
	if h.m.focus != detailPaneID {
		t.Fatalf("enter on the function did not open Detail")
	}
	h.keys("j", "j", "j", "j", "j", "j", "j", "j", "j")
	h.mustSee("Environment", "OUTPUT_BUCKET=")
	h.keys("z")
	h.mustSee("Environment", "OUTPUT_BUCKET=cis-examples-output")
	if strings.Contains(h.screen(), "OUTPUT_BUC…") {
		t.Errorf("the variable's name is cut:\n%s", h.screen())
	}
}

// TestTriggerRefusalShowsWhole: S3 refuses an overlapping trigger; the
// form stays open and shows S3's message whole, wrapped, at 80×24.
func TestTriggerRefusalShowsWhole(t *testing.T) {
	h := newHarness(t, noTriggers, 80, 24)
	err := emulator.AddTrigger(context.Background(), h.lab.RootClients(), "photos-in", emulator.Trigger{
		FunctionARN: aws.ToString(functionConfiguration(t, h.lab.RootClients(), "thumbnailer").FunctionArn), Events: []string{"s3:ObjectCreated:*"}, Suffix: ".png"})
	if err != nil {
		t.Fatal(err)
	}
	h.settle()
	h.keys("t", "enter")
	h.settle()
	d, ok := h.m.dialog.(*triggerDialog)
	if !ok {
		t.Fatalf("S3's refusal closed the form:\n%s", h.screen())
	}
	if !strings.Contains(d.problem, "InvalidArgument") {
		t.Fatalf("the form's problem is %q", d.problem)
	}
	words := strings.Join(strings.Fields(dialogText(h.screen())), " ")
	if !strings.Contains(words, strings.Join(strings.Fields(d.problem), " ")) {
		t.Errorf("the refusal %q is not on screen whole:\n%s", d.problem, h.screen())
	}
	h.mustSee("╚", "enter add")
	for _, k := range []string{"tab", "tab", "tab"} {
		h.keys(k)
		if !strings.Contains(h.screen(), "╚") {
			t.Fatalf("with the focus moved, the form is cut:\n%s", h.screen())
		}
	}
}

// TestRemoveTriggerShowsWhatFirst: S3's generated trigger id does not
// crowd out what the trigger does.
func TestRemoveTriggerShowsWhatFirst(t *testing.T) {
	h := newHarness(t, noTriggers, 80, 24)
	err := emulator.AddTrigger(context.Background(), h.lab.RootClients(), "photos-in", emulator.Trigger{
		FunctionARN: aws.ToString(functionConfiguration(t, h.lab.RootClients(), "thumbnailer").FunctionArn), Events: []string{"s3:ObjectCreated:Put", "s3:ObjectCreated:Post"}, Prefix: "uploads/"})
	if err != nil {
		t.Fatal(err)
	}
	h.settle()
	id := h.m.c.State.Bucket("photos-in").Triggers[0].ID
	if len(id) < 30 {
		t.Fatalf("S3 generated a short id %q; the test wants a long one", id)
	}
	h.keys("T")
	h.mustSee(`thumbnailer ← s3:ObjectCreated:Put, s3:ObjectCreated:Post`, "id "+id[:20])
	if words := strings.Join(strings.Fields(dialogText(h.screen())), " "); !strings.Contains(words, `(prefix uploads/)`) {
		t.Errorf("the trigger's filter is not shown whole:\n%s", h.screen())
	}
}

// TestDroppedLoopInvocationDetail: the invocation Lambda dropped to stop a
// loop shows its source and its chain.
func TestDroppedLoopInvocationDetail(t *testing.T) {
	data, err := os.ReadFile("../emulator/labs/recursion.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, string(data), 120, 40)
	h.lab.Put(t, "cis-examples", "cat.png", []byte(mustPNG(t)), "image/png")
	h.settle()
	h.keys("tab", "tab", "/")
	h.typeText("dropped-loop")
	h.keys("enter", "enter")
	inv := h.m.detail.invocation
	if h.m.detail.kind != detailInvocation || inv.Status != "dropped-loop" {
		t.Fatalf("Detail shows %v:\n%s", h.m.detail.kind, h.screen())
	}
	text := detailText(h)
	for _, want := range []string{"Source s3:cis-examples/cat.png ObjectCreated:Put", "invocation 17 of chain " + inv.Chain,
		"stopped (lambda) after 16", `"eventName": "ObjectCreated:Put"`, `"key": "cat.png"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the dropped invocation's detail lacks %q:\n%s", want, text)
		}
	}
}

// detailText is everything the Detail pane holds, scrolled or not, with
// its wrapped lines joined.
func detailText(h *harness) string {
	return strings.Join(strings.Fields(ansi.Strip(strings.Join(h.m.detail.lines, " "))), " ")
}

// twoFunctions has two functions and a bucket without a trigger.
const twoFunctions = `
buckets:
  - name: photos-in
functions:
  - name: thumbnailer
    handler: resize
  - name: echoer
    handler: echo
`

// TestPolicyKeyOnABucket: p with a bucket selected opens the policy of the
// lab's only function; with several, it says which to choose.
func TestPolicyKeyOnABucket(t *testing.T) {
	h := newHarness(t, "", 80, 24)
	if it := h.m.labP.selected(); it.bucket == "" {
		t.Fatalf("the Lab cursor is on %+v", it)
	}
	h.keys("p")
	if d, ok := h.m.dialog.(*policyDialog); !ok || d.function != "cis-exercise-demo" {
		t.Fatalf("p on a bucket opened %T:\n%s", h.m.dialog, h.screen())
	}

	h = newHarness(t, twoFunctions, 80, 24)
	h.keys("p")
	if h.m.dialog != nil {
		t.Fatalf("p chose a function among two: %T", h.m.dialog)
	}
	h.mustSee("which function? select one (ƒ) in the Lab pane: echoer, thumbnailer")
}
