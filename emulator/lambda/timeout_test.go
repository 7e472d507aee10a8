package lambda

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/notify"
	"github.com/lambdalab/lambdalab/handler/sandbox"
)

// On the wall clock, a handler that returns its context's error the
// instant the deadline passes races the timeout timer. Lambda's deadline
// wins, always: every attempt reports the timeout, and its environment is
// recycled, so the next attempt is cold.
func TestTimeoutWinsOnTheWallClock(t *testing.T) {
	b := bus.New()
	sub := b.Subscribe()
	s := New(WithBus(b))
	t.Cleanup(func() { s.Close(); b.Close() })
	zero := 0
	err := s.AddFunction(Config{Name: "sleeper", Timeout: time.Second, MaximumRetryAttempts: &zero},
		InProcess(func(func(string) string) (awslambda.Handler, error) {
			return awslambda.NewHandler(func(ctx context.Context) error { return sandbox.Sleep(ctx, 5*time.Second) }), nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	for i := 0; i < n; i++ {
		if err := s.InvokeAsync(notify.AsyncInvocation{FunctionARN: s.ARN("sleeper"), Payload: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	ends, starts, recycled := 0, 0, 0
	reports := map[string]string{}
	for ends < n || recycled < n {
		var ev bus.Event
		select {
		case ev = <-sub.C():
		case <-time.After(2 * time.Minute):
			t.Fatalf("%d of %d attempts ended, %d environments recycled", ends, n, recycled)
		}
		switch e := ev.(type) {
		case bus.InvocationStarted:
			starts++
			if !e.Cold {
				t.Errorf("attempt %s ran in a warm environment: a timeout must recycle it", e.RequestID)
			}
		case bus.EnvironmentEnded:
			if e.Reason == "timed out" {
				recycled++
			}
		case bus.LogLine:
			if strings.HasPrefix(e.Line, "REPORT ") {
				reports[e.RequestID] = e.Line
			}
		case bus.InvocationEnded:
			ends++
			if e.Status != StatusTimeout || !strings.Contains(e.Error, "Task timed out after 1.00 seconds") || e.Duration < time.Second {
				t.Errorf("attempt %d: status %s after %v: %s", ends, e.Status, e.Duration, e.Error)
			}
			if d := reportDuration(t, reports[e.RequestID]); d < 1000 {
				t.Errorf("REPORT of a 1 s timeout says %.2f ms", d)
			}
		}
	}
	if starts != n {
		t.Errorf("%d attempts started for %d events", starts, n)
	}
}

func reportDuration(t *testing.T, report string) float64 {
	t.Helper()
	_, after, ok := strings.Cut(report, "\tDuration: ")
	num, _, _ := strings.Cut(after, " ms")
	d, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil {
		t.Fatalf("REPORT without a duration: %q", report)
	}
	return d
}

// A handler that answers at the deadline, or that notices its context
// ended and returns normally, has still timed out.
func TestAnswerAtTheDeadlineIsATimeout(t *testing.T) {
	for name, fn := range map[string]any{
		"sleeps exactly the timeout": func(ctx context.Context) error { return sandbox.Sleep(ctx, 3*time.Second) },
		"returns nil when its context ends": func(ctx context.Context) error {
			_ = sandbox.Sleep(ctx, time.Hour)
			return nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			zero := 0
			h.add(Config{Name: "edge", Timeout: 3 * time.Second, MaximumRetryAttempts: &zero}, fn)
			h.invoke("edge", `{}`)
			evs := h.run()
			ends := of[bus.InvocationEnded](evs)
			if len(ends) != 1 || ends[0].Status != StatusTimeout || ends[0].Duration != 3*time.Second {
				t.Fatalf("ends: %+v", ends)
			}
			if e := of[bus.EnvironmentEnded](evs); len(e) != 1 || e[0].Reason != "timed out" {
				t.Errorf("environment ended: %+v", e)
			}
		})
	}
}
