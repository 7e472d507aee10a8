package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/handler/sandbox"
)

func TestInvokeRequestResponse(t *testing.T) {
	h := newHarness(t)
	h.add(Config{Name: "echo"}, func(ctx context.Context, ev json.RawMessage) (json.RawMessage, error) {
		sandbox.Logf(ctx, "got %s", ev)
		return ev, nil
	})
	h.add(Config{Name: "broken"}, func() error { return errors.New("image is corrupt") })

	res, err := h.s.Invoke(context.Background(), "echo", []byte(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Payload) != `{"n":1}` || res.FunctionError != "" || res.Status != StatusOK {
		t.Errorf("echo: %+v", res)
	}
	if len(res.Log) != 4 || !strings.HasPrefix(res.Log[0], "START RequestId: "+res.RequestID) || res.Log[1] != `got {"n":1}` ||
		!strings.HasPrefix(res.Log[3], "REPORT RequestId: "+res.RequestID) {
		t.Errorf("log: %q", res.Log)
	}

	res, err = h.s.Invoke(context.Background(), "broken", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "Unhandled" || string(res.Payload) != `{"errorMessage":"image is corrupt","errorType":"errorString"}` {
		t.Errorf("broken: %+v %s", res, res.Payload)
	}
	// No retries for a synchronous invocation.
	h.run()
	if m, _ := h.s.Metrics("broken"); m.Invocations != 1 || m.Errors != 1 {
		t.Errorf("metrics: %+v", m)
	}

	if _, err := h.s.Invoke(context.Background(), "nope", nil); err == nil || !strings.Contains(err.Error(), "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope") {
		t.Errorf("unknown function: %v", err)
	}
}

func TestInvokeWithoutConcurrencyIsThrottled(t *testing.T) {
	h := newHarness(t)
	zero := 0
	h.add(Config{Name: "off", ReservedConcurrency: &zero}, func() error { return nil })
	_, err := h.s.Invoke(context.Background(), "off", []byte(`{}`))
	var tm *TooManyRequestsError
	if !errors.As(err, &tm) || tm.Reason != "ReservedFunctionConcurrentInvocationLimitExceeded" {
		t.Errorf("err %v", err)
	}
}

// A synchronous invocation on a virtual clock that sleeps past its timeout
// is driven to its end by Invoke itself.
func TestInvokeTimesOutOnTheVirtualClock(t *testing.T) {
	h := newHarness(t)
	h.add(Config{Name: "slow", Timeout: 3 * time.Second}, func(ctx context.Context) error { return sandbox.Sleep(ctx, time.Minute) })
	res, err := h.s.Invoke(context.Background(), "slow", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusTimeout || !strings.Contains(string(res.Payload), "Task timed out after 3.00 seconds") {
		t.Errorf("%+v %s", res, res.Payload)
	}
}

func TestDeleteFunctionLosesItsQueue(t *testing.T) {
	h := newHarness(t)
	zero := 0
	h.add(Config{Name: "off", ReservedConcurrency: &zero}, func() error { return nil })
	h.invoke("off", `{}`)
	h.sync()
	if err := h.s.DeleteFunction("off"); err != nil {
		t.Fatal(err)
	}
	evs := h.run()
	if u := of[bus.EventUndeliverable](evs); len(u) != 1 || h.s.Pending() != 0 {
		t.Errorf("undeliverable %+v, pending %d", u, h.s.Pending())
	}
	if _, ok := h.s.Config("off"); ok {
		t.Error("deleted function still configured")
	}
	if err := h.s.DeleteFunction("off"); err == nil || !strings.Contains(err.Error(), "Function not found") {
		t.Errorf("second delete: %v", err)
	}
}
