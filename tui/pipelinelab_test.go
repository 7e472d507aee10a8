package tui

import (
	"strings"
	"testing"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// fanOutLab is a pipeline of the lab's own Python functions
// (testdata/pipeline): an upload under uploads/ is split into four chunks,
// each chunk encoded (one at a time: reservedConcurrency 1; chunk 002
// fails once), and the encode that finds them all done triggers merge.
const fanOutLab = `
buckets:
  - name: fanout-demo
functions:
  - name: split
    runtime: python3.12
    handler: lambda_function.split
    code: testdata/pipeline
    environment: {CHUNKS: "4"}
  - name: encode
    runtime: python3.12
    handler: lambda_function.encode
    code: testdata/pipeline
    environment: {CHUNKS: "4", FAIL_ONCE: "002.mp4"}
    reservedConcurrency: 1
  - name: merge
    runtime: python3.12
    handler: lambda_function.merge
    code: testdata/pipeline
triggers:
  - bucket: fanout-demo
    function: split
    prefix: uploads/
    suffix: .mp4
    acknowledgeRecursiveInvocation: true
  - bucket: fanout-demo
    function: encode
    prefix: chunks/
    suffix: .mp4
    acknowledgeRecursiveInvocation: true
  - bucket: fanout-demo
    function: merge
    prefix: encoded/
    suffix: all-encoded.json
    acknowledgeRecursiveInvocation: true
`

// TestPipelineFromARealRun: a real run of fanOutLab, opened from the
// Invocations pane with v, is the tree 1 → 4 → 1, with merge under the
// encode whose write queued it (chunk 002's retry, the last to finish);
// its numbers are the bus's; tab shows the timeline, where encode has one
// lane (its reserved concurrency) and a queue row; esc goes back.
func TestPipelineFromARealRun(t *testing.T) {
	h := newHarness(t, fanOutLab, 120, 40)
	h.lab.Put(t, "fanout-demo", "uploads/clip.mp4", []byte("not really a video"), "video/mp4")
	h.settle()
	h.keys("tab", "tab", "v")
	v := h.m.pipe
	if v == nil {
		t.Fatalf("v did not open the pipeline view:\n%s", h.screen())
	}
	run := v.run
	if len(run.roots) != 1 || run.roots[0].function != "split" || run.roots[0].object != "fanout-demo/uploads/clip.mp4" {
		t.Fatalf("the run's roots: %+v", run.roots)
	}
	encodes := run.roots[0].children
	var merges []*pipeEvent
	for i, e := range encodes {
		if want := "fanout-demo/chunks/clip/00" + string(rune('0'+i)) + ".mp4"; e.function != "encode" || e.object != want {
			t.Errorf("split's child %d is %s of %s, want encode of %s", i, e.function, e.object, want)
		}
		for _, c := range e.children {
			merges = append(merges, c)
			if e.object != "fanout-demo/chunks/clip/002.mp4" {
				t.Errorf("merge is under the encode of %s, want 002's (its retry finished last)", e.object)
			}
		}
	}
	if len(encodes) != 4 || len(merges) != 1 || merges[0].function != "merge" || len(merges[0].children) != 0 {
		t.Fatalf("the tree is not split → 4 encodes → 1 merge:\n%s", h.screen())
	}
	if got := v.eventStatus(encodes[2]); got != "ok after 2 attempts" {
		t.Errorf("chunk 002's encode says %q", got)
	}
	throttles, retries := busCounts(h.lab.Events, run)
	if run.throttles != throttles || run.retries != retries || retries != 1 {
		t.Errorf("the view counts %d throttles and %d retries; the bus had %d and %d", run.throttles, run.retries, throttles, retries)
	}
	if run.mostBy["encode"] != 1 || len(run.lanes("encode")) != 1 {
		t.Errorf("encode (reserved concurrency 1) ran %d at once, in %d lanes", run.mostBy["encode"], len(run.lanes("encode")))
	}
	h.mustSee("Pipeline · fanout-demo/uploads/clip.mp4", "split 1 · encode 4 · merge 1", "├─ encode", "│  └─ merge",
		"ok after 2 attempts", "1 retry")

	h.keys("tab")
	var encodeRows []timelineRow
	for _, r := range v.timeline {
		if r.function == "encode" {
			encodeRows = append(encodeRows, r)
		}
	}
	if len(encodeRows) != 2 || encodeRows[0].kind != rowLane || encodeRows[1].kind != rowQueue {
		t.Errorf("encode's block is %+v, want one lane and its queue", encodeRows)
	}
	h.mustSee("[Timeline]", "encode", " queue", "▓✗ failed", "· retry wait")
	h.keys("esc")
	if h.m.pipe != nil || h.m.focus != invocationsPaneID {
		t.Errorf("esc left the pipeline view open (%v) or focus on pane %d", h.m.pipe != nil, h.m.focus)
	}
}

// busCounts are the throttles and retry schedules the bus published for
// the run's events.
func busCounts(rec *labtest.Recorder, run *pipeline) (throttles, retries int) {
	ids := map[string]bool{}
	for _, e := range run.events {
		ids[e.id] = true
	}
	for _, e := range labtest.Of[bus.InvocationThrottled](rec) {
		if ids[e.EventID] {
			throttles++
		}
	}
	for _, e := range labtest.Of[bus.InvocationRetryScheduled](rec) {
		if ids[e.EventID] {
			retries++
		}
	}
	return throttles, retries
}

// TestPipelineOfOneInvocation: the exercise's single invocation is a run
// too, a tree of one.
func TestPipelineOfOneInvocation(t *testing.T) {
	h := newHarness(t, "", 80, 24)
	h.lab.Put(t, "cis-examples", "cat.png", []byte(mustPNG(t)), "image/png")
	h.settle()
	h.keys("tab", "tab", "v")
	if h.m.pipe == nil || len(h.m.pipe.run.events) != 1 {
		t.Fatalf("the pipeline view of one invocation:\n%s", h.screen())
	}
	h.mustSee("Pipeline · cis-examples/cat.png", "cis-exercise-demo 1", "cis-exercise-demo ok", "cis-exercise-demo 1 · done")
	if strings.Contains(h.screen(), "├─") {
		t.Errorf("a run of one has branches:\n%s", h.screen())
	}
	h.keys("tab")
	h.mustSee("cis-exercise-demo █")
}
