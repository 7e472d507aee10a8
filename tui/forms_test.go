package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// erase presses backspace n times.
func (h *harness) erase(n int) {
	h.t.Helper()
	for range n {
		h.send(backspace())
	}
}

// openFunctionForm selects the lab's only function in the Lab pane with j
// (the cursor starts on the only bucket) and presses e.
func openFunctionForm(t *testing.T, h *harness) *functionDialog {
	t.Helper()
	h.keys("j")
	if it := h.m.labP.selected(); it.function != "thumbnailer" {
		t.Fatalf("j selected %+v, want the function thumbnailer", it)
	}
	h.keys("e")
	d, ok := h.m.dialog.(*functionDialog)
	if !ok {
		t.Fatalf("e opened %T, want the function form:\n%s", h.m.dialog, h.screen())
	}
	h.mustSee("Edit function thumbnailer", "Memory (MB)  128", "Timeout      3s", "OUTPUT_BUCKET=thumbnails-out")
	return d
}

// TestFunctionFormSaves shows that the function form, driven by keys alone,
// changes memory, timeout and environment: the lab's configuration and the
// Detail pane show the new values and the form closes.
func TestFunctionFormSaves(t *testing.T) {
	h := newHarness(t, studentLab, 100, 30)
	openFunctionForm(t, h)
	h.erase(len("128"))
	h.typeText("256")
	h.keys("tab")
	h.erase(len("3s"))
	h.typeText("10s")
	h.keys("tab")
	// The environment is a text area: enter starts a new line, ctrl+s saves.
	h.keys("enter")
	h.typeText("MODE=fast")
	h.keys("ctrl+s")
	h.settle()
	if h.m.dialog != nil {
		t.Fatalf("a valid save left the form open:\n%s", h.screen())
	}
	cfg := functionConfiguration(t, h.m.c.Src.Clients, "thumbnailer")
	if aws.ToInt32(cfg.MemorySize) != 256 || aws.ToInt32(cfg.Timeout) != 10 || cfg.LastUpdateStatus != lambdatypes.LastUpdateStatusSuccessful {
		t.Errorf("memory, timeout, last update = %d, %d, %s; want 256, 10, Successful", aws.ToInt32(cfg.MemorySize), aws.ToInt32(cfg.Timeout), cfg.LastUpdateStatus)
	}
	if env := cfg.Environment.Variables; env["MODE"] != "fast" || env["OUTPUT_BUCKET"] != "thumbnails-out" || len(env) != 2 {
		t.Errorf("environment = %v, want OUTPUT_BUCKET and MODE", env)
	}
	h.mustSee("updated thumbnailer; new invocations get new environments", "256 MB", "10s", "MODE")
}

// TestFunctionFormRefusesAWSInvalidValues shows that a memory size Lambda
// refuses (64 MB) is refused in the form with AWS's ValidationException
// text, the form stays open, and the function is unchanged; esc then closes
// the form without saving what was typed.
func TestFunctionFormRefusesAWSInvalidValues(t *testing.T) {
	h := newHarness(t, studentLab, 100, 30)
	d := openFunctionForm(t, h)
	h.erase(len("128"))
	h.typeText("64")
	h.keys("enter")
	h.settle()
	const want = "ValidationException: 1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"
	if d.problem != want {
		t.Errorf("problem = %q\nwant      %q", d.problem, want)
	}
	if h.m.dialog != d {
		t.Fatalf("an invalid memory size closed the form")
	}
	h.mustSee("ValidationException", "'memorySize'", "greater than or equal to 128")
	cfg := functionConfiguration(t, h.m.c.Src.Clients, "thumbnailer")
	if aws.ToInt32(cfg.MemorySize) != 128 || aws.ToInt32(cfg.Timeout) != 3 || len(cfg.Environment.Variables) != 1 {
		t.Errorf("a refused save changed the function: %d MB, %d s, %v", aws.ToInt32(cfg.MemorySize), aws.ToInt32(cfg.Timeout), cfg.Environment.Variables)
	}
	h.keys("esc")
	if h.m.dialog != nil {
		t.Fatal("esc did not close the form")
	}
	if cfg := functionConfiguration(t, h.m.c.Src.Clients, "thumbnailer"); aws.ToInt32(cfg.MemorySize) != 128 {
		t.Errorf("esc saved memory %d", aws.ToInt32(cfg.MemorySize))
	}
	if strings.Contains(h.screen(), "updated thumbnailer") {
		t.Error("the status line reports an update that did not happen")
	}
}

// twoTriggers has a bucket with two triggers, so the remove dialog's cursor
// decides which goes.
const twoTriggers = `
buckets:
  - name: photos-in
  - name: thumbnails-out
functions:
  - name: thumbnailer
    handler: resize
    environment: {OUTPUT_BUCKET: thumbnails-out}
triggers:
  - id: resize-jpegs
    bucket: photos-in
    function: thumbnailer
    events: [s3:ObjectCreated:*]
    suffix: .jpg
  - id: resize-pngs
    bucket: photos-in
    function: thumbnailer
    events: [s3:ObjectCreated:*]
    suffix: .png
`

// triggerIDs reads a bucket's triggers through the S3 API.
func triggerIDs(t *testing.T, h *harness, bucket string) []string {
	t.Helper()
	out, err := h.lab.RootClient().GetBucketNotificationConfiguration(context.Background(),
		&s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range out.LambdaFunctionConfigurations {
		ids = append(ids, aws.ToString(l.Id))
	}
	return ids
}

// labRow is the Lab pane's line for a bucket, as rendered.
func labRow(h *harness, bucket string) string {
	h.t.Helper()
	for _, line := range strings.Split(h.screen(), "\n") {
		if i := strings.Index(line, "▪ "+bucket+" "); i >= 0 {
			row, _, _ := strings.Cut(line[i:], "│")
			return row
		}
	}
	h.t.Fatalf("no Lab row for %s:\n%s", bucket, h.screen())
	return ""
}

// TestRemoveTriggerDialog shows that T lists the selected bucket's
// triggers, esc removes nothing, and j then enter removes the trigger under
// the cursor (and only it); with none left, the λ mark goes and T says the
// bucket has no triggers.
func TestRemoveTriggerDialog(t *testing.T) {
	h := newHarness(t, twoTriggers, 100, 30)
	if h.m.c.State.Selected != "photos-in" {
		t.Fatalf("selected %q, want photos-in (the bucket with triggers)", h.m.c.State.Selected)
	}
	if row := labRow(h, "photos-in"); !strings.Contains(row, "λ") {
		t.Fatalf("a bucket with triggers lacks the λ mark: %q", row)
	}
	h.keys("T")
	h.mustSee("Remove trigger · S3 bucket photos-in", "thumbnailer ← s3:ObjectCreated:* (suffix .jpg)", "id resize-jpegs",
		"thumbnailer ← s3:ObjectCreated:* (suffix .png)", "id resize-pngs")
	h.keys("esc")
	h.settle()
	if ids := triggerIDs(t, h, "photos-in"); len(ids) != 2 {
		t.Fatalf("esc changed the triggers: %v", ids)
	}

	h.keys("T", "j", "enter")
	h.settle()
	if h.m.dialog != nil {
		t.Fatal("enter did not close the dialog")
	}
	if ids := triggerIDs(t, h, "photos-in"); len(ids) != 1 || ids[0] != "resize-jpegs" {
		t.Fatalf("after removing the second trigger: %v, want [resize-jpegs]", ids)
	}
	h.mustSee("trigger resize-pngs removed from photos-in")

	h.keys("T", "enter")
	h.settle()
	if ids := triggerIDs(t, h, "photos-in"); len(ids) != 0 {
		t.Fatalf("after removing the last trigger: %v", ids)
	}
	if b := h.m.c.State.Bucket("photos-in"); len(b.Triggers) != 0 {
		t.Errorf("the Lab pane still counts triggers: %v", b.Triggers)
	}
	if row := labRow(h, "photos-in"); strings.Contains(row, "λ") {
		t.Errorf("the λ mark stayed: %q", row)
	}
	h.keys("T")
	h.mustSee("This bucket has no triggers.")
}

// TestCreateBucketThatExists: the create dialog says, as the name is typed,
// that a bucket of the lab is already the user's, and refuses it; a bucket
// created a moment ago elsewhere (the console has not heard of it yet) is
// found by asking S3 first, since S3 in us-east-1 answers 200 OK to
// CreateBucket for a bucket its caller owns.
func TestCreateBucketThatExists(t *testing.T) {
	h := newHarness(t, "", 80, 24)
	h.keys("c")
	h.typeText("cis-examples")
	h.mustSee("already exists, and you own it")
	if strings.Contains(h.screen(), "✓") {
		t.Errorf("the dialog marks an existing bucket ✓:\n%s", h.screen())
	}
	h.keys("enter")
	if h.m.dialog == nil {
		t.Fatal("enter accepted a bucket that exists")
	}
	h.keys("esc")

	// Another client creates a bucket; its event is not fed in yet.
	if _, err := h.lab.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("late-bucket")}); err != nil {
		t.Fatal(err)
	}
	h.keys("c")
	h.typeText("late-bucket")
	h.keys("enter")
	if h.m.dialog != nil {
		t.Fatalf("the dialog stayed:\n%s", h.screen())
	}
	if !h.m.messageErr || !strings.Contains(h.m.message, "late-bucket already exists, and you own it") {
		t.Errorf("status: %q (error %v), want that late-bucket exists and is yours", h.m.message, h.m.messageErr)
	}
	if strings.Contains(h.screen(), "created bucket") {
		t.Errorf("the console says it created a bucket that existed:\n%s", h.screen())
	}
}

// TestPolicyEditorTypesWhereTheCursorIs: p opens the role policy with the
// cursor at the start of line 1, on screen, and what is typed lands there.
func TestPolicyEditorTypesWhereTheCursorIs(t *testing.T) {
	h := newHarness(t, "", 80, 24)
	h.keys("G") // the function, last in the Lab pane
	h.keys("p")
	d, ok := h.m.dialog.(*policyDialog)
	if !ok {
		t.Fatalf("p opened %T:\n%s", h.m.dialog, h.screen())
	}
	if d.editor.Line() != 0 || d.editor.LineInfo().ColumnOffset != 0 {
		t.Fatalf("the cursor opens at line %d, column %d; want the start", d.editor.Line()+1, d.editor.LineInfo().ColumnOffset)
	}
	h.mustSee("   1 {", `   2   "Statement": [`)
	h.typeText("X")
	if v := d.editor.Value(); !strings.HasPrefix(v, "X{") {
		t.Errorf("typing landed elsewhere: the policy begins %q", v[:min(len(v), 12)])
	}
	h.mustSee("   1 X{", `   2   "Statement": [`)
}
