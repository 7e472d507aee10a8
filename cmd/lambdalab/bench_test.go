package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// BenchmarkStartup measures process start → first S3 answer of the built
// binary: each iteration execs `lambdalab serve --addr 127.0.0.1:PORT` and
// polls GET http://127.0.0.1:PORT/ (ListBuckets; any HTTP answer counts,
// an AccessDenied too) every millisecond until it answers, then kills the
// process and waits for it. ms-to-first-answer and ns/op are the median
// over the b.N starts; the loop's own time (killing, reaping) is not in it.
func BenchmarkStartup(b *testing.B) {
	var took []time.Duration
	for range b.N {
		took = append(took, benchStartOnce(b))
	}
	slices.Sort(took)
	median := took[(len(took)-1)/2]
	b.ReportMetric(float64(median.Nanoseconds()), "ns/op")
	b.ReportMetric(float64(median.Microseconds())/1e3, "ms-to-first-answer")
}

// benchStartOnce starts one serve process and returns how long it took to
// answer its first request. The process is killed and reaped before it
// returns, whatever happens.
func benchStartOnce(b *testing.B) time.Duration {
	b.Helper()
	addr := freeAddr(b)
	url := "http://" + addr + "/"
	// A fresh connection per poll: nothing is reused from an earlier process.
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	stderr := &syncBuffer{} // read while the process may still write
	cmd := exec.Command(binary, "serve", "--addr", addr)
	cmd.Stderr = stderr // stdout goes to the null device
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatalf("start %s: %v", binary, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited
	}()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := client.Get(url)
		if err == nil {
			took := time.Since(start)
			resp.Body.Close()
			return took
		}
		select {
		case err := <-exited:
			exited <- err // for the deferred reaping
			b.Fatalf("serve exited before answering: %v\n%s", err, stderr.String())
		case <-deadline:
			b.Fatalf("serve did not answer within 10s: %s", stderr.String())
		case <-tick.C:
		}
	}
}

// BenchmarkServeTimeScale: how much wall time the three attempts of a
// failing event take under serve --time-scale 600, from the upload's
// answer to the on-failure record (three minutes of lab time).
func BenchmarkServeTimeScale(b *testing.B) {
	dir := b.TempDir()
	lab := filepath.Join(dir, "retries.yaml")
	os.WriteFile(lab, []byte(`
buckets: [{name: uploads-in}, {name: failed-events}]
functions:
  - {name: thumbnailer, handler: resize, environment: {OUTPUT_BUCKET: failed-events}, onFailure: failed-events}
triggers: [{bucket: uploads-in, function: thumbnailer}]
`), 0o644)
	s := startServe(b, "--lab", lab, "--time-scale", "600")
	client := labtest.Client(s.endpoint, "test", "test")
	var took []time.Duration
	for i := range b.N {
		key := fmt.Sprintf("corrupt-%d.png", i)
		start := time.Now()
		if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("uploads-in"),
			Key: aws.String(key), Body: strings.NewReader("\x89PNG\r\n\x1a\ntruncated")}); err != nil {
			b.Fatal(err)
		}
		dropped := func(out string) bool {
			return strings.Count(out, "event dropped: RetriesExhausted after 3 attempt(s)") > i
		}
		if !s.out.waitFor(dropped) {
			b.Fatalf("event %d never dropped:\n%s", i, s.out)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[(len(took)-1)/2].Milliseconds()), "ms-for-3-attempts")
}
