package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// treeRSS is the resident memory, in MB, of pid and every process below
// it: lambdalab and its functions' environments.
func treeRSS(pid int) int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 {
			ppid, _ := strconv.Atoi(fields[1])
			children[ppid] = append(children[ppid], p)
		}
	}
	total := 0
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		p := queue[0]
		status, _ := os.ReadFile("/proc/" + strconv.Itoa(p) + "/status")
		for _, line := range strings.Split(string(status), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
				total += kb
			}
		}
		queue = append(queue, children[p]...)
	}
	return total >> 10
}

// hostilePNG is a 3100 × 3100 16-bit RGBA PNG: a small file whose pixels
// take 77 MB decoded (and more to resize).
func hostilePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA64(image.Rect(0, 0, 3100, 3100))
	for y := 0; y < 3100; y += 97 {
		img.SetNRGBA64(y, y, color.NRGBA64{R: 0xffff, A: 0xffff})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Thirty uploads at once of images built to exhaust the resize function's
// memory: the function runs as processes, refuses each before decoding (or
// would be killed at its Memory Size), so lambdalab's whole process tree
// stays under 10 × the memory size (the account's concurrency) plus
// 200 MB. (In-process, the timed-out decodes kept running: 5 GB.)
func TestHostileBurstStaysWithinTheFunctionsMemory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lab := filepath.Join(dir, "burst.yaml")
	os.WriteFile(lab, []byte(`
buckets: [{name: pngs-in}, {name: pngs-out}]
functions:
  - {name: resize, handler: resize, memory: 128, timeout: 30s, maximumRetryAttempts: 0, environment: {OUTPUT_BUCKET: pngs-out}}
triggers:
  - {bucket: pngs-in, function: resize}
`), 0o644)
	s := startServe(t, "--lab", lab)
	client := labtest.Client(s.endpoint, "test", "test")
	body := hostilePNG(t)
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("pngs-in"),
				Key: aws.String(fmt.Sprintf("hostile-%02d.png", i)), Body: bytes.NewReader(body)})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	peak := 0
	ended := func(out string) bool {
		peak = max(peak, treeRSS(s.cmd.Process.Pid))
		return strings.Count(out, "event dropped: RetriesExhausted after 1 attempt(s)") >= 30
	}
	if !s.out.waitFor(ended) {
		t.Fatalf("the burst did not end:\n%s", s.out)
	}
	wg.Wait()
	if limit := 10*128 + 200; peak > limit {
		t.Errorf("lambdalab's process tree peaked at %d MB during the burst, over %d MB", peak, limit)
	}
	out := s.out.String()
	if n := strings.Count(out, "needs about"); n < 30 {
		t.Errorf("%d of 30 hostile PNGs refused before decoding:\n%s", n, out)
	}
	t.Logf("peak RSS of lambdalab and its environments: %d MB", peak)
}
