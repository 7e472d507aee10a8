package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/notify"
	"github.com/lambdalab/lambdalab/handler/sandbox"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// harness is a Service on a virtual clock with a recording of its bus.
type harness struct {
	t       *testing.T
	s       *Service
	clock   *clock.Virtual
	mu      sync.Mutex
	events  []bus.Event
	records map[string][]byte
	sub     *bus.Subscription
	done    chan struct{}
}

func newHarness(t *testing.T, opts ...Option) *harness {
	t.Helper()
	h := &harness{t: t, clock: clock.NewVirtual(epoch), records: map[string][]byte{}, done: make(chan struct{})}
	b := bus.New()
	h.sub = b.Subscribe()
	go func() {
		defer close(h.done)
		for ev := range h.sub.C() {
			h.mu.Lock()
			h.events = append(h.events, ev)
			h.mu.Unlock()
		}
	}()
	deliver := func(_ context.Context, fn, bucket, key string, body []byte) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.records[bucket+"/"+key] = body
		return nil
	}
	all := append([]Option{WithClock(h.clock), WithBus(b), WithIDs(ids.NewSeeded(1, 2)), WithDeliverer(deliver)}, opts...)
	h.s = New(all...)
	t.Cleanup(func() {
		h.s.Close()
		b.Close()
		<-h.done
	})
	return h
}

func (h *harness) add(cfg Config, fn any) {
	h.t.Helper()
	if err := h.s.AddFunction(cfg, InProcess(func(func(string) string) (awslambda.Handler, error) { return awslambda.NewHandler(fn), nil })); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) invoke(function string, payload string) {
	h.t.Helper()
	if err := h.s.InvokeAsync(notify.AsyncInvocation{FunctionARN: h.s.ARN(function), Payload: []byte(payload)}); err != nil {
		h.t.Fatal(err)
	}
}

// run drives the virtual clock until idle and returns every event so far.
func (h *harness) run() []bus.Event {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // a hang guard, not a speed bound
	defer cancel()
	if err := h.s.RunUntilIdle(ctx, h.clock); err != nil {
		h.t.Fatal(err)
	}
	// Everything published so far reaches the recorder before a marker.
	return h.sync()
}

type mark struct{ bus.Header }

// sync returns every event published before it was called: the bus
// delivers in order, so they all precede the mark it publishes.
func (h *harness) sync() []bus.Event {
	h.s.bus.Publish(mark{})
	for i := 0; i < 5000; i++ {
		h.mu.Lock()
		for j, e := range h.events {
			if _, ok := e.(mark); ok {
				h.events = append(h.events[:j], h.events[j+1:]...)
				out := append([]bus.Event(nil), h.events[:j]...)
				h.mu.Unlock()
				return out
			}
		}
		h.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	h.t.Fatal("bus did not deliver")
	return nil
}

func of[T bus.Event](events []bus.Event) []T {
	var out []T
	for _, e := range events {
		if v, ok := e.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

func lines(events []bus.Event, requestID string) []string {
	var out []string
	for _, l := range of[bus.LogLine](events) {
		if l.RequestID == requestID {
			out = append(out, l.Line)
		}
	}
	return out
}

func TestRetriesAfterOneAndTwoMinutesThenOnFailure(t *testing.T) {
	h := newHarness(t)
	h.add(Config{Name: "broken", Handler: "fail", OnFailure: "failed-events"}, func(ctx context.Context) error {
		sandbox.Logf(ctx, "about to fail")
		return errors.New("image is corrupt")
	})
	h.invoke("broken", `{"Records":[]}`)
	evs := h.run()

	starts := of[bus.InvocationStarted](evs)
	if len(starts) != 3 {
		t.Fatalf("attempts = %d, want 3", len(starts))
	}
	if d := starts[1].Time.Sub(starts[0].Time); d != time.Minute {
		t.Errorf("first retry after %v, want 1m", d)
	}
	if d := starts[2].Time.Sub(starts[1].Time); d != 2*time.Minute {
		t.Errorf("second retry after %v, want 2m", d)
	}
	for i, st := range starts {
		if st.Attempt != i+1 {
			t.Errorf("attempt %d numbered %d", i+1, st.Attempt)
		}
		// Lambda's retries keep the event's request id.
		if st.RequestID != starts[0].RequestID || st.RequestID != st.EventID {
			t.Errorf("attempt %d: request id %s, event %s; first attempt's %s", i+1, st.RequestID, st.EventID, starts[0].RequestID)
		}
	}
	// Each attempt logs START, the handler's line, the error, END, REPORT,
	// all under the one request id.
	l := lines(evs, starts[0].RequestID)
	if len(l) != 15 {
		t.Fatalf("log of the three attempts:\n%s", strings.Join(l, "\n"))
	}
	for i := 0; i < 15; i += 5 {
		if !strings.HasPrefix(l[i], "START RequestId: "+starts[0].RequestID) || l[i+1] != "about to fail" ||
			l[i+2] != `{"errorMessage":"image is corrupt","errorType":"errorString"}` || !strings.HasPrefix(l[i+3], "END ") || !strings.HasPrefix(l[i+4], "REPORT ") {
			t.Errorf("log of attempt %d:\n%s", i/5+1, strings.Join(l[i:i+5], "\n"))
		}
	}
	if len(h.records) != 1 {
		t.Fatalf("records = %d, want 1", len(h.records))
	}
	for key, body := range h.records {
		if !strings.HasPrefix(key, "failed-events/aws/lambda/async/broken/2026/03/01/") {
			t.Errorf("record key %s", key)
		}
		var rec InvocationRecord
		if err := json.Unmarshal(body, &rec); err != nil {
			t.Fatal(err)
		}
		if rec.RequestContext.Condition != "RetriesExhausted" || rec.RequestContext.ApproximateInvokeCount != 3 ||
			rec.RequestContext.RequestID != starts[2].RequestID || rec.ResponsePayload.Message != "image is corrupt" ||
			rec.ResponseContext.FunctionError != "Unhandled" || string(rec.RequestPayload) != `{"Records":[]}` ||
			rec.RequestContext.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:broken:$LATEST" {
			t.Errorf("record: %s", body)
		}
	}
	m, _ := h.s.Metrics("broken")
	if m.Invocations != 3 || m.Errors != 3 || m.AsyncEventsDropped != 1 || m.AsyncEventsReceived != 1 {
		t.Errorf("metrics: %+v", m)
	}
}

func TestMaximumRetryAttemptsZero(t *testing.T) {
	h := newHarness(t)
	zero := 0
	h.add(Config{Name: "once", MaximumRetryAttempts: &zero}, func() error { return errors.New("no") })
	h.invoke("once", `{}`)
	evs := h.run()
	if n := len(of[bus.InvocationStarted](evs)); n != 1 {
		t.Errorf("attempts = %d, want 1", n)
	}
	if d := of[bus.InvocationDropped](evs); len(d) != 1 || d[0].Condition != "RetriesExhausted" || d[0].Destination != "" {
		t.Errorf("dropped: %+v", d)
	}
}

func TestTimeoutEndsEnvironmentAndRetries(t *testing.T) {
	h := newHarness(t)
	one := 1
	h.add(Config{Name: "slow", Timeout: 3 * time.Second, MaximumRetryAttempts: &one}, func(ctx context.Context) error {
		return sandbox.Sleep(ctx, 5*time.Second)
	})
	h.invoke("slow", `{}`)
	evs := h.run()
	ends := of[bus.InvocationEnded](evs)
	if len(ends) != 2 {
		t.Fatalf("attempts = %d, want 2", len(ends))
	}
	for _, e := range ends {
		if e.Status != StatusTimeout || e.Duration != 3*time.Second ||
			!strings.Contains(e.Error, `"errorMessage":"RequestId: `+e.RequestID+` Error: Task timed out after 3.00 seconds","errorType":"Sandbox.Timedout"`) {
			t.Errorf("end: %+v", e)
		}
		l := lines(evs, e.RequestID)
		if !strings.HasSuffix(l[1], " "+e.RequestID+" Task timed out after 3.00 seconds") {
			t.Errorf("log: %q", l)
		}
		// Every attempt is cold: the timeout ended the environment.
		if !strings.Contains(l[len(l)-1], "Init Duration") {
			t.Errorf("attempt after a timeout should be cold: %q", l[len(l)-1])
		}
	}
	if n := len(of[bus.EnvironmentEnded](evs)); n != 2 {
		t.Errorf("environments ended = %d, want 2", n)
	}
}

func TestWarmEnvironmentReusedAndReclaimedWhenIdle(t *testing.T) {
	h := newHarness(t, WithIdleTimeout(5*time.Minute))
	h.add(Config{Name: "echo"}, func(ctx context.Context, ev json.RawMessage) (json.RawMessage, error) { return ev, nil })
	h.invoke("echo", `{"n":1}`)
	h.run()
	h.invoke("echo", `{"n":2}`)
	evs := h.run()
	starts := of[bus.InvocationStarted](evs)
	if len(starts) != 2 || !starts[0].Cold || starts[1].Cold || starts[0].Environment != starts[1].Environment {
		t.Fatalf("starts: %+v", starts)
	}
	reports := []string{}
	for _, s := range starts {
		l := lines(evs, s.RequestID)
		reports = append(reports, l[len(l)-1])
	}
	if !strings.Contains(reports[0], "\tInit Duration: ") || strings.Contains(reports[1], "Init Duration") {
		t.Errorf("REPORT lines: %q", reports)
	}
	if ends := of[bus.InvocationEnded](evs); string(ends[1].Result) != `{"n":2}` {
		t.Errorf("result %s", ends[1].Result)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // a hang guard
	defer cancel()
	if err := h.s.RunFor(ctx, h.clock, 4*time.Minute); err != nil {
		t.Fatal(err)
	}
	if ended := of[bus.EnvironmentEnded](h.sync()); len(ended) != 0 {
		t.Fatalf("reclaimed before the idle timeout: %+v", ended)
	}
	if err := h.s.RunFor(ctx, h.clock, time.Minute); err != nil {
		t.Fatal(err)
	}
	ended := of[bus.EnvironmentEnded](h.sync())
	if len(ended) != 1 || ended[0].Reason != "idle" || !ended[0].Time.Equal(epoch.Add(5*time.Minute)) {
		t.Fatalf("reclaim: %+v", ended)
	}
}

func TestPanicEndsEnvironment(t *testing.T) {
	h := newHarness(t)
	zero := 0
	h.add(Config{Name: "boom", MaximumRetryAttempts: &zero}, func(ctx context.Context, ev map[string]any) error {
		if ev["panic"] == true {
			panic("something bad")
		}
		return nil
	})
	h.invoke("boom", `{"panic":true}`)
	h.run()
	h.invoke("boom", `{"panic":false}`)
	evs := h.run()
	ends := of[bus.InvocationEnded](evs)
	if len(ends) != 2 || ends[0].Status != StatusCrash || ends[1].Status != StatusOK {
		t.Fatalf("ends: %+v", ends)
	}
	var fe FunctionError
	if err := json.Unmarshal([]byte(ends[0].Error), &fe); err != nil || fe.Message != "something bad" || fe.Type != "string" || len(fe.StackTrace) == 0 {
		t.Errorf("panic error: %s", ends[0].Error)
	}
	starts := of[bus.InvocationStarted](evs)
	if !starts[1].Cold || starts[0].Environment == starts[1].Environment {
		t.Errorf("the invocation after a panic must get a new environment: %+v", starts)
	}
}

func TestInitFailure(t *testing.T) {
	h := newHarness(t)
	zero := 0
	err := h.s.AddFunction(Config{Name: "noinit", MaximumRetryAttempts: &zero}, InProcess(func(getenv func(string) string) (awslambda.Handler, error) {
		return nil, errors.New("OUTPUT_BUCKET is not set")
	}))
	if err != nil {
		t.Fatal(err)
	}
	h.invoke("noinit", `{}`)
	evs := h.run()
	ends := of[bus.InvocationEnded](evs)
	if len(ends) != 1 || ends[0].Status != StatusInit || !strings.Contains(ends[0].Error, "Runtime.ExitError") {
		t.Fatalf("ends: %+v", ends)
	}
	l := lines(evs, ends[0].RequestID)
	if l[0] != "OUTPUT_BUCKET is not set" || !strings.HasPrefix(l[1], "INIT_REPORT Init Duration: ") {
		t.Errorf("log: %q", l)
	}
}

func TestReservedConcurrencyThrottles(t *testing.T) {
	h := newHarness(t)
	one := 1
	h.add(Config{Name: "single", ReservedConcurrency: &one}, func(ctx context.Context) error {
		return sandbox.Sleep(ctx, 500*time.Millisecond)
	})
	for i := 0; i < 5; i++ {
		h.invoke("single", `{}`)
	}
	evs := h.run()
	running, most := 0, 0
	ok := 0
	for _, e := range evs {
		switch e := e.(type) {
		case bus.InvocationStarted:
			running++
			most = max(most, running)
		case bus.InvocationEnded:
			running--
			if e.Status == StatusOK {
				ok++
			}
		}
	}
	m, _ := h.s.Metrics("single")
	if most != 1 || ok != 5 || m.Throttles == 0 || m.MaxConcurrentExecutions != 1 {
		t.Errorf("most running %d, ok %d, metrics %+v", most, ok, m)
	}
}

func TestEventAgeExceeded(t *testing.T) {
	h := newHarness(t)
	zero := 0
	h.add(Config{Name: "off", ReservedConcurrency: &zero, MaximumEventAge: time.Minute, OnFailure: "dlq-bucket"}, func() error { return nil })
	h.invoke("off", `{"k":1}`)
	evs := h.run()
	d := of[bus.InvocationDropped](evs)
	if len(d) != 1 || d[0].Condition != "EventAgeExceeded" || d[0].Attempts != 0 {
		t.Fatalf("dropped: %+v", d)
	}
	if age := d[0].Time.Sub(epoch); age < time.Minute || age > 2*time.Minute {
		t.Errorf("dropped after %v, want just over 1m", age)
	}
	for _, body := range h.records {
		var rec InvocationRecord
		json.Unmarshal(body, &rec)
		if rec.RequestContext.Condition != "EventAgeExceeded" || rec.RequestContext.ApproximateInvokeCount != 0 || rec.ResponseContext != nil {
			t.Errorf("record %s", body)
		}
	}
}

func TestHandlerLogsStayInsideTheirInvocation(t *testing.T) {
	h := newHarness(t)
	h.add(Config{Name: "chatty"}, func(ctx context.Context, ev map[string]int) error {
		for i := 0; i < 3; i++ {
			sandbox.Logf(ctx, "event %d line %d", ev["n"], i)
			if err := sandbox.Sleep(ctx, time.Duration(10-ev["n"])*time.Millisecond); err != nil {
				return err
			}
		}
		return nil
	})
	for n := 0; n < 10; n++ {
		h.invoke("chatty", `{"n":`+string(rune('0'+n))+`}`)
	}
	evs := h.run()
	if m, _ := h.s.Metrics("chatty"); m.MaxConcurrentExecutions != 10 {
		t.Errorf("expected ten at once, got %d", m.MaxConcurrentExecutions)
	}
	for _, st := range of[bus.InvocationStarted](evs) {
		l := lines(evs, st.RequestID)
		if len(l) != 6 || !strings.HasPrefix(l[0], "START") || !strings.HasPrefix(l[4], "END") || !strings.HasPrefix(l[5], "REPORT") {
			t.Fatalf("invocation %s log:\n%s", st.RequestID, strings.Join(l, "\n"))
		}
		prefix := l[1][:len("event 0")]
		for _, line := range l[1:4] {
			if !strings.HasPrefix(line, prefix) {
				t.Errorf("line %q inside another invocation's log (%s)", line, prefix)
			}
		}
	}
}
