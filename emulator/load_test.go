package emulator_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// loadLab has three triggers on one bucket, one per outcome an event can
// have: ok/ → echo (succeeds); fail/ → fail (fails, is retried twice, and
// its record lands in the on-failure bucket); stuck/ → a function with no
// concurrency (throttled until its event is too old, then dropped). Objects
// under none/ match no trigger.
const loadLab = `
buckets:
  - name: load-in
  - name: load-failures
functions:
  - name: ok-fn
    handler: echo
    timeout: 60s
  - name: fail-fn
    handler: fail
    timeout: 60s
    onFailure: load-failures
  - name: stuck-fn
    handler: echo
    reservedConcurrency: 0
    maximumEventAge: 60s
triggers:
  - {id: every, bucket: load-in, function: ok-fn, events: ["s3:ObjectCreated:*"], prefix: ok/}
  - {id: failing, bucket: load-in, function: fail-fn, events: ["s3:ObjectCreated:Put"], prefix: fail/}
  - {id: stuck, bucket: load-in, function: stuck-fn, events: ["s3:ObjectCreated:Put"], prefix: stuck/}
`

// TestLoadThousandPuts: 1,000 PUTs from 16 concurrent clients. Every PUT is
// acknowledged and stored; each gives exactly one event per matching
// configuration; every event ends exactly once, in the outcome its function
// dictates (succeeded, failed after retries, dropped for its age). Retry
// waits run 1,000× faster (a minute in 60 ms) so that the test takes seconds.
func TestLoadThousandPuts(t *testing.T) {
	t.Parallel()
	const puts, clients = 1000, 16
	scaled, err := clock.NewScaled(1000)
	if err != nil {
		t.Fatal(err)
	}
	l := labtest.Start(t, loadLab, emulator.WithClock(scaled))
	ctx := context.Background()
	keyOf := func(i int) string {
		switch i % 10 {
		case 0:
			return fmt.Sprintf("fail/%04d.txt", i)
		case 1:
			return fmt.Sprintf("stuck/%04d.txt", i)
		case 2:
			return fmt.Sprintf("none/%04d.txt", i)
		}
		return fmt.Sprintf("ok/%04d.txt", i)
	}
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := labtest.Client(l.Endpoint, "test", "test")
			for {
				i := int(next.Add(1)) - 1
				if i >= puts {
					return
				}
				_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("load-in"), Key: aws.String(keyOf(i)),
					Body: bytes.NewReader([]byte(keyOf(i)))})
				if err != nil {
					failed.Add(1)
					t.Errorf("PUT %s: %v", keyOf(i), err)
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d PUTs failed", failed.Load())
	}
	l.WaitIdle(t)

	// Every object is there, once.
	pager := s3.NewListObjectsV2Paginator(l.Client, &s3.ListObjectsV2Input{Bucket: aws.String("load-in")})
	stored := 0
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stored += len(page.Contents)
	}
	want := map[string]int{"every": puts * 7 / 10, "failing": puts / 10, "stuck": puts / 10}
	acks := 0
	for _, r := range labtest.Of[bus.S3Request](l.Events) {
		if r.Operation == "PutObject" && r.Bucket == "load-in" && r.Status == 200 {
			acks++
		}
	}
	if stored != puts || acks != puts {
		t.Fatalf("%d objects stored, %d PUTs acknowledged; want %d of each", stored, acks, puts)
	}

	// One event per matching configuration per PUT, and no other.
	emitted := map[string]int{}
	perObject := map[string]int{}
	for _, e := range labtest.Of[bus.EventEmitted](l.Events) {
		emitted[e.ConfigurationID]++
		perObject[e.ConfigurationID+" "+e.Key]++
	}
	for id, n := range want {
		if emitted[id] != n {
			t.Errorf("configuration %s: %d events, want %d", id, emitted[id], n)
		}
	}
	for k, n := range perObject {
		if n != 1 {
			t.Errorf("%s: %d events, want 1", k, n)
		}
	}

	// Every queued event ends exactly once.
	queued := map[string]string{} // event id → function
	for _, q := range labtest.Of[bus.InvocationQueued](l.Events) {
		queued[q.EventID] = q.Function
	}
	ended := map[string]string{} // event id → outcome
	end := func(id, outcome string) {
		if prev, ok := ended[id]; ok {
			t.Errorf("event %s ended twice: %s, then %s", id, prev, outcome)
		}
		ended[id] = outcome
	}
	for _, e := range labtest.Of[bus.InvocationEnded](l.Events) {
		if e.Status == "ok" {
			end(e.EventID, "succeeded")
		}
	}
	for _, d := range labtest.Of[bus.InvocationDropped](l.Events) {
		end(d.EventID, "dropped "+d.Condition)
		if d.Function == "fail-fn" && (d.Attempts != 3 || d.Destination == "" || d.Error != "") {
			t.Errorf("fail-fn event %s: %d attempts, record %q %s", d.EventID, d.Attempts, d.Destination, d.Error)
		}
	}
	outcomes := map[string]int{}
	for id, fn := range queued {
		outcome, ok := ended[id]
		if !ok {
			t.Errorf("event %s of %s never ended", id, fn)
			continue
		}
		outcomes[fn+": "+outcome]++
	}
	wantOutcomes := map[string]int{
		"ok-fn: succeeded":                   puts * 7 / 10,
		"fail-fn: dropped RetriesExhausted":  puts / 10,
		"stuck-fn: dropped EventAgeExceeded": puts / 10,
	}
	if len(queued) != puts*9/10 || fmt.Sprint(outcomes) != fmt.Sprint(wantOutcomes) {
		t.Errorf("%d events queued; outcomes %v; want %d and %v", len(queued), outcomes, puts*9/10, wantOutcomes)
	}
	records := 0
	out, err := l.Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("load-failures")})
	if err == nil {
		records = len(out.Contents)
	}
	if records != puts/10 {
		t.Errorf("%d invocation records in load-failures, want %d (%v)", records, puts/10, err)
	}
	t.Logf("%d PUTs, %d events: %v", acks, len(queued), outcomes)
}
