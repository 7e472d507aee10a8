package main

import (
	"net/http"
	"os/exec"
	"slices"
	"testing"
	"time"
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
