package lambda

import (
	"context"
	"testing"
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/handler/sandbox"
)

// A throttled event backs off as Lambda's async queue does, 1 s doubling
// to at most 5 minutes, and takes the slot the moment it frees rather than
// at its next back-off.
func TestThrottleBackOffSequence(t *testing.T) {
	h := newHarness(t)
	one := 1
	h.add(Config{Name: "busy", ReservedConcurrency: &one, Timeout: 900 * time.Second},
		func(ctx context.Context, ev map[string]int) error {
			return sandbox.Sleep(ctx, time.Duration(ev["hold"])*time.Second)
		})
	h.invoke("busy", `{"hold":890}`)
	h.invoke("busy", `{"hold":0}`)
	evs := h.run()

	var delays []time.Duration
	var at []time.Duration
	for _, th := range of[bus.InvocationThrottled](evs) {
		delays = append(delays, th.Retry)
		at = append(at, th.Time.Sub(epoch))
	}
	s := time.Second
	want := []time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 64 * s, 128 * s, 256 * s, 300 * s, 300 * s}
	wantAt := []time.Duration{0, 1 * s, 3 * s, 7 * s, 15 * s, 31 * s, 63 * s, 127 * s, 255 * s, 511 * s, 811 * s}
	if !equalDurations(delays, want) || !equalDurations(at, wantAt) {
		t.Fatalf("throttle back-offs %v at %v,\nwant %v at %v", delays, at, want, wantAt)
	}
	starts := of[bus.InvocationStarted](evs)
	if len(starts) != 2 || starts[1].Time.Sub(epoch) != 890*s {
		t.Fatalf("the throttled event should start when the slot frees (890s): %+v", starts)
	}
	if m, _ := h.s.Metrics("busy"); m.Throttles != 11 || m.AsyncEventsDropped != 0 {
		t.Errorf("metrics %+v", m)
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A burst far beyond the concurrency drains into the slots as they free:
// nothing is dropped for age while the function could run it, and the
// whole burst takes the handler time divided by the concurrency.
func TestBurstFlowsIntoFreeSlots(t *testing.T) {
	h := newHarness(t)
	two := 2
	zero := 0
	work := 15 * time.Millisecond
	h.add(Config{Name: "resize", ReservedConcurrency: &two, MaximumEventAge: 60 * time.Second, MaximumRetryAttempts: &zero},
		func(ctx context.Context) error { return sandbox.Sleep(ctx, work) })
	const n = 160
	for i := 0; i < n; i++ {
		h.invoke("resize", `{}`)
	}
	evs := h.run()
	ok := 0
	var last time.Time
	for _, e := range of[bus.InvocationEnded](evs) {
		if e.Status == StatusOK {
			ok++
		}
		last = e.Time
	}
	if d := of[bus.InvocationDropped](evs); ok != n || len(d) != 0 {
		t.Fatalf("%d of %d ok, %d dropped: %+v", ok, n, len(d), d)
	}
	if took, want := last.Sub(epoch), n/2*work; took != want {
		t.Errorf("the burst took %v of lab time, want %v (handler time / concurrency)", took, want)
	}
	// Only the event at the head of the line is tried while both slots
	// are taken: a handful of throttles, not one per event per wave.
	if th := len(of[bus.InvocationThrottled](evs)); th == 0 || th > 2 {
		t.Errorf("%d throttles for a burst that waits in line", th)
	}
}

// A retry after a function error waits its minute, then two, even when a
// slot frees earlier: only throttled events take a slot as it frees.
func TestFunctionErrorRetryKeepsItsDelayWhileOthersFlow(t *testing.T) {
	h := newHarness(t)
	one := 1
	h.add(Config{Name: "f", ReservedConcurrency: &one},
		func(ctx context.Context, ev map[string]int) error {
			if ev["fail"] == 1 {
				return context.Canceled
			}
			return sandbox.Sleep(ctx, time.Second)
		})
	h.invoke("f", `{"fail":1}`)
	h.invoke("f", `{}`)
	h.invoke("f", `{}`)
	evs := h.run()
	starts := of[bus.InvocationStarted](evs)
	// The failing event runs at 0, the others at 0 and 1 s (the second one
	// throttled meanwhile); its retries wait their minute and two.
	var failing []time.Duration
	for _, st := range starts {
		if st.RequestID == starts[0].RequestID {
			failing = append(failing, st.Time.Sub(epoch))
		}
	}
	if want := []time.Duration{0, time.Minute, 3 * time.Minute}; !equalDurations(failing, want) {
		t.Errorf("failing event's attempts at %v, want %v", failing, want)
	}
}
