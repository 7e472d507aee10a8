package tui

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

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

// attempt is an attempt from start to end, ended with status.
func (s *runScript) attempt(fn, id string, n int, start, end float64, status string) {
	req := fmt.Sprintf("req-%s-%d", id, n)
	s.add(start, func(h bus.Header) bus.Event {
		return bus.InvocationStarted{Header: h, Function: fn, EventID: id, RequestID: req, Attempt: n, Chain: "chain-clip"}
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
// 2-second chunks, as the console saw it under --time-scale 60 (waits,
// the retry's minute among them, sixty times shorter), with
// reservedConcurrency 2 on encode and FAIL_ONCE=003.mp4: split queues six
// encodes as it writes the chunks; two run at once and the rest queue,
// throttled while the line backs off; chunk 003's first attempt fails and
// its retry, a second later, waits for a slot; the encode that finds every
// chunk done (003's retry) writes the marker that queues merge.
func clipRun() *runScript {
	s := &runScript{}
	s.queued(0, "split", "ev-split", "", "uploads/clip.mp4", 1)
	s.attempt("split", "ev-split", 1, 0.01, 1.42, "ok")
	for i := range 6 {
		s.queued(1.10+0.05*float64(i), "encode", fmt.Sprintf("ev-%03d", i), "ev-split", fmt.Sprintf("chunks/clip/%03d.mp4", i), 2)
	}
	s.attempt("encode", "ev-000", 1, 1.10, 2.95, "ok")
	s.attempt("encode", "ev-001", 1, 1.15, 3.05, "ok")
	s.throttled("encode", "ev-002", 1.20, 1.25, 1.45, 2.25)
	s.attempt("encode", "ev-002", 1, 2.95, 4.30, "ok")
	s.attempt("encode", "ev-003", 1, 3.05, 3.60, "error")
	s.retry(3.60, "encode", "ev-003", 1, time.Second)
	s.throttled("encode", "ev-004", 3.32, 3.40)
	s.attempt("encode", "ev-004", 1, 3.60, 5.00, "ok")
	s.throttled("encode", "ev-005", 3.83, 3.95, 4.08)
	s.attempt("encode", "ev-005", 1, 4.30, 5.70, "ok")
	s.throttled("encode", "ev-003", 4.62, 4.75)
	s.attempt("encode", "ev-003", 2, 5.00, 6.35, "ok")
	s.queued(6.33, "merge", "ev-merge", "ev-003", "encoded/clip/all-encoded.json", 3)
	s.attempt("merge", "ev-merge", 1, 6.33, 7.80, "ok")
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
// smallest supported size and a roomy one.
func TestPipelineGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := pipelineHarness(t, clipRun().events(testStart), size[0], size[1])
			t.Run("tree", func(t *testing.T) {
				golden.RequireEqual(t, []byte(h.screen()))
			})
			h.keys("tab")
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
