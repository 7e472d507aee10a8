package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/labs"
	"github.com/lambdalab/lambdalab/scenarios"
)

// The transcode lab under `lambdalab serve`, the built binary: a video
// uploaded with the aws CLI is split, encoded chunk by chunk and merged by
// the lab's Python functions, with ffmpeg from the lab's layer. Each test
// waits for serve's pipeline summary line, which comes when every event of
// the run has ended (a 20 s video costs about twelve Python cold starts:
// 30 to 60 s on a loaded two-core machine).

// testVideo writes a generated 1280×720 test video of seconds at fps, a
// keyframe every second, as the transcode scenario uploads.
func testVideo(t testing.TB, seconds, fps int) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "video.mp4")
	if err := scenarios.TestVideo(context.Background(), file, seconds, 1280, 720, fps); err != nil {
		t.Fatal(err)
	}
	return file
}

// pipelineLine matches serve's summary of a transcode run.
var pipelineLine = regexp.MustCompile(`pipeline transcode-demo/uploads/([^:]+): split ×(\d+) → encode ×(\d+)(?: → merge ×(\d+))?: (\d+) invocations in (\S+) \(lab time\), at most (\d+) at once, (\d+) throttles?, (\d+) retr(?:y|ies)`)

// run is one pipeline run as serve printed it.
type run struct {
	log                     string // serve's output from the upload on
	summary                 string
	splits, encodes, merges int
	invocations, most       int
	throttle, retries       int
	labTime                 string
}

// transcodeRun uploads video as uploads/NAME with the aws CLI and waits
// for serve's summary of its run.
func transcodeRun(t *testing.T, s *served, video, name string) run {
	t.Helper()
	mark := len(s.out.String())
	if out, err := awsCLI(t, s.endpoint, "s3", "cp", video, "s3://transcode-demo/uploads/"+name); err != nil {
		t.Fatalf("aws s3 cp: %v\n%s", err, out)
	}
	s.waitOutput(t, "pipeline transcode-demo/uploads/"+name+": ")
	log := s.out.String()[mark:]
	m := pipelineLine.FindStringSubmatch(log)
	if m == nil || m[1] != name {
		t.Fatalf("no summary of %s in serve's output:\n%s", name, log)
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	return run{log: log, summary: m[0], splits: n(2), encodes: n(3), merges: n(4), invocations: n(5), labTime: m[6],
		most: n(7), throttle: n(8), retries: n(9)}
}

// requestIDs counts the distinct request ids in function's START lines:
// one per event, as a retry keeps its event's id.
func requestIDs(log, function string) int {
	ids := map[string]bool{}
	for _, l := range functionLines(log, function) {
		if id, ok := strings.CutPrefix(l, "START RequestId: "); ok {
			ids[strings.Fields(id)[0]] = true
		}
	}
	return len(ids)
}

// checkOutput downloads output/NAME with the aws CLI: a video that plays
// through, 640×360, as long as the upload.
func checkOutput(t *testing.T, s *served, input, name string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	if b, err := awsCLI(t, s.endpoint, "s3", "cp", "s3://transcode-demo/output/"+name, out); err != nil {
		t.Fatalf("aws s3 cp output/%s: %v\n%s", name, err, b)
	}
	want, err := scenarios.Probe(context.Background(), input)
	if err != nil {
		t.Fatal(err)
	}
	got, err := scenarios.Probe(context.Background(), out)
	if err != nil {
		t.Fatalf("output/%s: %v", name, err)
	}
	if got.Width != 640 || got.Height != 360 || (got.Duration-want.Duration).Abs() > scenarios.DurationTolerance {
		t.Errorf("output/%s: %d×%d, %v long; want 640×360, %v long (±%v)", name, got.Width, got.Height, got.Duration, want.Duration, scenarios.DurationTolerance)
	}
}

// checkCounts: one split, n encodes and one merge, each once per event.
func checkCounts(t *testing.T, r run, n int) {
	t.Helper()
	if r.splits != 1 || r.encodes != n || r.merges != 1 || r.invocations != n+2 {
		t.Errorf("want split ×1 → encode ×%d → merge ×1: %d invocations; serve said %s", n, n+2, r.summary)
	}
	for fn, want := range map[string]int{"split": 1, "encode": n, "merge": 1} {
		if got := requestIDs(r.log, fn); got != want {
			t.Errorf("%s ran for %d events, want %d", fn, got, want)
		}
	}
}

// TestServeTranscode: a 20 s video with the lab as shipped gives ten
// chunks, ten encodes at once and one merge, and a playable 360p copy as
// long as the upload; with reserved concurrency 1 on encode (set with the
// aws CLI, as on AWS), the encodes are throttled and queue, and the output
// is the same.
func TestServeTranscode(t *testing.T) {
	s := startServe(t, "--lab", "transcode")
	video := testVideo(t, 20, 10)

	fanOut := transcodeRun(t, s, video, "clip.mp4")
	checkCounts(t, fanOut, 10)
	if fanOut.most < 2 {
		t.Errorf("at most %d at once: the encodes did not fan out", fanOut.most)
	}
	checkOutput(t, s, video, "clip.mp4")

	if out, err := awsCLI(t, s.endpoint, "lambda", "put-function-concurrency", "--function-name", "encode", "--reserved-concurrent-executions", "1"); err != nil {
		t.Fatalf("put-function-concurrency: %v\n%s", err, out)
	}
	queued := transcodeRun(t, s, video, "queued.mp4")
	checkCounts(t, queued, 10)
	if queued.throttle == 0 || !strings.Contains(queued.log, "encode ~ throttled (no concurrency left)") {
		t.Errorf("reserved concurrency 1: %d throttles in the summary; serve's output:\n%s", queued.throttle, queued.log)
	}
	checkOutput(t, s, video, "queued.mp4")
	t.Logf("lab time: fanned out %s (at most %d at once), queued %s (at most %d at once, %d throttles)",
		fanOut.labTime, fanOut.most, queued.labTime, queued.most, queued.throttle)
}

// transcodeLabCopy writes the shipped lab with its code where it is in this
// repository and its ffmpeg layer where the shipped lab keeps it (built
// once), changed by edit: a student's copy of the lab.
func transcodeLabCopy(t testing.TB, edit func(string) string) string {
	t.Helper()
	f, err := labfile.LoadLab("transcode")
	if err != nil {
		t.Fatal(err)
	}
	layer := f.CodePath("ffmpeg.zip")
	if _, err := labs.PrepareLayers(f.Name, f.Dir, []labs.LayerRef{{Function: "split", Ref: "ffmpeg.zip", Path: layer}}); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../emulator/labs/transcode.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, _ := filepath.Abs("../../emulator/labs/transcode")
	lab := strings.ReplaceAll(string(src), "code: transcode/", "code: "+code+"/")
	lab = strings.ReplaceAll(lab, "layers: [ffmpeg.zip]", "layers: [\""+layer+"\"]")
	edited := edit(lab)
	if edited == lab {
		t.Fatal("the edit changed nothing in transcode.yaml")
	}
	file := filepath.Join(t.TempDir(), "transcode.yaml")
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestServeTranscodeRetryAndDuplicate: the encode of one chunk fails once
// (FAIL_ONCE); Lambda retries it and the run still makes one merge and one
// output. Then the event of a chunk is delivered again (an asynchronous
// invoke with S3's event, as an at-least-once delivery would repeat it):
// encode runs again, finds the merge already claimed, and no second merge
// follows.
func TestServeTranscodeRetryAndDuplicate(t *testing.T) {
	lab := transcodeLabCopy(t, func(s string) string {
		return strings.Replace(s, `environment: {HEIGHT: "360"`, `environment: {FAIL_ONCE: "003.mp4", HEIGHT: "360"`, 1)
	})
	s := startServe(t, "--lab", lab, "--time-scale", "60") // Lambda's retry a minute later comes in a second
	video := testVideo(t, 8, 10)

	r := transcodeRun(t, s, video, "retry.mp4")
	checkCounts(t, r, 4)
	if r.retries != 1 || strings.Count(r.log, "encode ~ attempt 1 failed; Lambda retries in 1m0s") != 1 ||
		strings.Count(r.log, "RuntimeError: FAIL_ONCE=003.mp4: this attempt fails on purpose") == 0 {
		t.Errorf("the failed encode was not retried once (%d retries in the summary):\n%s", r.retries, r.log)
	}
	checkOutput(t, s, video, "retry.mp4")

	mark := len(s.out.String())
	reports := strings.Count(s.out.String(), "encode | REPORT RequestId: ")
	event := `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventName":"ObjectCreated:Put",` +
		`"s3":{"s3SchemaVersion":"1.0","bucket":{"name":"transcode-demo","arn":"arn:aws:s3:::transcode-demo"},"object":{"key":"chunks/retry/001.mp4"}}}]}`
	if _, err := lambdaClient(s.endpoint).Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String("encode"),
		InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(event)}); err != nil {
		t.Fatalf("Invoke (Event): %v", err)
	}
	if !s.out.waitFor(func(out string) bool { return strings.Count(out, "encode | REPORT RequestId: ") > reports }) {
		t.Fatalf("the duplicate encode never ended:\n%s", s.out.String()[mark:])
	}
	log := s.out.String()
	if !strings.Contains(log[mark:], "another encode already handed it to merge") {
		t.Errorf("the duplicate encode did not find the merge claimed:\n%s", log[mark:])
	}
	for what, line := range map[string]string{
		"merge events":   "S3 event ObjectCreated:Put transcode-demo/encoded/retry/all-encoded.json → merge",
		"merges":         "merge | merged 4 chunks of uploads/retry.mp4",
		"output objects": "S3 PUT transcode-demo/output/retry.mp4 PutObject 200",
	} {
		if n := strings.Count(log, line); n != 1 {
			t.Errorf("%d %s, want 1 (%q)", n, what, line)
		}
	}
}

// TestServeMissingLayerNamesTheCommand: a student's copy of the lab
// without its ffmpeg.zip does not start; serve says which command builds
// the zip, and where it goes.
func TestServeMissingLayerNamesTheCommand(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../emulator/labs/transcode.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, _ := filepath.Abs("../../emulator/labs/transcode")
	lab := filepath.Join(dir, "transcode.yaml")
	os.WriteFile(lab, []byte(strings.ReplaceAll(string(src), "code: transcode/", "code: "+code+"/")), 0o644)
	exit, stderr := waitExit(t, exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--lab", lab))
	zip := filepath.Join(dir, "ffmpeg.zip")
	want := "function split: layer ffmpeg.zip: there is no " + zip + "; build it first: lambdalab layer build ffmpeg --from-machine --out " + zip
	if exit != 2 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, stderr %q; want exit 2 and %q", exit, stderr, want)
	}
	if _, err := os.Stat(zip); err == nil {
		t.Error("serve built the layer of a lab that is not shipped")
	}
}
