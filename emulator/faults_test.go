package emulator_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// faultsLab has a function per fault (a panic, a hang that ignores its
// context, a runaway allocation) beside a healthy one, each on its own
// prefix of one bucket.
const faultsLab = `
buckets:
  - name: faults
functions:
  - {name: crasher, handler: fail, environment: {FAIL_MODE: panic}, maximumRetryAttempts: 0}
  - {name: hanger, handler: fail, timeout: 2s, environment: {FAIL_MODE: hang}, maximumRetryAttempts: 0}
  - {name: hog, handler: fail, memory: 128, timeout: 60s, environment: {FAIL_MODE: alloc}, maximumRetryAttempts: 0}
  - {name: healthy, handler: echo, timeout: 60s}
triggers:
  - {bucket: faults, function: crasher, events: ["s3:ObjectCreated:*"], prefix: crash/}
  - {bucket: faults, function: hanger, events: ["s3:ObjectCreated:*"], prefix: hang/}
  - {bucket: faults, function: hog, events: ["s3:ObjectCreated:*"], prefix: hog/}
  - {bucket: faults, function: healthy, events: ["s3:ObjectCreated:*"], prefix: ok/}
`

// TestFaultsEndOnlyTheirEnvironment: a handler that panics, one that hangs
// and one that allocates without end each lose their own environment and
// nothing else. The healthy function keeps its one warm environment and
// succeeds every time, and the S3 endpoint answers every request made
// throughout.
//
// Not parallel: built-ins in the lab's process are charged memory from the
// process's heap, and other tests' allocations would be charged to them
// (a hanger taken for out of memory). Go runs it before the parallel ones.
func TestFaultsEndOnlyTheirEnvironment(t *testing.T) {
	l := labtest.Start(t, faultsLab)
	ctx := context.Background()
	canary := []byte("still here")
	l.Put(t, "faults", "canary.txt", canary, "text/plain")

	// A client that keeps asking S3 while the faults happen.
	stop := make(chan struct{})
	var probes, probeErrors atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		client := labtest.Client(l.Endpoint, "probe", "probe")
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			probes.Add(1)
			if _, err := client.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
				probeErrors.Add(1)
				t.Errorf("ListBuckets during the faults: %v", err)
			}
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("faults"), Key: aws.String("canary.txt")})
			if err != nil {
				probeErrors.Add(1)
				t.Errorf("GET canary during the faults: %v", err)
				continue
			}
			var body bytes.Buffer
			body.ReadFrom(out.Body)
			out.Body.Close()
			if !bytes.Equal(body.Bytes(), canary) {
				t.Errorf("canary = %q", body.Bytes())
			}
		}
	}()

	// The hog first, and running before the others start: the meter
	// charges concurrent invocations evenly for the heap's growth since each
	// started and ends the one charged most, so a neighbour that started
	// before the hog (or with it, before it had allocated anything) could
	// be charged for it (README: How it differs). Events for different
	// functions are dispatched concurrently, so putting the hog's object
	// first is not enough.
	l.Put(t, "faults", "hog/bad.txt", []byte("x"), "text/plain")
	labtest.WaitFor(t, l.Events, func(e bus.InvocationStarted) bool { return e.Function == "hog" })
	for _, prefix := range []string{"crash/", "hang/"} {
		l.Put(t, "faults", prefix+"bad.txt", []byte("x"), "text/plain")
	}
	// The healthy function, called one after another while the others fail.
	for i := range 5 {
		l.Put(t, "faults", fmt.Sprintf("ok/%d.txt", i), []byte("fine"), "text/plain")
		labtest.WaitFor(t, l.Events, func(e bus.InvocationEnded) bool {
			return e.Function == "healthy" && e.Attempt == 1 && countEnded(l, "healthy") > i
		})
	}
	l.WaitIdle(t)
	close(stop)
	wg.Wait()

	status := map[string]string{}
	for _, e := range labtest.Of[bus.InvocationEnded](l.Events) {
		if e.Function != "healthy" || e.Status != "ok" {
			status[e.Function] += e.Status + " "
		}
	}
	want := map[string]string{"crasher": "crash ", "hanger": "timeout ", "hog": "out-of-memory "}
	if fmt.Sprint(status) != fmt.Sprint(want) {
		t.Errorf("outcomes %v, want %v (and healthy always ok)", status, want)
	}
	ended := map[string]string{}
	for _, e := range labtest.Of[bus.EnvironmentEnded](l.Events) {
		ended[e.Function] += e.Reason + "; "
	}
	if _, ok := ended["healthy"]; ok || len(ended) != 3 {
		t.Errorf("environments ended: %v; want one each for crasher, hanger and hog, none for healthy", ended)
	}
	created := 0
	for _, e := range labtest.Of[bus.EnvironmentCreated](l.Events) {
		if e.Function == "healthy" {
			created++
		}
	}
	if created != 1 {
		t.Errorf("healthy had %d environments, want its one warm environment throughout", created)
	}
	if probes.Load() == 0 || probeErrors.Load() > 0 {
		t.Errorf("%d probes, %d failed", probes.Load(), probeErrors.Load())
	}
	t.Logf("%d probes of S3 while the faults happened; environments ended: %v", probes.Load(), ended)
}

func countEnded(l *labtest.Lab, function string) int {
	n := 0
	for _, e := range labtest.Of[bus.InvocationEnded](l.Events) {
		if e.Function == function {
			n++
		}
	}
	return n
}
