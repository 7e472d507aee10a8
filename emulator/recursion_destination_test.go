package emulator_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/lambda"
)

// recursionWithDestination is the recursion lab with an on-failure
// destination: the function writes into the bucket that triggers it.
const recursionWithDestination = `
buckets:
  - name: cis-examples
  - name: failed-events
functions:
  - name: cis-exercise-demo
    handler: resize
    onFailure: failed-events
    environment:
      OUTPUT_BUCKET: cis-examples
triggers:
  - bucket: cis-examples
    function: cis-exercise-demo
    events: [s3:ObjectCreated:*]
    acknowledgeRecursiveInvocation: true
`

// TestRecursionDropGoesToOnFailureDestination: when Lambda stops a loop,
// the event it does not deliver (the one that would be the 17th
// invocation) goes to the function's on-failure destination as an
// invocation record (FIDELITY.md, "Recursive loop detection").
func TestRecursionDropGoesToOnFailureDestination(t *testing.T) {
	t.Parallel()
	vc := clock.NewVirtual(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	lab := labtest.Start(t, recursionWithDestination, emulator.WithClock(vc), emulator.WithSeed(7))
	lab.Put(t, "cis-examples", "cat.png", labtest.Image(t, 64, 64, "png"), "image/png")
	lab.WaitIdle(t)

	if n := len(labtest.Of[bus.InvocationStarted](lab.Events)); n != lambda.MaxRecursiveInvocations {
		t.Fatalf("invocations = %d, want %d", n, lambda.MaxRecursiveInvocations)
	}
	stops := labtest.Of[bus.LoopStopped](lab.Events)
	if len(stops) != 1 || stops[0].By != lambda.StoppedByLambda || stops[0].Invocations != 16 {
		t.Fatalf("loop stopped: %+v", stops)
	}
	drops := labtest.Of[bus.InvocationDropped](lab.Events)
	if len(drops) != 1 {
		t.Fatalf("dropped events: %+v", drops)
	}
	d := drops[0]
	if d.Condition != lambda.ConditionRecursive || d.Attempts != 0 || d.Error != "" {
		t.Errorf("dropped: %+v", d)
	}
	wantKey := lambda.RecordKey("cis-exercise-demo", d.Time, d.EventID)
	if d.Destination != "s3://failed-events/"+wantKey {
		t.Errorf("destination = %q, want s3://failed-events/%s", d.Destination, wantKey)
	}

	// The destination holds exactly that record.
	list, err := lab.Client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("failed-events")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != wantKey {
		var keys []string
		for _, o := range list.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		t.Fatalf("failed-events holds %q, want [%s]", keys, wantKey)
	}
	out, body := lab.Get(t, "failed-events", wantKey)
	if aws.ToString(out.ContentType) != "application/json" {
		t.Errorf("record content type = %q", aws.ToString(out.ContentType))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("record is not JSON: %v\n%s", err, body)
	}
	// No attempt ran: nothing to say about a response.
	for _, absent := range []string{"responseContext", "responsePayload"} {
		if _, ok := raw[absent]; ok {
			t.Errorf("record has %s, but the event never ran: %s", absent, body)
		}
	}
	var rec lambda.InvocationRecord
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	rc := rec.RequestContext
	if rec.Version != "1.0" || rec.Timestamp != d.Time.UTC().Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("record version/timestamp: %q %q", rec.Version, rec.Timestamp)
	}
	if rc.Condition != "RecursiveInvocationDropped" || rc.ApproximateInvokeCount != 0 ||
		rc.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:cis-exercise-demo:$LATEST" ||
		rc.RequestID != d.EventID {
		t.Errorf("requestContext: %+v (dropped event %s)", rc, d.EventID)
	}
	// The payload is the S3 event the 16th invocation's write caused.
	var ev events.S3Event
	if err := json.Unmarshal(rec.RequestPayload, &ev); err != nil || len(ev.Records) != 1 {
		t.Fatalf("requestPayload: %v %s", err, rec.RequestPayload)
	}
	r := ev.Records[0]
	if r.EventSource != "aws:s3" || r.EventName != "ObjectCreated:Put" || r.S3.Bucket.Name != "cis-examples" ||
		r.S3.Object.Key != "cat.png" || !strings.HasSuffix(r.PrincipalID.PrincipalID, ":cis-exercise-demo") {
		t.Errorf("requestPayload record: %+v", r)
	}

	m, _ := lab.Lambda().Metrics("cis-exercise-demo")
	if m.RecursiveInvocationsDropped != 1 || m.AsyncEventsDropped != 1 || m.DestinationDeliveryFailures != 0 {
		t.Errorf("metrics: dropped by recursion %d, dropped %d, delivery failures %d",
			m.RecursiveInvocationsDropped, m.AsyncEventsDropped, m.DestinationDeliveryFailures)
	}
}

// TestTriggerWarningForBucketTheFunctionWrote: the recursive-invocation
// warning also covers a bucket the function has written to in this lab,
// not only its OUTPUT_BUCKET.
func TestTriggerWarningForBucketTheFunctionWrote(t *testing.T) {
	t.Parallel()
	const labYAML = `
buckets:
  - name: photos
  - name: thumbs
  - name: archive
  - name: elsewhere
functions:
  - name: resizer
    handler: resize
    environment:
      OUTPUT_BUCKET: thumbs
triggers:
  - bucket: photos
    function: resizer
    events: [s3:ObjectCreated:*]
`
	lab := labtest.Start(t, labYAML, emulator.WithClock(clock.NewVirtual(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))))
	if w := labtest.Of[bus.TriggerWarning](lab.Events); len(w) != 0 {
		t.Fatalf("lab start warned: %+v", w)
	}
	// The function has not written to thumbs yet, and once OUTPUT_BUCKET
	// moves away nothing points it there.
	if err := lab.UpdateFunction("resizer", func(c *lambda.Config) { c.Environment["OUTPUT_BUCKET"] = "archive" }); err != nil {
		t.Fatal(err)
	}
	if risk := lab.TriggerRisk("thumbs", "resizer"); risk != "" {
		t.Fatalf("before any write: %q", risk)
	}
	if err := lab.UpdateFunction("resizer", func(c *lambda.Config) { c.Environment["OUTPUT_BUCKET"] = "thumbs" }); err != nil {
		t.Fatal(err)
	}

	// One upload: the function writes thumbs/cat.png. Then its output
	// moves to archive.
	lab.Put(t, "photos", "cat.png", labtest.Image(t, 64, 64, "png"), "image/png")
	lab.WaitIdle(t)
	if ends := labtest.Of[bus.InvocationEnded](lab.Events); len(ends) != 1 || ends[0].Status != "ok" {
		t.Fatalf("invocations: %+v", ends)
	}
	if err := lab.UpdateFunction("resizer", func(c *lambda.Config) { c.Environment["OUTPUT_BUCKET"] = "archive" }); err != nil {
		t.Fatal(err)
	}

	set := func(bucket string) {
		t.Helper()
		lab.AllowS3(t, "resizer", bucket)
		_, err := lab.Client.PutBucketNotificationConfiguration(context.Background(), &s3.PutBucketNotificationConfigurationInput{
			Bucket: aws.String(bucket),
			NotificationConfiguration: &types.NotificationConfiguration{LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{
				{LambdaFunctionArn: aws.String(lab.File().FunctionARN("resizer")), Events: []types.Event{"s3:ObjectCreated:*"}},
			}},
		})
		if err != nil {
			t.Fatalf("trigger on %s: %v", bucket, err)
		}
	}
	// A bucket it never wrote to: no warning.
	set("elsewhere")
	if w := labtest.Of[bus.TriggerWarning](lab.Events); len(w) != 0 {
		t.Fatalf("trigger on a bucket the function never wrote to warned: %+v", w)
	}
	// The bucket it wrote to: the warning, from the write log.
	set("thumbs")
	w := labtest.Of[bus.TriggerWarning](lab.Events)
	if len(w) != 1 {
		t.Fatalf("warnings: %+v", w)
	}
	want := "Recursive invocation: function resizer writes to bucket thumbs (it has written objects to thumbs in this lab)"
	if w[0].Bucket != "thumbs" || w[0].Function != "resizer" || w[0].Acknowledged || !strings.HasPrefix(w[0].Message, want) {
		t.Errorf("warning: %+v\nwant a message starting %q", w[0], want)
	}
	// The console's form asks the same question and gets the same answer.
	if risk := lab.TriggerRisk("thumbs", "resizer"); risk != w[0].Message {
		t.Errorf("TriggerRisk(thumbs) = %q, want the warning's message", risk)
	}
	// Only the function's own writes count: the upload to photos was the
	// user's.
	if risk := lab.TriggerRisk("photos", "resizer"); risk != "" {
		t.Errorf("TriggerRisk(photos) = %q: the user's upload counted as the function's write", risk)
	}
}

// loopBehindHog is a loop that allows recursion, in an account with one
// unit of concurrency that a sleeping function holds for 90 s when the
// loop starts: the loop's first event is throttled until then, so its
// chain is over a minute old by the second hop. CEILING is replaced with
// the lab's recursionCeiling.
const loopBehindHog = `
accountConcurrency: 1
buckets:
  - name: hog-bucket
  - name: loop-bucket
functions:
  - name: hog
    handler: sleep
    timeout: 120s
    environment:
      SLEEP: 90s
  - name: loop
    handler: resize
    recursiveLoop: Allow
    environment:
      OUTPUT_BUCKET: loop-bucket
triggers:
  - bucket: hog-bucket
    function: hog
  - bucket: loop-bucket
    function: loop
    acknowledgeRecursiveInvocation: true
CEILING`

// TestRecursionAllowedStopsAfterSixtySecondsOfLoop: a loop the function
// allows is stopped by lambdalab's ceiling when its chain is older than
// the ceiling's duration (60 s by default), however few invocations ran.
func TestRecursionAllowedStopsAfterSixtySecondsOfLoop(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, ceiling string) (starts []bus.InvocationStarted, stop bus.LoopStopped, age time.Duration) {
		t.Helper()
		vc := clock.NewVirtual(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
		lab := labtest.Start(t, strings.Replace(loopBehindHog, "CEILING", ceiling, 1), emulator.WithClock(vc), emulator.WithSeed(3))
		lab.Put(t, "hog-bucket", "hold", []byte("x"), "")
		lab.Put(t, "loop-bucket", "cat.png", labtest.Image(t, 32, 32, "png"), "image/png")
		lab.WaitIdle(t)
		var began time.Time
		for _, q := range labtest.Of[bus.InvocationQueued](lab.Events) {
			if q.Function == "loop" {
				began = q.Time
				break
			}
		}
		throttled := 0
		for _, th := range labtest.Of[bus.InvocationThrottled](lab.Events) {
			if th.Function == "loop" {
				throttled++
			}
		}
		if throttled == 0 {
			t.Fatal("the loop's first event was never throttled: the test's premise (time passes inside the chain) does not hold")
		}
		for _, s := range labtest.Of[bus.InvocationStarted](lab.Events) {
			if s.Function == "loop" {
				starts = append(starts, s)
			}
		}
		stops := labtest.Of[bus.LoopStopped](lab.Events)
		if len(stops) != 1 || stops[0].Function != "loop" || stops[0].By != lambda.StoppedByLabCeiling {
			t.Fatalf("loop stops: %+v", stops)
		}
		m, _ := lab.Lambda().Metrics("loop")
		if m.RecursiveInvocationsDropped != 0 {
			t.Errorf("RecursiveInvocationsDropped = %d: Lambda's counter moved for lambdalab's ceiling", m.RecursiveInvocationsDropped)
		}
		if d := labtest.Of[bus.InvocationDropped](lab.Events); len(d) != 1 || d[0].Condition != lambda.ConditionLabCeiling {
			t.Errorf("dropped: %+v", d)
		}
		return starts, stops[0], stops[0].Time.Sub(began)
	}

	t.Run("default 60 s", func(t *testing.T) {
		if lambda.DefaultCeiling.Duration != 60*time.Second {
			t.Fatalf("DefaultCeiling.Duration = %v, want 60s", lambda.DefaultCeiling.Duration)
		}
		starts, stop, age := run(t, "")
		if len(starts) != 1 || stop.Invocations != 1 {
			t.Errorf("invocations = %d (stop says %d), want 1: the second hop came %v after the chain began", len(starts), stop.Invocations, age)
		}
		if age <= 60*time.Second {
			t.Errorf("stopped %v after the chain began, want more than 60s", age)
		}
	})
	t.Run("explicit 60s", func(t *testing.T) {
		starts, stop, age := run(t, "recursionCeiling: {invocations: 1000, duration: 60s}\n")
		if len(starts) != 1 || stop.Invocations != 1 || age <= 60*time.Second {
			t.Errorf("invocations = %d (stop says %d) after %v, want 1 after more than 60s", len(starts), stop.Invocations, age)
		}
	})
	t.Run("longer duration", func(t *testing.T) {
		// The same delay under a 10-minute ceiling: the loop runs on until
		// the invocation ceiling stops it.
		starts, stop, age := run(t, "recursionCeiling: {invocations: 5, duration: 10m}\n")
		if len(starts) != 5 || stop.Invocations != 5 {
			t.Errorf("invocations = %d (stop says %d), want 5 (the invocation ceiling)", len(starts), stop.Invocations)
		}
		if age <= 60*time.Second || age > 10*time.Minute {
			t.Errorf("stopped %v after the chain began, want between 60s and 10m", age)
		}
	})
}
