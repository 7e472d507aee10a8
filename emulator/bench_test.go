package emulator_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labs"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/internal/testimg"
)

// benchDispatchLab triggers echo on every upload to dispatch-in.
const benchDispatchLab = `
buckets:
  - name: dispatch-in
functions:
  - name: echo-fn
    handler: echo
    timeout: 60s
triggers:
  - {id: echo-on-put, bucket: dispatch-in, function: echo-fn, events: ["s3:ObjectCreated:*"]}
`

// benchPlainLab is one bucket without triggers: S3 alone.
const benchPlainLab = `
buckets:
  - name: plain
`

// BenchmarkDispatch measures, in process, how long an upload takes to reach
// its handler: from the write being committed (ObjectChanged.Time) to the
// handler being entered (InvocationStarted.Time), both stamped by the lab's
// wall clock. Tiny objects are uploaded one at a time with the in-process
// RootClient after a warm-up invocation; each iteration waits until its
// invocation ended and the lab is idle, so every measured invocation finds
// the warm environment. ns/op is the median latency, not the loop's time.
//
// ack-to-handler-p50-µs and -p99-µs are the same end point measured from the moment the
// client's PutObject returned. S3 answers after the event is queued, so the
// handler often starts before the client sees the answer and the value is
// negative; started-before-ack-% says how often.
func BenchmarkDispatch(b *testing.B) {
	l := labtest.Start(b, benchDispatchLab)
	client := l.RootClient()
	sub := l.Bus().Subscribe()
	b.Cleanup(sub.Close)
	body := []byte("tiny")
	benchDispatchOnce(b, l, client, sub, "warm-up", body)

	var dispatch, ack []time.Duration
	cold := 0
	b.ResetTimer()
	for i := range b.N {
		d := benchDispatchOnce(b, l, client, sub, fmt.Sprintf("k/%09d", i), body)
		dispatch = append(dispatch, d.started.Sub(d.changed))
		ack = append(ack, d.started.Sub(d.ack))
		if d.cold {
			cold++
		}
	}
	b.StopTimer()
	slices.Sort(dispatch)
	slices.Sort(ack)
	before := 0
	for _, d := range ack {
		if d < 0 {
			before++
		}
	}
	b.ReportMetric(float64(benchPercentile(dispatch, 50).Nanoseconds()), "ns/op")
	b.ReportMetric(benchMicros(benchPercentile(dispatch, 50)), "p50-µs")
	b.ReportMetric(benchMicros(benchPercentile(dispatch, 99)), "p99-µs")
	b.ReportMetric(benchMicros(benchPercentile(ack, 50)), "ack-to-handler-p50-µs")
	b.ReportMetric(benchMicros(benchPercentile(ack, 99)), "ack-to-handler-p99-µs")
	b.ReportMetric(100*float64(before)/float64(len(ack)), "started-before-ack-%")
	b.ReportMetric(float64(cold), "cold-starts")
}

// benchDispatch is what one upload's journey to its handler looked like.
type benchDispatch struct {
	changed, ack, started time.Time
	cold                  bool
}

// benchDispatchOnce uploads key and follows it on the bus (ObjectChanged by
// bucket and key, InvocationQueued by its Source, InvocationStarted and
// InvocationEnded by the queued EventID) until its invocation ended.
func benchDispatchOnce(b *testing.B, l *labtest.Lab, client *s3.Client, sub *bus.Subscription, key string, body []byte) benchDispatch {
	b.Helper()
	const bucket = "dispatch-in"
	benchPut(b, client, bucket, key, body)
	d := benchDispatch{ack: time.Now()}
	object := "s3:" + bucket + "/" + key
	var eventID string
	for {
		switch e := benchNext(b, sub, 10*time.Second).(type) {
		case bus.ObjectChanged:
			if e.Bucket == bucket && e.Key == key {
				d.changed = e.Time
			}
		case bus.InvocationQueued:
			if e.Source == object || strings.HasPrefix(e.Source, object+" ") {
				eventID = e.EventID
			}
		case bus.InvocationStarted:
			if eventID != "" && e.EventID == eventID {
				d.started, d.cold = e.Time, e.Cold
			}
		case bus.InvocationEnded:
			if eventID == "" || e.EventID != eventID {
				continue
			}
			if e.Status != "ok" || d.changed.IsZero() || d.started.IsZero() {
				b.Fatalf("%s: status %s %s (changed %v, started %v)", key, e.Status, e.Error, d.changed, d.started)
			}
			// The environment goes back to the warm pool just after
			// InvocationEnded; wait for it so the next upload finds it.
			l.WaitIdle(b)
			return d
		}
	}
}

// benchNext is the next event of sub; it fails the benchmark after wait
// without one, rather than hang.
func benchNext(b *testing.B, sub *bus.Subscription, wait time.Duration) bus.Event {
	b.Helper()
	select {
	case ev, ok := <-sub.C():
		if !ok {
			b.Fatal("the bus closed")
		}
		return ev
	case <-time.After(wait):
		b.Fatalf("no bus event within %v", wait)
		return nil
	}
}

// benchPercentile is the nearest-rank percentile p of sorted.
func benchPercentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))]
}

func benchMicros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// benchPut uploads body to bucket/key.
func benchPut(b *testing.B, client *s3.Client, bucket, key string, body []byte) {
	b.Helper()
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		b.Fatalf("put s3://%s/%s: %v", bucket, key, err)
	}
}

// BenchmarkS3Put measures PutObject over HTTP on 127.0.0.1 with the same
// SDK client (labtest.Client) against a lambdalab lab (a bucket without
// triggers) and against bare gofakes3 on an in-memory backend: the ratio of
// their ns/op is the cost of our S3 layer (routing, authorization, events).
func BenchmarkS3Put(b *testing.B) {
	benchS3(b, func(b *testing.B, client *s3.Client, body []byte) {
		benchPut(b, client, "plain", "object", body) // a warm connection, so that -benchtime=1x measures a PUT
		for b.Loop() {
			benchPut(b, client, "plain", "object", body)
		}
	})
}

// BenchmarkS3Get is BenchmarkS3Put for GetObject of an object stored once,
// read to the end.
func BenchmarkS3Get(b *testing.B) {
	benchS3(b, func(b *testing.B, client *s3.Client, body []byte) {
		benchPut(b, client, "plain", "object", body)
		get := func() {
			out, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("plain"), Key: aws.String("object")})
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.Copy(io.Discard, out.Body)
			out.Body.Close()
			if err != nil || n != int64(len(body)) {
				b.Fatalf("read %d of %d bytes: %v", n, len(body), err)
			}
		}
		get()
		for b.Loop() {
			get()
		}
	})
}

// benchS3 runs op against both servers, each with a bucket "plain", for
// both sizes.
func benchS3(b *testing.B, op func(b *testing.B, client *s3.Client, body []byte)) {
	servers := []struct {
		name  string
		start func(b *testing.B) (endpoint string)
	}{
		{"lambdalab", func(b *testing.B) string { return labtest.Start(b, benchPlainLab).Endpoint }},
		{"gofakes3", func(b *testing.B) string {
			srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
			b.Cleanup(srv.Close)
			_, err := labtest.Client(srv.URL, "test", "test").CreateBucket(context.Background(),
				&s3.CreateBucketInput{Bucket: aws.String("plain")})
			if err != nil {
				b.Fatal(err)
			}
			return srv.URL
		}},
	}
	sizes := []struct {
		name string
		n    int
	}{{"1KiB", 1 << 10}, {"200KiB", 200 << 10}}
	for _, s := range servers {
		b.Run(s.name, func(b *testing.B) {
			client := labtest.Client(s.start(b), "test", "test")
			for _, size := range sizes {
				b.Run(size.name, func(b *testing.B) {
					body := bytes.Repeat([]byte("lambdalab"), size.n/9+1)[:size.n]
					b.SetBytes(int64(size.n))
					op(b, client, body)
				})
			}
		})
	}
}

// BenchmarkEndToEnd measures images/s through the exercise: upload a
// 1920×1080 photo JPEG → S3 event → resize → 300×300 PNG in the output
// bucket. The lab is the default lab with memory 1024 and timeout 60s (so
// that neither an OOM nor a timeout interferes) and reservedConcurrency 1
// or 2. Exactly as many uploads are in flight as the function may run:
// one more would be throttled and retried after Lambda's back-off (1 s,
// 2 s, …), measuring the back-off instead of the pipeline. A slot is free
// when FunctionMetrics shows one more finished invocation (published after
// the environment went back to the pool). A warm-up upload per slot makes
// the environments first; then b.N images are timed until all b.N
// invocations finished, and the outputs are counted.
func BenchmarkEndToEnd(b *testing.B) {
	photo := testimg.JPEG(testimg.Photo(1920, 1080))
	for _, c := range []int{1, 2} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) { benchEndToEnd(b, c, photo) })
	}
}

func benchEndToEnd(b *testing.B, concurrency int, photo []byte) {
	def, err := labs.Files.ReadFile("default.yaml")
	if err != nil {
		b.Fatal(err)
	}
	lab := string(def)
	for old, repl := range map[string]string{
		"memory: 128":   "memory: 1024",
		"timeout: 3s\n": fmt.Sprintf("timeout: 60s\n    reservedConcurrency: %d\n", concurrency),
	} {
		if !strings.Contains(lab, old) {
			b.Fatalf("the default lab has no %q any more: update this benchmark", old)
		}
		lab = strings.Replace(lab, old, repl, 1)
	}
	l := labtest.Start(b, lab)
	sub := l.Bus().Subscribe()
	b.Cleanup(sub.Close)
	e2e := &benchPipeline{b: b, l: l, sub: sub, photo: photo, slots: concurrency, errs: make(chan error, concurrency)}

	e2e.run(concurrency)
	e2e.busy = 0
	b.ResetTimer()
	start := time.Now()
	e2e.run(b.N)
	elapsed := time.Since(start)
	b.StopTimer()

	want := concurrency + b.N
	if got := benchCount(b, l.Client, "cis-examples-output"); got != want {
		b.Fatalf("%d outputs in cis-examples-output, want %d", got, want)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "images/s")
	b.ReportMetric(100*e2e.busy.Seconds()/(elapsed.Seconds()*float64(concurrency)), "handler-busy-%")
	b.ReportMetric(e2e.busy.Seconds()*1e3/float64(b.N), "handler-ms/image")
	b.ReportMetric(float64(e2e.throttles), "throttles")
}

// benchPipeline feeds the exercise at most slots uploads at a time.
type benchPipeline struct {
	b         *testing.B
	l         *labtest.Lab
	sub       *bus.Subscription
	photo     []byte
	slots     int
	errs      chan error
	uploaded  int           // uploads started
	finished  int           // invocations finished (FunctionMetrics.Invocations)
	busy      time.Duration // handler time of the invocations that ended
	throttles int
}

// run uploads n more images and waits until their invocations finished.
func (p *benchPipeline) run(n int) {
	target := p.uploaded + n
	for p.finished < target {
		for p.uploaded < target && p.uploaded-p.finished < p.slots {
			key := fmt.Sprintf("photo-%06d.jpg", p.uploaded)
			p.uploaded++
			go func() {
				_, err := p.l.Client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("cis-examples"),
					Key: aws.String(key), Body: bytes.NewReader(p.photo), ContentType: aws.String("image/jpeg")})
				if err != nil {
					p.errs <- fmt.Errorf("put %s: %w", key, err)
				}
			}()
		}
		select {
		case err := <-p.errs:
			p.b.Fatal(err)
		case ev, ok := <-p.sub.C():
			if !ok {
				p.b.Fatal("the bus closed")
			}
			p.note(ev)
		case <-time.After(60 * time.Second):
			p.b.Fatalf("nothing happened for 60s (%d uploaded, %d finished)", p.uploaded, p.finished)
		}
	}
}

func (p *benchPipeline) note(ev bus.Event) {
	switch e := ev.(type) {
	case bus.FunctionMetrics:
		p.finished = max(p.finished, e.Metrics.Invocations)
	case bus.InvocationEnded:
		if e.Status != "ok" {
			p.b.Fatalf("invocation %s: %s %s", e.RequestID, e.Status, e.Error)
		}
		p.busy += e.Duration
	case bus.InvocationThrottled:
		p.throttles++
	}
}

// benchCount counts the objects in bucket.
func benchCount(b *testing.B, client *s3.Client, bucket string) int {
	b.Helper()
	n := 0
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		n += len(page.Contents)
	}
	return n
}

// BenchmarkStoredBytes measures the memory a stored byte costs: each
// iteration PUTs 64 objects of 200 KiB over HTTP into a bucket without
// triggers, and compares the live heap (/gc/heap/live:bytes, right after a
// runtime.GC) before and after. With LAMBDALAB_TEST_DATA set the objects
// live in bbolt's memory map, outside the Go heap, and the figure is near 0.
func BenchmarkStoredBytes(b *testing.B) {
	const objects, size = 64, 200 << 10
	l := labtest.Start(b, benchPlainLab)
	body := bytes.Repeat([]byte("lambdalab"), size/9+1)[:size]
	// Connections, buffers and caches exist before the first reading.
	benchPut(b, l.Client, "plain", "warm-up", body)
	var grew int64
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		before := benchLiveHeap()
		b.StartTimer()
		for j := range objects {
			benchPut(b, l.Client, "plain", fmt.Sprintf("%06d/%03d", i, j), body)
		}
		b.StopTimer()
		grew += benchLiveHeap() - before
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(grew)/float64(int64(b.N)*objects*size), "heap-B/stored-B")
}

// benchLiveHeap is the live heap after a full collection.
func benchLiveHeap() int64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}
