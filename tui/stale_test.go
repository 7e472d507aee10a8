package tui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/lambdalab/lambdalab/emulator"
)

// chooseObject presses enter on the Objects pane's cursor and returns the
// load it asks for, without running it.
func chooseObject(t *testing.T, h *harness) tea.Cmd {
	t.Helper()
	_, chosen := h.m.Update(keyPress("enter"))
	if chosen == nil {
		t.Fatal("enter chose no object")
	}
	_, load := h.m.Update(chosen())
	if load == nil {
		t.Fatal("choosing an object loaded nothing")
	}
	return load
}

// TestDetailDropsLateAnswers opens one object, then another before the
// first has loaded; the first answer lands last and is dropped: Detail
// shows the object chosen last.
func TestDetailDropsLateAnswers(t *testing.T) {
	h := newHarness(t, studentLab, 100, 30)
	h.lab.Put(t, "thumbnails-out", "first.txt", []byte("1"), "text/plain")
	h.lab.Put(t, "thumbnails-out", "second.txt", []byte("22"), "text/plain")
	h.settle()
	h.keys("tab")
	loadFirst := chooseObject(t, h)
	h.mustSee("Object · first.txt", "loading…")
	h.keys("esc", "j")
	loadSecond := chooseObject(t, h)
	h.send(loadSecond())
	h.send(loadFirst()) // the slower answer lands last
	if d := h.m.detail; d.kind != detailObject || d.object.key != "second.txt" {
		t.Fatalf("Detail shows %q, want second.txt (chosen last):\n%s", d.object.key, h.screen())
	}
	h.mustSee("Object · second.txt", "2 B (2 bytes)")
}

// TestDetailFollowsTheSelection: an object leaves Detail when a filter
// hides it in the Objects pane, and when another bucket is selected.
func TestDetailFollowsTheSelection(t *testing.T) {
	h := newHarness(t, twoTriggers, 100, 30)
	h.lab.Put(t, "photos-in", "cat.txt", []byte("c"), "")
	h.lab.Put(t, "photos-in", "dog.txt", []byte("d"), "")
	h.settle()
	h.keys("tab", "enter")
	h.mustSee("Object · cat.txt")
	h.keys("esc", "/")
	h.typeText("dog")
	if d := h.m.detail; d.kind == detailObject {
		t.Fatalf("with the filter dog, Detail still shows %s:\n%s", d.object.key, h.screen())
	}
	h.keys("esc") // clears the filter
	h.keys("enter")
	h.mustSee("Object · cat.txt")
	h.keys("esc", "esc", "j") // back to the Lab pane, then thumbnails-out
	if h.m.c.State.Selected != "thumbnails-out" {
		t.Fatalf("j selected %q", h.m.c.State.Selected)
	}
	if d := h.m.detail; d.kind == detailObject {
		t.Fatalf("with thumbnails-out selected, Detail still shows %s/%s:\n%s", d.object.bucket, d.object.key, h.screen())
	}
	if strings.Contains(h.screen(), "cat.txt") {
		t.Errorf("cat.txt is still on screen:\n%s", h.screen())
	}
}

// TestRemoveTriggerAnswersItsBucket: T asks for the selected bucket's
// triggers; when the answer lands after another bucket is selected, no
// dialog opens over the wrong bucket.
func TestRemoveTriggerAnswersItsBucket(t *testing.T) {
	h := newHarness(t, twoTriggers, 100, 30)
	_, load := h.m.Update(keyPress("T"))
	h.keys("j")
	if h.m.c.State.Selected != "thumbnails-out" {
		t.Fatalf("j selected %q", h.m.c.State.Selected)
	}
	h.send(load())
	if h.m.dialog != nil {
		t.Fatalf("the remove dialog for photos-in opened with thumbnails-out selected:\n%s", h.screen())
	}
}

// noTriggers has an input bucket without a trigger yet.
const noTriggers = `
buckets:
  - name: photos-in
  - name: thumbnails-out
functions:
  - name: thumbnailer
    handler: resize
    environment: {OUTPUT_BUCKET: thumbnails-out}
`

// TestQualifiedTriggerShowsOnItsFunction: a trigger whose ARN ends in
// :$LATEST shows on the bucket (λ) and in the function's Triggers alike.
func TestQualifiedTriggerShowsOnItsFunction(t *testing.T) {
	h := newHarness(t, noTriggers, 100, 30)
	err := emulator.AddTrigger(context.Background(), h.lab.RootClients(), "photos-in", emulator.Trigger{
		FunctionARN: aws.ToString(functionConfiguration(t, h.lab.RootClients(), "thumbnailer").FunctionArn) + ":$LATEST", Events: []string{"s3:ObjectCreated:*"}})
	if err != nil {
		t.Fatal(err)
	}
	h.settle()
	if row := labRow(h, "photos-in"); !strings.Contains(row, "λ") {
		t.Fatalf("the bucket lacks the λ mark: %q", row)
	}
	h.keys("G") // the function, last in the Lab pane
	if h.m.detail.kind != detailFunction {
		t.Fatalf("G did not show the function:\n%s", h.screen())
	}
	h.keys("enter", "z") // Detail, zoomed: the function whole
	h.mustSee("Function · thumbnailer", "photos-in ← s3:ObjectCreated:*", "($LATEST)")
	if strings.Contains(h.screen(), "none (t adds one)") {
		t.Errorf("the function's Triggers say none:\n%s", h.screen())
	}
}
