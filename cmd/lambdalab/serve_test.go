package main

import (
	"encoding/json"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// TestServeExerciseWithAWSCLI is the exercise as a student does it: the aws
// CLI copies a JPEG whose key has spaces into cis-examples; a 300x300 PNG
// with the same key appears in cis-examples-output.
func TestServeExerciseWithAWSCLI(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "Screenshot from 2023-05-22 10-07-49.jpg")
	if err := os.WriteFile(src, labtest.Image(t, 1280, 720, "jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	key := "Screenshot from 2023-05-22 10-07-49.jpg"
	if out, err := awsCLI(t, s.endpoint, "s3", "cp", src, "s3://cis-examples/"+key); err != nil {
		t.Fatalf("aws s3 cp: %v\n%s", err, out)
	}
	// The function's write is in serve's log once it is acknowledged.
	s.waitOutput(t, "S3 PUT cis-examples-output/"+key+" PutObject 200")
	head, err := awsCLI(t, s.endpoint, "s3api", "head-object", "--bucket", "cis-examples-output", "--key", key)
	if err != nil {
		t.Fatalf("head-object: %v %s\nserve output:\n%s", err, head, s.out)
	}
	var meta struct{ ContentType string }
	if err := json.Unmarshal([]byte(head), &meta); err != nil || meta.ContentType != "image/png" {
		t.Errorf("head-object: %v %s", err, head)
	}
	dst := filepath.Join(dir, "out.png")
	if out, err := awsCLI(t, s.endpoint, "s3", "cp", "s3://cis-examples-output/"+key, dst); err != nil {
		t.Fatalf("download: %v\n%s", err, out)
	}
	f, err := os.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("output is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 300 || b.Dy() != 300 {
		t.Errorf("output is %dx%d, want 300x300", b.Dx(), b.Dy())
	}
	log := s.out.String()
	for _, want := range []string{"S3 PUT cis-examples/" + key + " PutObject 200", "cis-exercise-demo | START RequestId: ",
		"cis-exercise-demo | resizing s3://cis-examples/" + key, "cis-exercise-demo | END RequestId: ", "cis-exercise-demo | REPORT RequestId: "} {
		if !strings.Contains(log, want) {
			t.Errorf("serve output lacks %q:\n%s", want, log)
		}
	}
}

func TestServeNotificationConfigurationWithAWSCLI(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	dir := t.TempDir()
	arn := "arn:aws:lambda:us-east-1:000000000000:function:cis-exercise-demo"
	overlap := `{"LambdaFunctionConfigurations":[
	  {"Id":"all","LambdaFunctionArn":"` + arn + `","Events":["s3:ObjectCreated:*"]},
	  {"Id":"puts","LambdaFunctionArn":"` + arn + `","Events":["s3:ObjectCreated:Put"]}]}`
	path := filepath.Join(dir, "overlap.json")
	os.WriteFile(path, []byte(overlap), 0o644)
	out, err := awsCLI(t, s.endpoint, "s3api", "put-bucket-notification-configuration", "--bucket", "cis-examples",
		"--notification-configuration", "file://"+path)
	if err == nil || !strings.Contains(out, "(InvalidArgument)") ||
		!strings.Contains(out, "Configurations overlap. Configurations on the same bucket cannot share a common event type.") {
		t.Fatalf("overlapping configurations: err=%v\n%s", err, out)
	}
	valid := `{"LambdaFunctionConfigurations":[{"Id":"thumbs","LambdaFunctionArn":"` + arn +
		`","Events":["s3:ObjectCreated:*"],"Filter":{"Key":{"FilterRules":[{"Name":"Prefix","Value":"uploads/"},{"Name":"Suffix","Value":".jpg"}]}}}]}`
	path = filepath.Join(dir, "valid.json")
	os.WriteFile(path, []byte(valid), 0o644)
	if out, err := awsCLI(t, s.endpoint, "s3api", "put-bucket-notification-configuration", "--bucket", "cis-examples",
		"--notification-configuration", "file://"+path); err != nil {
		t.Fatalf("valid configuration refused: %v\n%s", err, out)
	}
	out, err = awsCLI(t, s.endpoint, "s3api", "get-bucket-notification-configuration", "--bucket", "cis-examples")
	if err != nil {
		t.Fatalf("get: %v\n%s", err, out)
	}
	var got, want any
	json.Unmarshal([]byte(out), &got)
	json.Unmarshal([]byte(valid), &want)
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("round trip:\n got %s\nwant %s", gotJSON, wantJSON)
	}
}

func TestServeBucketNameWithAWSCLI(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	out, err := awsCLI(t, s.endpoint, "s3api", "create-bucket", "--bucket", "My_Bucket")
	if err == nil || !strings.Contains(out, "(InvalidBucketName)") {
		t.Fatalf("create-bucket My_Bucket: err=%v\n%s", err, out)
	}
}

func TestServePortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	code, stderr := waitExit(t, exec.Command(binary, "serve", "--addr", addr))
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 2 || len(lines) != 1 || !strings.Contains(stderr, "port "+port+" is already in use") || !strings.Contains(stderr, "--addr") {
		t.Fatalf("exit %d, stderr %q; want exit 2 and one line naming port %s and --addr", code, stderr, port)
	}
}

func TestServeStopsOnSignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		s := startServe(t)
		s.cmd.Process.Signal(sig)
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("%v: exit: %v (stderr %s)", sig, err, s.errOut)
			}
			s.done <- err // for the cleanup
		case <-time.After(patience):
			t.Fatalf("%v: serve did not stop", sig)
		}
		if !strings.Contains(s.out.String(), "lambdalab: stopping") {
			t.Errorf("%v: output %q", sig, s.out)
		}
	}
}

func TestServeRefusesRemoteAddressWithoutFlag(t *testing.T) {
	t.Parallel()
	code, stderr := waitExit(t, exec.Command(binary, "serve", "--addr", "0.0.0.0:0"))
	if code != 2 || !strings.Contains(stderr, "--allow-remote") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestServeBadLabFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "lab.yaml")
	os.WriteFile(path, []byte("buckets:\n  - name: Photos\n"), 0o644)
	code, stderr := waitExit(t, exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--lab", path))
	if code != 2 || !strings.Contains(stderr, path+":2:11: invalid bucket name \"Photos\"") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// TestServeTimeScale: with --time-scale 600 the two retries of a failing
// upload (1 and 2 minutes of lab time) take well under two seconds of wall
// time, and the record reaches the on-failure bucket.
func TestServeTimeScale(t *testing.T) {
	t.Parallel()
	lab := filepath.Join(t.TempDir(), "retries.yaml")
	os.WriteFile(lab, []byte(`
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
`), 0o644)
	s := startServe(t, "--lab", lab, "--time-scale", "600")
	corrupt := filepath.Join(t.TempDir(), "corrupt.png")
	os.WriteFile(corrupt, []byte("\x89PNG\r\n\x1a\ntruncated"), 0o644)
	if out, err := awsCLI(t, s.endpoint, "s3", "cp", corrupt, "s3://uploads-in/corrupt.png"); err != nil {
		t.Fatalf("upload: %v %s", err, out)
	}
	// Three minutes of retries pass at 600x (BenchmarkServeTimeScale
	// measures how fast); the test waits for them, whatever it takes.
	s.waitOutput(t, "event dropped: RetriesExhausted after 3 attempt(s)")
	log := s.out.String()
	// Only waits are scaled: serve's timestamps are the wall clock's,
	// though three lab minutes have passed since the upload.
	if at := lastStamp(t, log); at.After(time.Now().Add(time.Second)) {
		t.Errorf("serve's last line says %s at %s: the clocks users see must not run ahead", at.Format("15:04:05.000"), time.Now().Format("15:04:05.000"))
	}
	if strings.Count(log, "thumbnailer | START RequestId") != 3 || !strings.Contains(log, "attempt 1 failed; Lambda retries in 1m0s") ||
		!strings.Contains(log, "attempt 2 failed; Lambda retries in 2m0s") {
		t.Errorf("serve output:\n%s", log)
	}
	out, err := awsCLI(t, s.endpoint, "s3", "ls", "--recursive", "s3://failed-events/")
	if err != nil || !strings.Contains(out, "aws/lambda/async/thumbnailer/") {
		t.Errorf("failed-events: %v %s", err, out)
	}
}

// TestServeRecursionBlock: the shipped recursion lab, one upload with the aws
// CLI: serve prints the stop as one block with the chain and the fix.
func TestServeRecursionBlock(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--lab", "recursion")
	img := filepath.Join(t.TempDir(), "cat.png")
	os.WriteFile(img, labtest.Image(t, 64, 64, "png"), 0o644)
	if out, err := awsCLI(t, s.endpoint, "s3", "cp", img, "s3://cis-examples/cat.png"); err != nil {
		t.Fatalf("upload: %v %s", err, out)
	}
	s.waitOutput(t, "■ to fix:")
	log := s.out.String()
	for _, want := range []string{
		"WARNING Recursive invocation: function cis-exercise-demo writes to bucket cis-examples",
		"cis-exercise-demo ■ RECURSIVE LOOP STOPPED by Lambda after 16 invocations",
		"cis-exercise-demo ■ chain: cis-examples/cat.png → cis-exercise-demo → cis-examples/cat.png → … (16 invocations)",
		"cis-exercise-demo ■ to fix: write the output to a different bucket",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("serve output lacks %q", want)
		}
	}
	if n := strings.Count(log, "cis-exercise-demo | START RequestId"); n != 16 {
		t.Errorf("START lines = %d, want 16", n)
	}
}

// TestConsoleUnderTmux runs scripts/tui-smoke.sh: the console at 100x30 in
// tmux, an upload through its dialog, the thumbnail and an ok invocation on
// screen. The capture is kept in $ARTIFACTS (scripts/test.sh, and so CI,
// sets it to the clone's artifacts/; a plain go test keeps it in a
// temporary directory).
func TestConsoleUnderTmux(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is not installed; run ./scripts/test.sh, which installs it: %v", err)
	}
	cmd := exec.Command("../../scripts/tui-smoke.sh", binary)
	cmd.Env = os.Environ()
	if os.Getenv("ARTIFACTS") == "" {
		cmd.Env = append(cmd.Env, "ARTIFACTS="+filepath.Join(t.TempDir(), "artifacts"))
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tui-smoke: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

func TestConsoleNeedsATerminal(t *testing.T) {
	t.Parallel()
	code, stderr := waitExit(t, exec.Command(binary, "--addr", "127.0.0.1:0"))
	if code != 2 || !strings.Contains(stderr, "use `lambdalab serve`") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestRunLibrary(t *testing.T) {
	t.Parallel()
	// Two scenarios (the library's every scenario is the scenarios
	// package's TestLibrary; `run all` only lists them).
	cmd := exec.Command(binary, "run", "trigger-resize", "recursion")
	out, err := cmd.Output()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	if err != nil || last != "2 passed, 0 failed" || !strings.Contains(string(out), "PASS  recursion") {
		t.Fatalf("exit %v, last line %q", err, last)
	}
	jsonOut, err := exec.Command(binary, "run", "--json", "trigger-resize", "timeout").Output()
	var res struct {
		Results []struct {
			Name   string
			Passed bool
		}
		Passed, Failed int
	}
	if err != nil || json.Unmarshal(jsonOut, &res) != nil || res.Passed != 2 || res.Failed != 0 || res.Results[0].Name != "trigger-resize" {
		t.Fatalf("--json: %v\n%s", err, jsonOut)
	}
}

func TestRunFailingAndMalformedScenarios(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	wrong := filepath.Join(dir, "wrong.yaml")
	os.WriteFile(wrong, []byte("name: wrong\ndescription: d\nlab: default\nsteps:\n  - upload: {bucket: cis-examples, key: a.png, image: {width: 10, height: 10}}\n  - wait: idle\n  - expect: {invocations: {function: cis-exercise-demo, status: error, count: 1}}\n"), 0o644)
	cmd := exec.Command(binary, "run", wrong)
	out, _ := cmd.Output()
	if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "FAIL  wrong  step 3 ("+wrong+":7:5) expect 1 error invocation(s) of cis-exercise-demo: 0 error invocation(s) of cis-exercise-demo, want 1") ||
		!strings.HasSuffix(strings.TrimSpace(string(out)), "0 passed, 1 failed") {
		t.Fatalf("exit %d:\n%s", cmd.ProcessState.ExitCode(), out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nlab: default\nsteps:\n  - wait: sometimes\n"), 0o644)
	code, stderr := waitExit(t, exec.Command(binary, "run", bad))
	if code != 2 || !strings.Contains(stderr, bad+":4:11: wait: \"sometimes\" is neither idle nor a duration such as 5m; the shape is wait: idle | wait: 5m | wait: {invocations: N}") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

// lastStamp is the time of serve's last timestamped line, on today's date.
func lastStamp(t *testing.T, log string) time.Time {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(log), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if len(lines[i]) < 12 {
			continue
		}
		at, err := time.ParseInLocation("15:04:05.000", lines[i][:12], time.Local)
		if err != nil {
			continue
		}
		now := time.Now()
		stamp := time.Date(now.Year(), now.Month(), now.Day(), at.Hour(), at.Minute(), at.Second(), at.Nanosecond(), time.Local)
		if stamp.Sub(now) > 12*time.Hour { // written before midnight
			stamp = stamp.AddDate(0, 0, -1)
		}
		return stamp
	}
	t.Fatalf("no timestamped line in:\n%s", log)
	return time.Time{}
}
