package tui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/scenarios"
)

// playerHarness opens the console on an embedded scenario as
// `lambdalab --scenario NAME` does, its introduction showing; feed delivers
// the lab's bus events so far.
func playerHarness(t *testing.T, name string, w, hgt int) (h *harness, sc *scenarios.Scenario, feed func()) {
	t.Helper()
	sc, err := scenarios.Embedded(name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := scenarios.Start(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	rec := bus.Record(r.Bus())
	m := newPlayerModel(r, sc, NewSource(r.Lab(), "http://127.0.0.1:4566"), nil)
	h = &harness{t: t, m: m}
	h.send(tea.WindowSizeMsg{Width: w, Height: hgt})
	h.run(m.Init())
	fed := 0
	feed = func() {
		all := rec.All()
		for _, ev := range all[fed:] {
			h.send(busMsg{ev})
		}
		fed = len(all)
	}
	feed()
	return h, sc, feed
}

// words is s with its runs of spaces and line breaks made single spaces,
// and the frames of panes and dialogs taken out: text as read, wherever it
// was wrapped.
func words(s string) string {
	s = strings.NewReplacer("│", " ", "║", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// TestScenarioPlayerShowsItsFeedback plays the recursion scenario at 80×24
// with space alone: space in the introduction runs step 1; the loop banner
// and the step's result both show; the next step's notes show whole; the
// Detail pane lists this scenario's steps (not the default lab's guide);
// durations the virtual clock did not measure read —; the end says how it
// went.
func TestScenarioPlayerShowsItsFeedback(t *testing.T) {
	h, sc, feed := playerHarness(t, "recursion", 80, 24)
	h.mustSee("Scenario recursion", "space next step")
	h.keys("space")
	feed()
	if h.m.dialog != nil || h.m.player.next != 1 {
		t.Fatalf("space in the introduction: dialog %T, next step %d; want it closed and step 1 run", h.m.dialog, h.m.player.next+1)
	}
	h.keys("space") // wait: idle; the loop runs and is stopped
	feed()
	h.mustSee("LOOP STOPPED", "step 2 ✓ wait until idle")
	screen := h.screen()
	if strings.Contains(screen, "cis-examples-output") || strings.Contains(screen, "The exercise, step by step") {
		t.Errorf("Detail shows the default lab's guide:\n%s", screen)
	}
	h.mustSee("Scenario · recursion", "✓ 2. wait until idle", "▸ 3. expect")
	if d := detailText(h); !strings.Contains(d, "✓ 1. upload s3://") || !strings.Contains(d, "10. expect") {
		t.Errorf("Detail does not list the scenario's steps: %s", d)
	}
	if strings.Contains(screen, "0.0ms") {
		t.Errorf("durations read 0.0ms on the virtual clock:\n%s", screen)
	}
	h.mustSee(" — ")

	for h.m.player.next < 5 {
		h.keys("space")
		feed()
	}
	// Step 6's notes are longer than a line: they show whole.
	notes := words(sc.Steps[5].Notes)
	if !strings.Contains(words(h.screen()), "next: "+notes) {
		t.Errorf("step 6's notes %q are not on screen whole:\n%s", notes, h.screen())
	}
	h.mustSee("LOOP STOPPED")

	for !h.m.player.done() {
		h.keys("space")
		feed()
		if h.m.messageErr {
			t.Fatalf("step %d: %s", h.m.player.next, h.m.message)
		}
	}
	h.mustSee("scenario recursion · passed 10/10")
	if !strings.Contains(words(h.screen()), "scenario recursion passed: 10 of 10 steps ✓") {
		t.Errorf("the end gives no summary:\n%s", h.screen())
	}
}

// TestScenarioPlayerSaysWhichStepFailed: a step that fails is marked ✗ with
// its reason in Detail, and the end says which failed.
func TestScenarioPlayerSaysWhichStepFailed(t *testing.T) {
	h, _, feed := playerHarness(t, "trigger-resize", 120, 40)
	h.keys("esc")
	// Break the lab under the scenario: the trigger's function loses the
	// right to write its output, so the expectations about it fail.
	putRolePolicy(t, h.m.c.Src.Clients, "cis-exercise-demo", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	for !h.m.player.done() {
		h.keys("space")
		feed()
	}
	failed := h.m.player.failed()
	if len(failed) == 0 {
		t.Fatalf("no step failed:\n%s", h.screen())
	}
	if d := detailText(h); !strings.Contains(d, "✗ "+failed[0]+". expect") || !strings.Contains(d, "NoSuchKey") {
		t.Errorf("Detail does not mark step %s failed, with why: %s", failed[0], d)
	}
	h.mustSee("FAILED")
	if !strings.Contains(words(h.screen()), "failed: step "+strings.Join(failed, ", ")) {
		t.Errorf("the end does not say which steps failed (%v):\n%s", failed, h.screen())
	}
}

// TestGuideUsesTheLabsNames: the guide in Detail names this lab's input
// and output buckets, not the default lab's.
func TestGuideUsesTheLabsNames(t *testing.T) {
	h := newHarness(t, twoTriggers, 120, 40)
	text := detailText(h)
	for _, want := range []string{"Select photos-in in Lab (λ: it triggers thumbnailer).", "Open thumbnails-out: a 300×300 copy.", "aws s3 cp cat.png s3://photos-in/"} {
		if !strings.Contains(text, want) {
			t.Errorf("the guide lacks %q: %s", want, text)
		}
	}
	if strings.Contains(text, "cis-examples") {
		t.Errorf("the guide names the default lab's buckets: %s", text)
	}
}

// TestGuideSaysWhatTheTriggerTakes: for a trigger on uploads/*.mp4 (the
// transcode lab's), the guide asks for a video under that prefix, not an
// image, and its aws CLI line copies one there.
func TestGuideSaysWhatTheTriggerTakes(t *testing.T) {
	h := newHarness(t, transcodeLab+`triggers:
  - bucket: transcode-demo
    function: split
    events: [s3:ObjectCreated:*]
    prefix: uploads/
    suffix: .mp4
`, 120, 40)
	text := detailText(h)
	for _, want := range []string{"Press u to upload a video (.mp4) under uploads/.", "v for the run it starts"} {
		if !strings.Contains(text, want) {
			t.Errorf("the guide lacks %q: %s", want, text)
		}
	}
	// The command may wrap in the narrow pane.
	if !strings.Contains(strings.ReplaceAll(text, " ", ""), "awss3cpclip.mp4s3://transcode-demo/uploads/") {
		t.Errorf("the guide lacks the aws s3 cp of a clip into uploads/: %s", text)
	}
	if strings.Contains(text, "an image") {
		t.Errorf("the guide asks for an image: %s", text)
	}
}
