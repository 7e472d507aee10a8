package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// BenchmarkTranscodeFanOut: the transcode lab's fan-out (split → one
// encode per 2 s chunk → merge) against one function that encodes the
// whole video with the same ffmpeg settings, in the same lab (serve, the
// built binary), on the same 1280×720 video at 25 fps (20 s, or
// LAMBDALAB_BENCH_VIDEO_SECONDS). Each is timed
// from the PutObject to serve's line that says it is done (the pipeline
// summary; the whole function's END). The first pair starts every
// environment cold and is reported apart (cold-*); the timed pairs find
// them warm. speedup is the whole function's time over the fan-out's, on
// this machine; projected-speedup is what a machine with a free CPU per
// environment would give (see the end).
func BenchmarkTranscodeFanOut(b *testing.B) {
	code, _ := filepath.Abs("testdata/transcode-whole")
	lab := transcodeLabCopy(b, func(s string) string {
		s = strings.Replace(s, "\ntriggers:\n", `
  - name: whole
    runtime: python3.12
    handler: lambda_function.lambda_handler
    code: `+code+`
    layers: [`+layerOf(s)+`]
    memory: 1769
    timeout: 300s
    environment: {HEIGHT: "360", CRF: "28", PRESET: veryfast}
triggers:
  - bucket: transcode-demo
    function: whole
    events: [s3:ObjectCreated:*]
    prefix: whole/
    suffix: .mp4
    acknowledgeRecursiveInvocation: true
`, 1)
		return s
	})
	s := startServe(b, "--lab", lab)
	seconds := 20 // LAMBDALAB_BENCH_VIDEO_SECONDS=60 for a longer video
	if n, err := strconv.Atoi(os.Getenv("LAMBDALAB_BENCH_VIDEO_SECONDS")); err == nil && n > 0 {
		seconds = n
	}
	video, err := os.ReadFile(testVideo(b, seconds, 25))
	if err != nil {
		b.Fatal(err)
	}
	client := labtest.Client(s.endpoint, "test", "test")
	pair := func(i int) (fanOut, whole time.Duration) {
		name := fmt.Sprintf("bench-%d.mp4", i)
		fanOut = timeUntil(b, s, client, video, "uploads/"+name, "pipeline transcode-demo/uploads/"+name+": ")
		whole = timeUntil(b, s, client, video, "whole/"+name, "transcoded whole/"+name+" in one invocation")
		return fanOut, whole
	}
	coldFan, coldWhole := pair(0)
	b.ResetTimer()
	var fan, whole time.Duration
	for i := range b.N {
		f, w := pair(i + 1)
		fan, whole = fan+f, whole+w
	}
	b.StopTimer()
	b.ReportMetric(coldFan.Seconds(), "cold-fanout-s")
	b.ReportMetric(coldWhole.Seconds(), "cold-whole-s")
	b.ReportMetric(fan.Seconds()/float64(b.N), "fanout-s/op")
	b.ReportMetric(whole.Seconds()/float64(b.N), "whole-s/op")
	b.ReportMetric(whole.Seconds()/fan.Seconds(), "speedup")
	b.ReportMetric(float64(runtime.NumCPU()), "cpus")

	// One more run with encode's reserved concurrency at 1: the chunks are
	// encoded one at a time, so each encode's REPORT Duration is what it
	// costs without neighbours. With a free CPU per environment (Lambda's
	// model) a fan-out takes about split + the slowest encode + merge.
	one := int32(1)
	if _, err := lambdaClient(s.endpoint).PutFunctionConcurrency(context.Background(), &lambdasdk.PutFunctionConcurrencyInput{
		FunctionName: aws.String("encode"), ReservedConcurrentExecutions: &one}); err != nil {
		b.Fatal(err)
	}
	mark := len(s.out.String())
	queued := timeUntil(b, s, client, video, "uploads/queued.mp4", "pipeline transcode-demo/uploads/queued.mp4: ")
	log := s.out.String()[mark:]
	critical := maxDuration(log, "split") + maxDuration(log, "encode") + maxDuration(log, "merge")
	mark = len(s.out.String())
	timeUntil(b, s, client, video, "whole/queued.mp4", "transcoded whole/queued.mp4 in one invocation")
	// REPORT comes after the function's last line, as Lambda logs it.
	if !s.out.waitFor(func(out string) bool { return strings.Contains(out[mark:], "whole | REPORT RequestId: ") }) {
		b.Fatal("no REPORT of whole")
	}
	wholeHandler := maxDuration(s.out.String()[mark:], "whole")
	b.ReportMetric(queued.Seconds(), "queued-fanout-s")
	b.ReportMetric(critical.Seconds(), "critical-path-s")
	b.ReportMetric(wholeHandler.Seconds()/critical.Seconds(), "projected-speedup")
}

// reportDuration matches a REPORT line's Duration.
var reportDuration = regexp.MustCompile(`\tDuration: ([0-9.]+) ms`)

// maxDuration is the longest REPORT Duration of function in log.
func maxDuration(log, function string) time.Duration {
	var most time.Duration
	for _, l := range functionLines(log, function) {
		if m := reportDuration.FindStringSubmatch(l); m != nil && strings.HasPrefix(l, "REPORT ") {
			ms, _ := strconv.ParseFloat(m[1], 64)
			most = max(most, time.Duration(ms*float64(time.Millisecond)))
		}
	}
	return most
}

// layerOf is the quoted layer path in a lab copy of transcodeLabCopy.
func layerOf(lab string) string {
	_, rest, _ := strings.Cut(lab, "layers: [")
	layer, _, _ := strings.Cut(rest, "]")
	return layer
}

// timeUntil puts video as key and times until serve prints done.
func timeUntil(b *testing.B, s *served, client *s3.Client, video []byte, key, done string) time.Duration {
	b.Helper()
	start := time.Now()
	if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("transcode-demo"),
		Key: aws.String(key), Body: bytes.NewReader(video), ContentType: aws.String("video/mp4")}); err != nil {
		b.Fatal(err)
	}
	s.waitOutput(b, done)
	return time.Since(start)
}
