package lambda

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
)

// InvokeResult is what a synchronous invocation (RequestResponse) returns.
type InvokeResult struct {
	RequestID string
	Status    string
	// Payload is the function's response, or its error document.
	Payload []byte
	// FunctionError is "Unhandled" when the function failed.
	FunctionError string
	// Log is the invocation's lines, START to REPORT: what --log-type Tail
	// returns (the last 4 KB of it).
	Log []string
}

// Invoke runs one synchronous invocation, as Lambda's RequestResponse
// invocation type does: at once in an environment of the function, or not
// at all when its concurrency is used up (TooManyRequestsException); no
// retry, no on-failure destination. On a virtual clock it drives the clock
// until the invocation ends.
func (s *Service) Invoke(ctx context.Context, function string, payload []byte) (InvokeResult, error) {
	reply, ev, err := s.startSync(function, payload)
	if err != nil {
		return InvokeResult{}, err
	}
	var res result
	if v, ok := s.clock.(*clock.Virtual); ok {
		res, err = s.driveUntil(ctx, v, reply)
	} else {
		select {
		case res = <-reply:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if err != nil {
		return InvokeResult{}, err
	}
	out := InvokeResult{RequestID: ev.id, Status: res.status, Payload: res.output, Log: *ev.tail}
	if res.err != nil {
		out.FunctionError = "Unhandled"
		out.Payload, _ = json.Marshal(res.err)
	}
	return out, nil
}

// startSync starts a synchronous invocation's one attempt.
func (s *Service) startSync(function string, payload []byte) (chan result, *event, error) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, ok := s.functions[function]
	if !ok {
		return nil, nil, notFound(s.ARN(function))
	}
	if s.closed {
		return nil, nil, fmt.Errorf("lambda service is shut down")
	}
	if !s.slotFree(fn) {
		fn.metrics.Throttles++
		reason := "ReservedFunctionConcurrentInvocationLimitExceeded"
		if fn.cfg.ReservedConcurrency == nil {
			reason = "ConcurrentInvocationLimitExceeded"
		}
		s.publishMetrics(function, fn, now)
		return nil, nil, &TooManyRequestsError{Reason: reason}
	}
	root := s.newRoot(now)
	trace := Trace{Root: root, Parent: s.ids.Hex(16), Lineage: Lineage{Chain: chainID(root), Count: 1}}
	ev := &event{id: s.ids.UUID(), payload: payload, trace: trace.String(), source: "Invoke (RequestResponse)",
		received: now, depth: 1, chain: trace.Lineage.Chain, reply: make(chan result, 1), tail: new([]string)}
	s.pending++
	s.bus.Publish(bus.InvocationQueued{Header: s.stamp(), Function: function, EventID: ev.id, Source: ev.source,
		Chain: ev.chain, Depth: ev.depth, Payload: payload})
	s.start(fn, ev, now)
	return ev.reply, ev, nil
}

// driveUntil moves a virtual clock until reply has the result.
func (s *Service) driveUntil(ctx context.Context, v *clock.Virtual, reply chan result) (result, error) {
	for {
		if _, err := s.Step(ctx, v); err != nil {
			return result{}, err
		}
		select {
		case res := <-reply:
			return res, nil
		default:
		}
		if err := ctx.Err(); err != nil {
			return result{}, err
		}
	}
}

// TooManyRequestsError is Lambda's answer to a synchronous invocation that
// finds no concurrency left (429).
type TooManyRequestsError struct {
	Reason string
}

func (e *TooManyRequestsError) Error() string {
	return "TooManyRequestsException: Rate Exceeded. (" + e.Reason + ")"
}
