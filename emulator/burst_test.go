package emulator_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/lambda"
)

// Twenty uploads to a function that sleeps past its 1 s timeout, on the
// wall clock: every attempt times out with Lambda's text, its environment
// is recycled, and the next attempt starts cold.
func TestEveryTimeoutIsATimeout(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, `
buckets: [{name: uploads}]
functions:
  - {name: sleeper, handler: sleep, timeout: 1s, maximumRetryAttempts: 0, environment: {SLEEP: 5s}}
triggers: [{bucket: uploads, function: sleeper}]
`)
	const n = 20
	for i := range n {
		lab.Put(t, "uploads", fmt.Sprintf("f%02d.txt", i), []byte("x"), "text/plain")
	}
	lab.WaitIdle(t)
	ends := labtest.Of[bus.InvocationEnded](lab.Events)
	if len(ends) != n {
		t.Fatalf("%d attempts ended, want %d", len(ends), n)
	}
	for _, e := range ends {
		if e.Status != lambda.StatusTimeout || !strings.Contains(e.Error, "Task timed out after 1.00 seconds") {
			t.Errorf("%s: %s %s", e.RequestID, e.Status, e.Error)
		}
	}
	for _, s := range labtest.Of[bus.InvocationStarted](lab.Events) {
		if !s.Cold {
			t.Errorf("%s started warm after a timeout", s.RequestID)
		}
	}
	recycled := 0
	for _, e := range labtest.Of[bus.EnvironmentEnded](lab.Events) {
		if e.Reason == "timed out" {
			recycled++
		}
	}
	if recycled != n {
		t.Errorf("%d environments recycled, want %d", recycled, n)
	}
}

// A burst of 160 small uploads from 16 clients into a function with
// reserved concurrency 2 and a 60 s maximum event age: nothing is dropped,
// every image gets its thumbnail.
func TestThrottledBurstLosesNothing(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, `
buckets: [{name: burst-in}, {name: burst-out}]
functions:
  - {name: thumbs, handler: resize, reservedConcurrency: 2, maximumEventAge: 60s, environment: {OUTPUT_BUCKET: burst-out, WIDTH: "16", HEIGHT: "16"}}
triggers: [{bucket: burst-in, function: thumbs}]
`)
	img := labtest.Image(t, 32, 32, "png")
	var wg sync.WaitGroup
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				lab.Put(t, "burst-in", fmt.Sprintf("c%02d/%02d.png", c, i), img, "image/png")
			}
		}()
	}
	wg.Wait()
	lab.WaitIdle(t)
	if d := labtest.Of[bus.InvocationDropped](lab.Events); len(d) != 0 {
		t.Errorf("%d events dropped, first: %+v", len(d), d[0])
	}
	out, err := lab.Client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("burst-out")})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.Contents); n != 160 {
		t.Errorf("%d thumbnails, want 160", n)
	}
}
