package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// InvocationRecord is what Lambda sends to an on-failure destination.
type InvocationRecord struct {
	Version         string           `json:"version"`
	Timestamp       string           `json:"timestamp"`
	RequestContext  RequestContext   `json:"requestContext"`
	RequestPayload  json.RawMessage  `json:"requestPayload"`
	ResponseContext *ResponseContext `json:"responseContext,omitempty"`
	ResponsePayload *FunctionError   `json:"responsePayload,omitempty"`
}

// RequestContext says which event gave up and why.
type RequestContext struct {
	RequestID              string `json:"requestId"`
	FunctionArn            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

// ResponseContext describes the last attempt's response.
type ResponseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError"`
}

// RecordKey is where an invocation record lands in an on-failure bucket
// (unverified: modelled on the prefixes Lambda uses for S3 destinations).
func RecordKey(function string, at time.Time, id string) string {
	at = at.UTC()
	return fmt.Sprintf("aws/lambda/async/%s/%s/%s-%s", function, at.Format("2006/01/02"), at.Format("2006-01-02T15.04.05"), id)
}

// drop gives up on ev: its record goes to the on-failure destination if the
// function has one. The caller holds s.mu.
func (s *Service) drop(fn *Function, ev *event, condition string, now time.Time) {
	fn.metrics.AsyncEventsDropped++
	fn.metrics.AsyncEventAge = now.Sub(ev.received)
	name := fn.cfg.Name
	dropped := bus.InvocationDropped{Header: s.stamp(), Function: name, EventID: ev.id, Condition: condition, Attempts: ev.attempts,
		Recursive: condition == ConditionRecursive || condition == ConditionLabCeiling,
		Source:    ev.source, Chain: ev.chain, Depth: ev.depth, Payload: ev.payload}
	bucket := fn.cfg.OnFailure
	stamp := s.display.Now()
	if bucket == "" || s.deliver == nil {
		s.bus.Publish(dropped)
		s.publishMetrics(name, fn, now)
		s.eventDone(ev)
		return
	}
	rec := InvocationRecord{
		Version:   "1.0",
		Timestamp: stamp.UTC().Format("2006-01-02T15:04:05.000Z"),
		RequestContext: RequestContext{
			RequestID:              ev.id,
			FunctionArn:            s.ARN(name) + ":$LATEST",
			Condition:              condition,
			ApproximateInvokeCount: ev.attempts,
		},
		RequestPayload: ev.payload,
	}
	if ev.lastError != nil {
		rec.ResponseContext = &ResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"}
		rec.ResponsePayload = ev.lastError
	}
	body, err := json.Marshal(rec)
	if err != nil {
		body = []byte(fmt.Sprintf(`{"error":%q}`, err.Error()))
	}
	key := RecordKey(name, stamp, ev.id)
	dropped.Destination = "s3://" + bucket + "/" + key
	s.wg.Add(1)
	t := s.newTask()
	go func() {
		defer s.wg.Done()
		t.begin()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := s.deliver(ctx, name, bucket, key, body)
		cancel()
		busy := t.end()
		s.mu.Lock()
		defer s.mu.Unlock()
		if busy {
			s.busy--
			defer s.idle.Broadcast()
		}
		if err != nil {
			fn.metrics.DestinationDeliveryFailures++
			dropped.Error = err.Error()
		}
		s.bus.Publish(dropped)
		s.publishMetrics(name, fn, s.clock.Now())
		s.eventDone(ev)
	}()
}
