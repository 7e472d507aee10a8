package notify

import (
	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/bus"
)

// Invoker queues an asynchronous invocation of a Lambda function, as S3 does
// when it delivers an event. It must not wait for the function to run.
type Invoker interface {
	InvokeAsync(inv AsyncInvocation) error
}

// AsyncInvocation is one event handed to Lambda.
type AsyncInvocation struct {
	FunctionARN string
	Payload     []byte
	// Trace is the X-Amzn-Trace-Id of the request that caused the event; it
	// carries the recursion lineage on.
	Trace string
	// Source names the cause for people: "s3:BUCKET/KEY ObjectCreated:Put".
	Source string
	// Object is the BUCKET/KEY the event is about.
	Object string
}

// Dispatcher turns committed changes into S3 event notifications: one event,
// with one record, per matching Lambda configuration.
type Dispatcher struct {
	Store            *Store
	Region           string
	OwnerPrincipalID string
	Invoker          Invoker
	Bus              *bus.Bus
}

// Notify implements the S3 layer's Notifier.
func (d *Dispatcher) Notify(c Change) {
	for _, cfg := range d.Store.Match(c.Bucket, c.EventName, c.Key) {
		payload := Payload(NewRecord(d.Region, d.OwnerPrincipalID, cfg.ID, c))
		ev := bus.EventEmitted{
			Header:          bus.Header{Time: c.Time},
			Bucket:          c.Bucket,
			Key:             c.Key,
			EventName:       c.EventName,
			ConfigurationID: cfg.ID,
			Function:        FunctionName(cfg.LambdaFunctionArn),
			Payload:         payload,
		}
		d.Bus.Publish(ev)
		if d.Invoker == nil {
			continue
		}
		err := d.Invoker.InvokeAsync(AsyncInvocation{
			FunctionARN: cfg.LambdaFunctionArn,
			Payload:     payload,
			Trace:       c.Trace,
			Source:      "s3:" + c.Bucket + "/" + c.Key + " " + c.EventName,
			Object:      c.Bucket + "/" + c.Key,
		})
		if err != nil {
			d.Bus.Publish(bus.EventUndeliverable{Header: ev.Header, Function: ev.Function, Reason: err.Error()})
		}
	}
}

// FunctionName returns the function name of a Lambda function ARN
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), or the input
// when it is not such an ARN.
func FunctionName(s string) string {
	if f, err := arn.ParseFunction(s); err == nil {
		return f.Name
	}
	return s
}
