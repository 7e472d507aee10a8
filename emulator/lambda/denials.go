package lambda

import (
	"sync"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// denials ties IAM's refusals to the attempts whose calls they refused, so
// that an attempt's end says, typed, that it failed on an access denial:
// a function's calls carry its invocation's trace header (aws-lambda-go's
// and the SDKs' recursion detection copy it), S3 publishes each refusal
// with the trace of the refused request, and the service taps the bus,
// which hands it the refusal before S3 answers the call. An attempt
// forgets what was said under its trace when it starts (a retry carries
// its event's trace) and takes it when it ends.
type denials struct {
	mu      sync.Mutex
	byTrace map[string]bus.Denial // trace key → the first refusal
}

// maxDenials bounds the refusals kept for attempts that have not ended
// (refusals under traces no attempt of the lab carries are dropped with
// them).
const maxDenials = 4096

func newDenials() *denials { return &denials{byTrace: map[string]bus.Denial{}} }

// traceKey is what identifies an invocation in a trace header: its Root
// and Parent ("" when the header is not a trace).
func traceKey(header string) string {
	t, ok := ParseTrace(header)
	if !ok || t.Parent == "" {
		return ""
	}
	return t.Root + ";" + t.Parent
}

// observe is the bus tap: it keeps the first refusal under each trace.
func (d *denials) observe(ev bus.Event) {
	e, ok := ev.(bus.AccessDenied)
	if !ok {
		return
	}
	k := traceKey(e.Trace)
	if k == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, seen := d.byTrace[k]; seen {
		return
	}
	if len(d.byTrace) >= maxDenials {
		clear(d.byTrace)
	}
	d.byTrace[k] = bus.Denial{Principal: e.Principal, Action: e.Action, Resource: e.Resource}
}

// forget drops what was refused under trace (an attempt starts).
func (d *denials) forget(trace string) {
	if k := traceKey(trace); k != "" {
		d.mu.Lock()
		delete(d.byTrace, k)
		d.mu.Unlock()
	}
}

// take returns and drops the first refusal under trace, if any.
func (d *denials) take(trace string) *bus.Denial {
	k := traceKey(trace)
	if k == "" {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	den, ok := d.byTrace[k]
	if !ok {
		return nil
	}
	delete(d.byTrace, k)
	return &den
}
