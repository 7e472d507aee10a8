package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime/python"
)

// Functions of the student's own code under `lambdalab serve`, the built
// binary: what issue 15 must show, through the aws CLI and the SDK.

// machinePythonHasPIL fails the test unless the python3 that runs Python
// functions imports PIL by itself: only then does an ImportModuleError prove
// that the function's process does not see the machine's site-packages.
func machinePythonHasPIL(t *testing.T) {
	t.Helper()
	in, err := python.Find("python3.10")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(in.Path, "-c", "import PIL").CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import PIL (%v: %s): install python3-pil, so that this test proves the function does not see it", in.Path, err, out)
	}
}

// TestServePythonLabImportModuleError: the shipped python lab, an upload
// with the aws CLI: the invocation fails to import PIL, with START, the
// error, END and REPORT with Init Duration, though this machine's python3
// has Pillow.
func TestServePythonLabImportModuleError(t *testing.T) {
	t.Parallel()
	machinePythonHasPIL(t)
	s := startServe(t, "--lab", "python")
	img := filepath.Join(t.TempDir(), "lambda.png")
	os.WriteFile(img, labtest.Image(t, 640, 480, "png"), 0o644)
	if out, err := awsCLI(t, s.endpoint, "s3", "cp", img, "s3://cis-examples/"); err != nil {
		t.Fatalf("aws s3 cp: %v\n%s", err, out)
	}
	s.waitOutput(t, "cis-exercise-demo | REPORT RequestId: ")
	lines := functionLines(s.out.String(), "cis-exercise-demo")
	want := []string{
		"[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'PIL'",
		"START RequestId: ",
		`{"errorMessage":"Unable to import module 'lambda_function': No module named 'PIL'","errorType":"Runtime.ImportModuleError","stackTrace":[]}`,
		"END RequestId: ",
		"REPORT RequestId: ",
	}
	next := 0
	for _, l := range lines {
		if next < len(want) && strings.HasPrefix(l, want[next]) {
			next++
		}
	}
	if next < len(want) {
		t.Fatalf("serve's log lacks %q (in this order):\n%s", want[next], strings.Join(lines, "\n"))
	}
	report := lines[len(lines)-1]
	for _, l := range lines {
		if strings.HasPrefix(l, "REPORT RequestId: ") {
			report = l
			break
		}
	}
	if !strings.Contains(report, "\tInit Duration: ") {
		t.Errorf("REPORT without Init Duration: %s", report)
	}
}

// functionLines are the log lines serve printed for function, without the
// timestamp and the "function | " prefix.
func functionLines(log, function string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if _, rest, ok := strings.Cut(l, " "+function+" | "); ok {
			out = append(out, rest)
		}
	}
	return out
}

// pythonLabWithPillow writes the shipped python lab, with the Klayers
// Pillow layer added, and its code (the shipped lambda_function.py,
// unmodified) into a folder of its own, as a student's copy would be.
func pythonLabWithPillow(t *testing.T) (labFile, code string) {
	t.Helper()
	dir := t.TempDir()
	yaml, err := os.ReadFile("../../emulator/labs/python.yaml")
	if err != nil {
		t.Fatal(err)
	}
	withLayer := strings.Replace(string(yaml), "    code: python\n", "    code: python\n    layers: [\""+emulator.KlayersPillow+"\"]\n", 1)
	if withLayer == string(yaml) {
		t.Fatal("python.yaml has no `code: python` line to add the layer after")
	}
	src, err := os.ReadFile("../../emulator/labs/python/lambda_function.py")
	if err != nil {
		t.Fatal(err)
	}
	code = filepath.Join(dir, "python", "lambda_function.py")
	os.MkdirAll(filepath.Dir(code), 0o755)
	labFile = filepath.Join(dir, "python.yaml")
	if os.WriteFile(code, src, 0o644) != nil || os.WriteFile(labFile, []byte(withLayer), 0o644) != nil {
		t.Fatal("cannot write the lab")
	}
	return labFile, code
}

// TestServePythonLabWithPillowLayer: with the Klayers ARN in the lab file,
// the exercise's lambda_function.py writes a 300x300 PNG; after the file is
// edited while serve runs, the next upload runs the new code.
func TestServePythonLabWithPillowLayer(t *testing.T) {
	t.Parallel()
	labFile, code := pythonLabWithPillow(t)
	s := startServe(t, "--lab", labFile)
	client := labtest.Client(s.endpoint, "test", "test")
	upload(t, client, "lambda.png")
	s.waitOutput(t, "S3 PUT cis-examples-output/lambda.png PutObject 200")
	if w, h := imageSize(t, client, "lambda.png"); w != 300 || h != 300 {
		t.Errorf("lambda.png: %dx%d, want 300x300", w, h)
	}
	if !strings.Contains(s.out.String(), "cis-exercise-demo ! stand-in for Klayers-p310-Pillow:2: Pillow ") {
		t.Errorf("serve does not say the layer is a stand-in:\n%s", s.out)
	}

	src, _ := os.ReadFile(code)
	edited := bytes.Replace(src, []byte("image.resize((300, 300))"), []byte("image.resize((120, 80))"), 1)
	if bytes.Equal(edited, src) {
		t.Fatal("lambda_function.py has no image.resize((300, 300)) to edit")
	}
	if err := os.WriteFile(code, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	upload(t, client, "edited.png")
	s.waitOutput(t, "S3 PUT cis-examples-output/edited.png PutObject 200")
	if w, h := imageSize(t, client, "edited.png"); w != 120 || h != 80 {
		t.Errorf("after the edit: %dx%d, want the new code's 120x80", w, h)
	}
}

func upload(t *testing.T, client *s3.Client, key string) {
	t.Helper()
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("cis-examples"), Key: aws.String(key),
		Body: bytes.NewReader(labtest.Image(t, 640, 480, "png")), ContentType: aws.String("image/png")})
	if err != nil {
		t.Fatalf("upload %s: %v", key, err)
	}
}

func imageSize(t *testing.T, client *s3.Client, key string) (int, int) {
	t.Helper()
	out, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("cis-examples-output"), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	cfg, err := png.DecodeConfig(out.Body)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", key, err)
	}
	return cfg.Width, cfg.Height
}

// rendezvousPy returns once five invocations run at once, so that five
// execution environments exist and stay warm.
const rendezvousPy = `import os, time

def lambda_handler(event, context):
    d = os.environ['RENDEZVOUS']
    open(os.path.join(d, context.aws_request_id), 'w').close()
    while len(os.listdir(d)) < 5:
        time.sleep(0.01)
`

const warmLab = `
buckets:
  - name: uploads
functions:
  - name: warm
    runtime: python3.12
    handler: lambda_function.lambda_handler
    code: ./fn
    timeout: 120s
    environment: {RENDEZVOUS: %q, LAMBDALAB_TEST_MARKER: %q}
triggers:
  - {bucket: uploads, function: warm}
`

// TestServeKill9LeavesNoFunctionProcess: SIGKILL gives lambdalab no chance
// to stop its environments; their processes must die anyway.
func TestServeKill9LeavesNoFunctionProcess(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "fn"), 0o755)
	os.MkdirAll(filepath.Join(dir, "rendezvous"), 0o755)
	os.WriteFile(filepath.Join(dir, "fn", "lambda_function.py"), []byte(rendezvousPy), 0o644)
	marker := newMarker()
	os.WriteFile(filepath.Join(dir, "lab.yaml"), []byte(fmt.Sprintf(warmLab, filepath.Join(dir, "rendezvous"), marker)), 0o644)
	s := startServe(t, "--lab", filepath.Join(dir, "lab.yaml"))
	client := labtest.Client(s.endpoint, "test", "test")
	for i := range 5 {
		_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("uploads"),
			Key: aws.String(fmt.Sprintf("%d.txt", i)), Body: strings.NewReader("hello")})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !s.out.waitFor(func(out string) bool { return strings.Count(out, "warm | END RequestId: ") == 5 }) {
		t.Fatalf("five invocations did not end:\n%s", s.out)
	}
	if pids := processesWith(marker); len(pids) != 5 {
		t.Fatalf("warm environments' processes: %v, want five", pids)
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(patience)
	for pids := processesWith(marker); len(pids) > 0; pids = processesWith(marker) {
		if time.Now().After(deadline) {
			t.Fatalf("after kill -9 of lambdalab, its function processes %v live on", pids)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// markerVar is the variable a test function's environment carries its
// marker in: a value no other process on the machine has.
const markerVar = "LAMBDALAB_TEST_MARKER"

func newMarker() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "ownfunc-" + hex.EncodeToString(b)
}

// processesWith lists the live processes whose environment holds
// markerVar=value.
func processesWith(value string) []int {
	entries, _ := os.ReadDir("/proc")
	want := []byte(markerVar + "=" + value + "\x00")
	var pids []int
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err == nil && bytes.Contains(append(env, 0), want) {
			pids = append(pids, pid)
		}
	}
	return pids
}
