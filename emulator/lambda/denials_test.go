package lambda

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// refuse publishes what S3 publishes when IAM refuses a call made under
// trace (the handler's context carries its invocation's).
func refuse(b *bus.Bus, trace, action string) {
	b.Publish(bus.AccessDenied{Principal: "arn:aws:sts::000000000000:assumed-role/r/f", Action: action,
		Resource: "arn:aws:s3:::in/k", Decision: "no statement allows it", Trace: trace})
}

// TestEndSaysWhichCallWasDenied: an attempt that fails after one of its
// own calls was refused ends with that refusal, typed; one that fails
// without a refusal, one that recovers from its refusal, and one refused
// under another invocation's trace end without.
func TestEndSaysWhichCallWasDenied(t *testing.T) {
	h := newHarness(t)
	zero := 0
	h.add(Config{Name: "denied", MaximumRetryAttempts: &zero}, func(ctx context.Context) error {
		refuse(h.s.bus, ctx.Value(TraceContextKey).(string), "s3:GetObject")
		return errors.New("operation error S3: GetObject: AccessDenied")
	})
	h.add(Config{Name: "recovers", MaximumRetryAttempts: &zero}, func(ctx context.Context) error {
		refuse(h.s.bus, ctx.Value(TraceContextKey).(string), "s3:PutObject")
		return nil
	})
	h.add(Config{Name: "other", MaximumRetryAttempts: &zero}, func(ctx context.Context) error {
		refuse(h.s.bus, "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0", "s3:GetObject")
		return errors.New("broken")
	})
	for _, fn := range []string{"denied", "recovers", "other"} {
		h.invoke(fn, `{}`)
	}
	ends := map[string]bus.InvocationEnded{}
	for _, e := range of[bus.InvocationEnded](h.run()) {
		ends[e.Function] = e
	}
	d := ends["denied"].Denied
	if d == nil || d.Action != "s3:GetObject" || d.Resource != "arn:aws:s3:::in/k" || d.Principal == "" {
		t.Errorf("denied: Denied = %+v", d)
	}
	if e := ends["denied"]; e.ErrorType != "errorString" || e.ErrorMessage != "operation error S3: GetObject: AccessDenied" {
		t.Errorf("denied: error type %q, message %q", e.ErrorType, e.ErrorMessage)
	}
	for _, fn := range []string{"recovers", "other"} {
		if ends[fn].Denied != nil {
			t.Errorf("%s: Denied = %+v, want none", fn, ends[fn].Denied)
		}
	}
}

// TestRetryStartsWithoutTheRefusalBefore: a retry carries its event's
// trace; a refusal of the first attempt is not the second's.
func TestRetryStartsWithoutTheRefusalBefore(t *testing.T) {
	h := newHarness(t)
	one := 1
	var n atomic.Int32
	h.add(Config{Name: "flaky", MaximumRetryAttempts: &one}, func(ctx context.Context) error {
		if n.Add(1) == 1 {
			refuse(h.s.bus, ctx.Value(TraceContextKey).(string), "s3:GetObject")
		}
		return errors.New("no")
	})
	h.invoke("flaky", `{}`)
	ends := of[bus.InvocationEnded](h.run())
	if len(ends) != 2 || ends[0].Denied == nil || ends[1].Denied != nil {
		t.Fatalf("ends: %+v", ends)
	}
}

// TestDroppedLoopIsTyped: the event that would extend a loop past 16 is
// dropped as recursive; an event out of retries is not.
func TestDroppedLoopIsTyped(t *testing.T) {
	h := newHarness(t)
	zero := 0
	h.add(Config{Name: "once", MaximumRetryAttempts: &zero}, func() error { return errors.New("no") })
	h.invoke("once", `{}`)
	// The 16th invocation of a chain caused this event.
	deep := Trace{Root: "1-00000000-000000000000000000000001", Parent: "0000000000000001", Lineage: Lineage{Chain: "c", Count: MaxRecursiveInvocations}}
	if err := h.s.InvokeAsync(notify.AsyncInvocation{FunctionARN: h.s.ARN("once"), Payload: []byte(`{}`), Trace: deep.String()}); err != nil {
		t.Fatal(err)
	}
	byCondition := map[string]bool{}
	for _, d := range of[bus.InvocationDropped](h.run()) {
		byCondition[d.Condition] = d.Recursive
	}
	if r, ok := byCondition["RetriesExhausted"]; !ok || r {
		t.Errorf("out of retries: dropped %v, recursive %v", ok, r)
	}
	if r, ok := byCondition[ConditionRecursive]; !ok || !r {
		t.Errorf("the 17th of a chain: dropped %v, recursive %v", ok, r)
	}
}

// TestQueuedEventNamesItsCause: the events an invocation's writes queue
// (S3 passes on the trace header its SDK sent) name that invocation's
// event; a write from outside names none, and a fan-out's events all name
// the one that fanned out.
func TestQueuedEventNamesItsCause(t *testing.T) {
	h := newHarness(t)
	h.add(Config{Name: "encode"}, func() error { return nil })
	h.add(Config{Name: "split"}, func(ctx context.Context) error {
		trace := ctx.Value(TraceContextKey).(string)
		for range 3 {
			if err := h.s.InvokeAsync(notify.AsyncInvocation{FunctionARN: h.s.ARN("encode"), Payload: []byte(`{}`), Trace: trace}); err != nil {
				return err
			}
		}
		return nil
	})
	h.invoke("split", `{}`)
	queued := of[bus.InvocationQueued](h.run())
	if len(queued) != 4 || queued[0].Function != "split" || queued[0].Cause != "" {
		t.Fatalf("queued: %+v", queued)
	}
	for _, q := range queued[1:] {
		if q.Function != "encode" || q.Cause != queued[0].EventID || q.Chain != queued[0].Chain || q.Depth != 2 {
			t.Errorf("encode's event %+v, want caused by %s", q, queued[0].EventID)
		}
	}
}
