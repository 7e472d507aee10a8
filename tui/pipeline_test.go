package tui

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// The pipeline views' screens, drawn from a transcode run's bus events fed
// to the console in order. The lab cannot make such a run on its virtual
// clock (a Python function's work takes no lab time there, so every span
// would be empty), and on the wall clock it is not the same twice; so the
// goldens are drawn from this recorded shape, and
// TestPipelineFromARealRun drives a real lab through the same views.

// transcodeLab is the run's lab as the console lists it: one bucket, the
// three functions (what their handlers are does not matter here: the run
// comes from the script).
const transcodeLab = `
buckets:
  - name: transcode-demo
functions:
  - name: split
    handler: echo
  - name: encode
    handler: echo
    reservedConcurrency: 2
  - name: merge
    handler: echo
`

// runStep is one bus event of a scripted run, at a time after the upload.
type runStep struct {
	at time.Duration
	ev func(bus.Header) bus.Event
}

// runScript builds a run's bus events; they are published in time order
// (a step at the same time as another keeps its place).
type runScript struct {
	steps []runStep
}

func (s *runScript) add(at float64, ev func(bus.Header) bus.Event) {
	s.steps = append(s.steps, runStep{time.Duration(at * float64(time.Second)), ev})
}

func (s *runScript) queued(at float64, fn, id, cause, key string, depth int) {
	s.add(at, func(h bus.Header) bus.Event {
		return bus.InvocationQueued{Header: h, Function: fn, EventID: id, Cause: cause, Chain: "chain-clip", Depth: depth,
			Source: "s3:transcode-demo/" + key + " ObjectCreated:Put"}
	})
}

// attempt is an attempt in a warm environment from start to end, ended
// with status.
func (s *runScript) attempt(fn, id string, n int, start, end float64, status string) {
	s.coldAttempt(fn, id, n, -1, start, end, status)
}

// coldAttempt is an attempt whose environment was created at env (none
// when env is negative: a warm start).
func (s *runScript) coldAttempt(fn, id string, n int, env, start, end float64, status string) {
	req := fmt.Sprintf("req-%s-%d", id, n)
	stream := "stream-" + req
	if env >= 0 {
		s.add(env, func(h bus.Header) bus.Event { return bus.EnvironmentCreated{Header: h, Function: fn, Stream: stream} })
	}
	s.add(start, func(h bus.Header) bus.Event {
		return bus.InvocationStarted{Header: h, Function: fn, EventID: id, RequestID: req, Attempt: n, Chain: "chain-clip",
			Environment: stream, Cold: env >= 0}
	})
	d := time.Duration((end - start) * float64(time.Second))
	s.add(end, func(h bus.Header) bus.Event {
		return bus.InvocationEnded{Header: h, Function: fn, EventID: id, RequestID: req, Attempt: n, Status: status, Duration: d}
	})
}

func (s *runScript) throttled(fn, id string, at ...float64) {
	for _, t := range at {
		s.add(t, func(h bus.Header) bus.Event { return bus.InvocationThrottled{Header: h, Function: fn, EventID: id} })
	}
}

func (s *runScript) retry(at float64, fn, id string, attempt int, delay time.Duration) {
	s.add(at, func(h bus.Header) bus.Event {
		return bus.InvocationRetryScheduled{Header: h, Function: fn, EventID: id, Attempt: attempt, Delay: delay}
	})
}

// events are the run's bus events, in time order, from start.
func (s *runScript) events(start time.Time) []bus.Event {
	sort.SliceStable(s.steps, func(i, j int) bool { return s.steps[i].at < s.steps[j].at })
	var out []bus.Event
	for _, st := range s.steps {
		out = append(out, st.ev(bus.Header{Time: start.Add(st.at)}))
	}
	return out
}

// clipRun is the transcode lab's run on a 12-second clip cut into six
// 2-second chunks, with reservedConcurrency 2 on encode and
// FAIL_ONCE=003.mp4: split queues six encodes as it writes the chunks;
// two run at once (after a cold start each) and the rest queue, throttled
// while the line backs off; chunk 003's first attempt fails and is retried
// after retryAfter (a minute on Lambda; a second under --time-scale 60,
// when it waits for a slot); the encode that finds every chunk done (003's
// retry) writes the marker that queues merge.
func clipRun(retryAfter time.Duration) *runScript {
	s := &runScript{}
	s.queued(0, "split", "ev-split", "", "uploads/clip.mp4", 1)
	s.coldAttempt("split", "ev-split", 1, 0, 0.35, 1.42, "ok")
	for i := range 6 {
		s.queued(1.10+0.05*float64(i), "encode", fmt.Sprintf("ev-%03d", i), "ev-split", fmt.Sprintf("chunks/clip/%03d.mp4", i), 2)
	}
	s.coldAttempt("encode", "ev-000", 1, 1.10, 1.40, 2.95, "ok")
	s.coldAttempt("encode", "ev-001", 1, 1.15, 1.45, 3.05, "ok")
	s.throttled("encode", "ev-002", 1.20, 1.25, 1.45, 2.25)
	s.attempt("encode", "ev-002", 1, 2.95, 4.30, "ok")
	s.attempt("encode", "ev-003", 1, 3.05, 3.60, "error")
	s.retry(3.60, "encode", "ev-003", 1, retryAfter)
	s.throttled("encode", "ev-004", 3.32, 3.40)
	s.attempt("encode", "ev-004", 1, 3.60, 5.00, "ok")
	s.throttled("encode", "ev-005", 3.83, 3.95, 4.08)
	s.attempt("encode", "ev-005", 1, 4.30, 5.70, "ok")
	start := 3.60 + retryAfter.Seconds()
	if start < 5 { // due while both slots are taken: it waits for 004's
		s.throttled("encode", "ev-003", 4.62, 4.75)
		start = 5
	}
	s.attempt("encode", "ev-003", 2, start, start+1.35, "ok")
	s.queued(start+1.33, "merge", "ev-merge", "ev-003", "encoded/clip/all-encoded.json", 3)
	s.coldAttempt("merge", "ev-merge", 1, start+1.33, start+1.70, start+2.80, "ok")
	return s
}

// pipelineHarness is the console on transcodeLab with events fed in, the
// Invocations pane focused on the newest row, and the pipeline view open.
func pipelineHarness(t *testing.T, events []bus.Event, w, h int) *harness {
	t.Helper()
	hs := newHarness(t, transcodeLab, w, h)
	for _, ev := range events {
		hs.send(busMsg{ev})
	}
	hs.keys("tab", "tab", "v")
	if hs.m.pipe == nil {
		t.Fatalf("v did not open the pipeline view:\n%s", hs.screen())
	}
	return hs
}

// TestPipelineGolden: the tree and the timeline of clipRun at the
// smallest supported size and a roomy one, with the retry a second later
// (--time-scale 60), and a minute later as on Lambda: the idle minute is
// left out of the time axis, so that the fan-out keeps its detail.
func TestPipelineGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := pipelineHarness(t, clipRun(time.Minute).events(testStart), size[0], size[1])
			h.keys("tab")
			t.Run("timeline-retry-minute", func(t *testing.T) {
				golden.RequireEqual(t, []byte(h.screen()))
			})
			h.mustSee("≈", "done in 1m06s")
			if gaps := gapCount(h.m.pipe.segments); gaps != 1 {
				t.Errorf("the idle minute makes %d breaks in the axis, want 1", gaps)
			}

			h = pipelineHarness(t, clipRun(time.Second).events(testStart), size[0], size[1])
			t.Run("tree", func(t *testing.T) {
				golden.RequireEqual(t, []byte(h.screen()))
			})
			h.keys("tab")
			if gaps := gapCount(h.m.pipe.segments); gaps != 0 {
				t.Errorf("a run never idle has %d breaks in its axis", gaps)
			}
			t.Run("timeline", func(t *testing.T) {
				golden.RequireEqual(t, []byte(h.screen()))
			})
			for _, line := range strings.Split(h.screen(), "\n") {
				if w := len([]rune(line)); w > size[0] {
					t.Fatalf("a line is %d cells wide at %d columns: %q", w, size[0], line)
				}
			}
		})
	}
}

// wideRun is a fan-out of n encodes that all run at once (no reserved
// concurrency), then a merge.
func wideRun(n int) *runScript {
	s := &runScript{}
	s.queued(0, "split", "ev-split", "", "uploads/clip.mp4", 1)
	s.attempt("split", "ev-split", 1, 0, 1, "ok")
	for i := range n {
		id := fmt.Sprintf("ev-%03d", i)
		s.queued(0.5, "encode", id, "ev-split", fmt.Sprintf("chunks/clip/%03d.mp4", i), 2)
		s.attempt("encode", id, 1, 0.5, 2+0.01*float64(i), "ok")
	}
	s.queued(2+0.01*float64(n-1), "merge", "ev-merge", fmt.Sprintf("ev-%03d", n-1), "encoded/clip/all-encoded.json", 3)
	s.attempt("merge", "ev-merge", 1, 2+0.01*float64(n-1), 3, "ok")
	return s
}

// TestPipelineFollowsTheRun: the view opened while the run goes on shows
// it running, and takes the events that come after.
func TestPipelineFollowsTheRun(t *testing.T) {
	events := clipRun(time.Second).events(testStart)
	half := len(events) / 2
	h := pipelineHarness(t, events[:half], 80, 24)
	h.mustSee("running ")
	before := len(h.m.pipe.run.events)
	for _, ev := range events[half:] {
		h.send(busMsg{ev})
	}
	h.mustSee("split 1 · encode 6 · merge 1 · done in 7.80s", "└─ merge")
	if after := len(h.m.pipe.run.events); after <= before {
		t.Errorf("the view did not take the later events: %d events, then %d", before, after)
	}
}

// TestPipelineTimelineCollapsesLanes: thirty encodes at once do not fit
// 80×24 as thirty lanes; encode keeps what fits and the rest share a
// "+N lanes" row, so that every function and the legend stay on screen.
func TestPipelineTimelineCollapsesLanes(t *testing.T) {
	h := pipelineHarness(t, wideRun(30).events(testStart), 80, 24)
	h.keys("tab")
	v := h.m.pipe
	if got := len(v.run.lanes("encode")); got != 30 || v.run.mostBy["encode"] != 30 {
		t.Fatalf("30 encodes at once made %d lanes (%d at once)", got, v.run.mostBy["encode"])
	}
	if len(v.timeline) > v.rowsShown() {
		t.Fatalf("%d rows for %d lines", len(v.timeline), v.rowsShown())
	}
	lanes, more := 0, ""
	for _, r := range v.timeline {
		switch {
		case r.function == "encode" && r.kind == rowLane:
			lanes++
		case r.kind == rowMore:
			more = r.label
		}
	}
	if want := fmt.Sprintf("+%d lanes", 30-lanes); more != want {
		t.Errorf("the collapsed row says %q, want %q", more, want)
	}
	h.mustSee("split ", "encode ", "merge ", "+", " lanes", "█ ran")
}

// TestPipelineTreeScrolls: a tree longer than the screen scrolls with the
// movement keys and says where it is.
func TestPipelineTreeScrolls(t *testing.T) {
	h := pipelineHarness(t, wideRun(30).events(testStart), 80, 24)
	shown := h.m.pipe.rowsShown()
	h.mustSee(fmt.Sprintf("1–%d of 32 · ↑/↓ scroll", shown))
	if strings.Contains(h.screen(), "└─ merge") {
		t.Errorf("merge, the last node, shows before scrolling:\n%s", h.screen())
	}
	h.keys("down")
	h.mustSee(fmt.Sprintf("2–%d of 32", shown+1))
	h.keys("G")
	h.mustSee(fmt.Sprintf("%d–32 of 32", 33-shown), "└─ merge")
	h.keys("tab", "tab")
	if h.m.pipe.offset != 0 || h.m.pipe.mode != pipelineTree {
		t.Errorf("tab twice: mode %d, offset %d; want the tree from its top", h.m.pipe.mode, h.m.pipe.offset)
	}
}

// TestPipelineKeyIsListed: v is in the Invocations pane's key line and in
// the keys dialog under Invocations; the view's own key under Pipeline.
func TestPipelineKeyIsListed(t *testing.T) {
	h := newHarness(t, "", 120, 40)
	h.keys("tab", "tab")
	if !strings.Contains(ansi.Strip(h.m.footer()), "v pipeline") {
		t.Errorf("the Invocations key line lacks v: %q", h.m.footer())
	}
	for _, s := range h.m.helpSections() {
		for _, b := range s.keys {
			switch b.Help().Key {
			case "v":
				if s.title != "Invocations" {
					t.Errorf("v is listed under %s", s.title)
				}
			case "tab/←/→":
				if s.title != "Pipeline" {
					t.Errorf("tab/←/→ is listed under %s", s.title)
				}
			}
		}
	}
	h.keys("?")
	h.mustSee("v     pipeline", "Pipeline", "tab/←/→ tree ↔ timeline")
}

func gapCount(segments []axisSegment) int {
	n := 0
	for _, s := range segments {
		if s.gap {
			n++
		}
	}
	return n
}

// TestHistoryKeepsThrottlesBounded: an event throttled again and again
// counts every throttle but keeps the times of the first few.
func TestHistoryKeepsThrottlesBounded(t *testing.T) {
	h := newHistory()
	h.apply(bus.InvocationQueued{Header: bus.Header{Time: testStart}, Function: "encode", EventID: "ev"})
	for i := range 3 * maxThrottleTimes {
		h.apply(bus.InvocationThrottled{Header: bus.Header{Time: testStart.Add(time.Duration(i) * time.Second)}, Function: "encode", EventID: "ev"})
	}
	row := h.rows[0]
	if row.Throttled != 3*maxThrottleTimes || len(row.Throttles) != maxThrottleTimes {
		t.Errorf("%d throttles counted, %d times kept", row.Throttled, len(row.Throttles))
	}
}

// TestPipelineShowsADrop: an encode that fails on every attempt is dropped
// after its retries; the tree says so, the header counts it, and the
// timeline marks it.
func TestPipelineShowsADrop(t *testing.T) {
	s := &runScript{}
	s.queued(0, "split", "ev-split", "", "uploads/clip.mp4", 1)
	s.attempt("split", "ev-split", 1, 0, 1, "ok")
	s.queued(0.5, "encode", "ev-000", "ev-split", "chunks/clip/000.mp4", 2)
	s.attempt("encode", "ev-000", 1, 0.5, 2, "ok")
	s.queued(0.6, "encode", "ev-001", "ev-split", "chunks/clip/001.mp4", 2)
	for n, at := range []float64{0.6, 61.6, 181.6} {
		s.attempt("encode", "ev-001", n+1, at, at+1, "error")
		if n < 2 {
			s.retry(at+1, "encode", "ev-001", n+1, time.Duration(n+1)*time.Minute)
		}
	}
	s.add(182.6, func(h bus.Header) bus.Event {
		return bus.InvocationDropped{Header: h, Function: "encode", EventID: "ev-001", Condition: "RetriesExhausted", Attempts: 3}
	})
	h := pipelineHarness(t, s.events(testStart), 80, 24)
	h.mustSee("split 1 · encode 2 · done in 3m02s", "at most 3 at once (split 1 · encode 2) · 2 retries · 1 dropped", "dropped after 3 attempts")
	h.keys("tab")
	h.mustSee("▓✗ failed", "✗ dropped")
	if n := strings.Count(h.screen(), "✗"); n < 5 { // three failed attempts, the drop, the legend's two
		t.Errorf("%d ✗ on the timeline, want the three failures, the drop and the legend's:\n%s", n, h.screen())
	}
}
