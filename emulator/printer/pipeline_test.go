package printer

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// script builds bus events at a lab time that moves on by a second each.
type script struct {
	at     time.Time
	events []bus.Event
}

func (s *script) h() bus.Header {
	s.at = s.at.Add(time.Second)
	return bus.Header{Time: s.at}
}

func (s *script) queued(fn, id, chain string, depth int, source string) {
	s.events = append(s.events, bus.InvocationQueued{Header: s.h(), Function: fn, EventID: id, Chain: chain, Depth: depth, Source: source})
}

func (s *script) running(fn string, n int) {
	s.events = append(s.events, bus.FunctionMetrics{Header: s.h(), Function: fn, Metrics: bus.Metrics{ConcurrentExecutions: n}})
}

func (s *script) ended(fn, id, status string) {
	s.events = append(s.events, bus.InvocationEnded{Header: s.h(), Function: fn, EventID: id, Status: status})
}

// fanOut is a split → three encodes → merge run, as the transcode lab
// makes one: the encodes are queued while split runs, one is throttled,
// one fails once and is retried.
func fanOut(chain, video string) *script {
	s := &script{at: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	s.queued("split", chain+"-s", chain, 1, "s3:demo/uploads/"+video+" ObjectCreated:Put")
	s.running("split", 1)
	for i := range 3 {
		s.queued("encode", fmt.Sprintf("%s-e%d", chain, i), chain, 2, "s3:demo/chunks/x ObjectCreated:Put")
	}
	s.running("encode", 1)
	s.ended("split", chain+"-s", "ok")
	s.running("split", 0)
	s.running("encode", 2)
	s.events = append(s.events, bus.InvocationThrottled{Header: s.h(), Function: "encode", EventID: chain + "-e2"})
	s.ended("encode", chain+"-e0", "error")
	s.events = append(s.events, bus.InvocationRetryScheduled{Header: s.h(), Function: "encode", EventID: chain + "-e0", Attempt: 1})
	s.running("encode", 1)
	s.ended("encode", chain+"-e1", "ok")
	s.running("encode", 0)
	s.running("encode", 2)
	s.ended("encode", chain+"-e0", "ok")
	s.running("encode", 1)
	// The last encode's write queues merge before the encode ends.
	s.queued("merge", chain+"-m", chain, 3, "s3:demo/encoded/x ObjectCreated:Put")
	s.ended("encode", chain+"-e2", "ok")
	s.running("encode", 0)
	s.running("merge", 1)
	s.ended("merge", chain+"-m", "ok")
	return s
}

// TestPipelineSummary: a run that fans out and in is summed up once, when
// its last event ends: the upload, the stages, the lab time from the
// upload's event to the end, concurrency as Lambda counted it, throttles
// and retries.
func TestPipelineSummary(t *testing.T) {
	s := fanOut("c1", "clip.mp4")
	p := NewPipelines()
	var got []string
	for i, ev := range s.events {
		if line := p.Observe(ev); line != "" {
			got = append(got, fmt.Sprintf("%d: %s", i, line))
		}
	}
	want := fmt.Sprintf("%d: pipeline demo/uploads/clip.mp4: split ×1 → encode ×3 → merge ×1: 5 invocations in 22s (lab time), at most 2 at once, 1 throttle, 1 retry",
		len(s.events)-1)
	if len(got) != 1 || got[0] != want {
		t.Fatalf("summaries:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	if len(p.runs) != 0 || len(p.events) != 0 {
		t.Errorf("a finished run is kept: %d runs, %d events", len(p.runs), len(p.events))
	}
}

// TestPipelineNotSummed: chains that do not fan out are not pipelines (a
// lone invocation, a loop of one event per level, a failure that is
// retried); a chain first seen past its start is not followed.
func TestPipelineNotSummed(t *testing.T) {
	s := &script{at: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	s.queued("resize", "a", "lone", 1, "s3:b/cat.png ObjectCreated:Put")
	s.ended("resize", "a", "error")
	s.events = append(s.events, bus.InvocationRetryScheduled{Header: s.h(), Function: "resize", EventID: "a", Attempt: 1})
	s.ended("resize", "a", "ok")
	for d := 1; d <= 5; d++ {
		id := fmt.Sprintf("loop%d", d)
		s.queued("loop", id, "loop", d, "s3:b/k ObjectCreated:Put")
		s.ended("loop", id, "ok")
	}
	s.queued("encode", "late1", "late", 2, "s3:b/c1 ObjectCreated:Put")
	s.queued("encode", "late2", "late", 2, "s3:b/c2 ObjectCreated:Put")
	s.ended("encode", "late1", "ok")
	s.ended("encode", "late2", "ok")
	p := NewPipelines()
	for _, ev := range s.events {
		if line := p.Observe(ev); line != "" {
			t.Errorf("summed up: %s", line)
		}
	}
	if len(p.runs) != 0 || len(p.events) != 0 {
		t.Errorf("left behind: %d runs, %d events", len(p.runs), len(p.events))
	}
}

// TestPipelineDroppedAndInterleaved: two runs at once are told apart by
// their chains, and a run whose event is dropped ends with it, saying so.
func TestPipelineDroppedAndInterleaved(t *testing.T) {
	a, b := fanOut("a", "one.mp4"), fanOut("b", "two.mp4")
	// b's first encode gives up instead of succeeding on its retry.
	for i, ev := range b.events {
		if e, ok := ev.(bus.InvocationEnded); ok && e.EventID == "b-e0" && e.Status == "ok" {
			b.events[i] = bus.InvocationDropped{Header: e.Header, Function: "encode", EventID: "b-e0", Condition: "RetriesExhausted", Attempts: 3}
		}
	}
	p := NewPipelines()
	var got []string
	for i := range a.events {
		for _, ev := range []bus.Event{a.events[i], b.events[i]} {
			if line := p.Observe(ev); line != "" {
				got = append(got, line)
			}
		}
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], "pipeline demo/uploads/one.mp4: ") ||
		!strings.HasPrefix(got[1], "pipeline demo/uploads/two.mp4: ") || !strings.HasSuffix(got[1], ", 1 event DROPPED") ||
		strings.Contains(got[0], "DROPPED") {
		t.Fatalf("summaries:\n%s", strings.Join(got, "\n"))
	}
}

// TestPrinterPrintsPipelineSummary: serve's printer writes the summary
// after the line of the event that ends the run, with its time.
func TestPrinterPrintsPipelineSummary(t *testing.T) {
	var buf bytes.Buffer
	p := New(&buf)
	s := fanOut("c1", "clip.mp4")
	for _, ev := range s.events {
		p.Print(ev)
	}
	want := "09:00:23.000 pipeline demo/uploads/clip.mp4: split ×1 → encode ×3 → merge ×1: 5 invocations in 22s (lab time), at most 2 at once, 1 throttle, 1 retry\n"
	if !strings.HasSuffix(buf.String(), "~ attempt 1 failed; Lambda retries in 0s\n"+want) {
		t.Fatalf("printed:\n%s\nwant it to end with:\n%s", buf.String(), want)
	}
}
