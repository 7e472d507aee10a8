package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/lambda"
)

// TestTenConcurrentUploads: ten uploads at once give ten invocations, each
// with its own START … REPORT block holding its handler's lines; the first
// invocation of each environment reports Init Duration, warm ones do not.
func TestTenConcurrentUploads(t *testing.T) {
	t.Parallel()
	// The default lab with a timeout that survives the race detector on two
	// shared cores.
	lab := labtest.Start(t, `
buckets:
  - name: cis-examples
  - name: cis-examples-output
functions:
  - name: cis-exercise-demo
    handler: resize
    timeout: 60s
    environment: {OUTPUT_BUCKET: cis-examples-output}
triggers:
  - bucket: cis-examples
    function: cis-exercise-demo
    events: [s3:ObjectCreated:Put]
`)
	img := labtest.Image(t, 320, 240, "jpeg")
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lab.Put(t, "cis-examples", fmt.Sprintf("photo %d.jpg", i), img, "image/jpeg")
		}()
	}
	wg.Wait()
	lab.WaitIdle(t)

	ends := labtest.Of[bus.InvocationEnded](lab.Events)
	if len(ends) != 10 {
		t.Fatalf("invocations = %d, want 10", len(ends))
	}
	for _, e := range ends {
		if e.Status != "ok" {
			t.Errorf("invocation %s: %s %s", e.RequestID, e.Status, e.Error)
		}
	}
	streams := lab.Lambda().Logs().Streams(lambda.LogGroupName("cis-exercise-demo"))
	if len(streams) == 0 || len(streams) > 10 {
		t.Fatalf("streams = %d", len(streams))
	}
	blocks := 0
	for _, st := range streams {
		var cur string
		reports := 0
		for _, ev := range st.Events {
			switch {
			case strings.HasPrefix(ev.Message, "START RequestId: "):
				if cur != "" {
					t.Fatalf("stream %s: START inside another invocation", st.Name)
				}
				cur = ev.RequestID
			case strings.HasPrefix(ev.Message, "REPORT RequestId: "):
				cold := strings.Contains(ev.Message, "\tInit Duration: ")
				if cold != (reports == 0) {
					t.Errorf("stream %s: REPORT %q: Init Duration must appear exactly on the environment's first invocation", st.Name, ev.Message)
				}
				cur = ""
				reports++
				blocks++
			default:
				if ev.RequestID != cur || cur == "" {
					t.Errorf("stream %s: line %q outside its invocation's START/END", st.Name, ev.Message)
				}
			}
		}
	}
	if blocks != 10 {
		t.Errorf("START…REPORT blocks = %d, want 10", blocks)
	}
	for _, e := range ends {
		lines := lab.Lambda().Logs().Invocation(lambda.LogGroupName("cis-exercise-demo"), e.RequestID)
		if len(lines) != 5 || !strings.HasPrefix(lines[1].Message, "resizing s3://cis-examples/photo ") || !strings.HasPrefix(lines[2].Message, "wrote s3://cis-examples-output/photo ") {
			t.Errorf("invocation %s log: %+v", e.RequestID, lines)
		}
	}
}

const retryLab = `
buckets:
  - name: uploads-in
  - name: thumbs-out
  - name: failed-events
functions:
  - name: thumbnailer
    handler: resize
    environment: {OUTPUT_BUCKET: thumbs-out}
    onFailure: failed-events
triggers:
  - bucket: uploads-in
    function: thumbnailer
`

// TestCorruptUploadRetriedThenRecorded: on the virtual clock, a corrupt
// upload is attempted 3 times, 1 and 2 minutes apart, then its record lands
// in the on-failure bucket.
func TestCorruptUploadRetriedThenRecorded(t *testing.T) {
	t.Parallel()
	vc := clock.NewVirtual(time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC))
	lab := labtest.Start(t, retryLab, emulator.WithClock(vc), emulator.WithSeed(7))
	lab.Put(t, "uploads-in", "broken.png", []byte("\x89PNG\r\n\x1a\nnot really a png"), "image/png")
	lab.WaitIdle(t)

	starts := labtest.Of[bus.InvocationStarted](lab.Events)
	if len(starts) != 3 {
		t.Fatalf("attempts = %d, want 3", len(starts))
	}
	if g1, g2 := starts[1].Time.Sub(starts[0].Time), starts[2].Time.Sub(starts[1].Time); g1 != time.Minute || g2 != 2*time.Minute {
		t.Errorf("gaps %v and %v, want 1m and 2m", g1, g2)
	}
	list, err := lab.Client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("failed-events")})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("failed-events holds %v (%v)", list, err)
	}
	key := aws.ToString(list.Contents[0].Key)
	if !strings.HasPrefix(key, "aws/lambda/async/thumbnailer/2026/05/04/") {
		t.Errorf("record key %s", key)
	}
	_, body := lab.Get(t, "failed-events", key)
	var rec struct {
		RequestContext struct {
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		RequestPayload struct {
			Records []struct {
				S3 struct {
					Object struct{ Key string } `json:"object"`
				} `json:"s3"`
			}
		} `json:"requestPayload"`
		ResponsePayload struct {
			ErrorMessage string `json:"errorMessage"`
		} `json:"responsePayload"`
	}
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.RequestContext.Condition != "RetriesExhausted" || rec.RequestContext.ApproximateInvokeCount != 3 ||
		rec.RequestPayload.Records[0].S3.Object.Key != "broken.png" || !strings.Contains(rec.ResponsePayload.ErrorMessage, "corrupt png header") {
		t.Errorf("record: %s", body)
	}
	if !strings.Contains(string(body), `"condition":"RetriesExhausted"`) || !strings.Contains(string(body), `"approximateInvokeCount":3`) {
		t.Errorf("record JSON: %s", body)
	}
}

// TestReservedConcurrencyOne: five simultaneous uploads to a function with
// reserved concurrency 1: never two running at once, all five succeed, and
// Lambda counted throttles.
func TestReservedConcurrencyOne(t *testing.T) {
	t.Parallel()
	vc := clock.NewVirtual(time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC))
	lab := labtest.Start(t, `
buckets:
  - name: uploads-in
functions:
  - name: slow
    handler: sleep
    reservedConcurrency: 1
    environment: {SLEEP: 2s}
triggers:
  - bucket: uploads-in
    function: slow
`, emulator.WithClock(vc))
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lab.Put(t, "uploads-in", fmt.Sprintf("f%d", i), []byte("x"), "")
		}()
	}
	wg.Wait()
	lab.WaitIdle(t)
	running, most, ok := 0, 0, 0
	for _, e := range lab.Events.All() {
		switch e := e.(type) {
		case bus.InvocationStarted:
			running++
			most = max(most, running)
		case bus.InvocationEnded:
			running--
			if e.Status == "ok" {
				ok++
			}
		}
	}
	m, _ := lab.Lambda().Metrics("slow")
	if most != 1 || ok != 5 || m.Throttles == 0 {
		t.Errorf("most running at once %d (want 1), ok %d (want 5), throttles %d (want > 0)", most, ok, m.Throttles)
	}
}
