package emulator_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime/python"
	"github.com/lambdalab/lambdalab/internal/testimg"
)

// Functions of their own code, run as real processes behind the Runtime
// API: what issue 15 must show. Each lab runs on the wall clock, as serve
// does; every wait is for an event or a condition, never for a span of time.

// pyFunction writes a Python function's code folder and returns it.
func pyFunction(t *testing.T, source string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lambda_function.py"), []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newMarker is a value no other process on the machine carries in its
// environment: the test finds a function's processes by it.
func newMarker(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	return "ownfunc-" + hex.EncodeToString(b)
}

// markerVar is the variable a test function's environment carries its
// marker in.
const markerVar = "LAMBDALAB_TEST_MARKER"

// processesWith lists the pids of live processes whose environment holds
// markerVar=value (zombies have none: they are gone for this purpose).
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

// waitNoProcesses polls /proc until no process carries the marker; the
// bound is a hang guard, not an expectation of speed.
func waitNoProcesses(t *testing.T, marker string) {
	t.Helper()
	deadline := time.Now().Add(labtest.Patience)
	for {
		pids := processesWith(marker)
		if len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes %v of the function are still alive", pids)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// invoke runs a function synchronously, as the console's Test button does.
func invoke(t *testing.T, lab *labtest.Lab, function string, payload string) lambda.InvokeResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labtest.Patience)
	defer cancel()
	res, err := lab.Invoke(ctx, function, []byte(payload))
	if err != nil {
		t.Fatalf("invoke %s: %v", function, err)
	}
	return res
}

// errorDoc is a function error's document, as Invoke returns it.
type errorDoc struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

func docOf(t *testing.T, res lambda.InvokeResult) errorDoc {
	t.Helper()
	var d errorDoc
	if err := json.Unmarshal(res.Payload, &d); err != nil {
		t.Fatalf("error document %q: %v", res.Payload, err)
	}
	return d
}

// report is the REPORT line of an invocation's log.
func report(t *testing.T, res lambda.InvokeResult) string {
	t.Helper()
	for _, l := range res.Log {
		if strings.HasPrefix(l, "REPORT RequestId: ") {
			return l
		}
	}
	t.Fatalf("no REPORT line in %q", res.Log)
	return ""
}

const misbehavingLab = `
buckets:
  - name: unused
functions:
  - name: sleeper
    runtime: python3.12
    handler: lambda_function.lambda_handler
    code: %[1]s
    timeout: 1s
    environment: {LAMBDALAB_TEST_MARKER: %[4]s-sleeper}
  - name: hog
    runtime: python3.12
    handler: lambda_function.lambda_handler
    code: %[2]s
    timeout: 60s
    memory: 128
    environment: {LAMBDALAB_TEST_MARKER: %[4]s-hog}
  - name: quitter
    runtime: python3.12
    handler: lambda_function.lambda_handler
    code: %[3]s
    environment: {LAMBDALAB_TEST_MARKER: %[4]s-quitter}
  - name: environ
    runtime: python3.12
    handler: lambda_function.lambda_handler
    code: %[5]s
    environment: {LAMBDALAB_TEST_MARKER: %[4]s-environ, GREETING: hello}
`

const sleeperPy = `import time

def lambda_handler(event, context):
    time.sleep(600)
`

// hogPy touches every page of 300 MB, then holds it.
const hogPy = `import time

def lambda_handler(event, context):
    block = bytearray(300 << 20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    time.sleep(600)
`

const quitterPy = `import sys

def lambda_handler(event, context):
    sys.exit(3)
`

const environPy = `import os

def lambda_handler(event, context):
    return dict(os.environ)
`

func startMisbehaving(t *testing.T) (*labtest.Lab, string) {
	t.Helper()
	marker := newMarker(t)
	yaml := fmt.Sprintf(misbehavingLab, pyFunction(t, sleeperPy), pyFunction(t, hogPy), pyFunction(t, quitterPy), marker, pyFunction(t, environPy))
	return labtest.Start(t, yaml, emulator.WithCacheDir(t.TempDir())), marker
}

// lambdaVariables are the variables Lambda sets in a Python function's
// process (FIDELITY.md), and AWS_ENDPOINT_URL, which points the SDKs at the
// lab.
var lambdaVariables = []string{"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
	"AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ", "LANG", "PATH", "LD_LIBRARY_PATH",
	"AWS_ENDPOINT_URL"}

// TestOwnFunctionEnvironment: the process sees Lambda's variables and the
// function's own, and nothing of the host's (the test binary's HOME, its
// PATH, its credentials).
func TestOwnFunctionEnvironment(t *testing.T) {
	t.Setenv("AWS_PROFILE", "host-profile-must-not-leak")
	lab, marker := startMisbehaving(t)
	res := invoke(t, lab, "environ", `{}`)
	var env map[string]string
	if err := json.Unmarshal(res.Payload, &env); err != nil {
		t.Fatalf("%s %s: %v", res.Status, res.Payload, err)
	}
	want := append(slices.Clone(lambdaVariables), markerVar, "GREETING")
	slices.Sort(want)
	got := slices.Sorted(maps.Keys(env))
	if !slices.Equal(got, want) {
		t.Errorf("the process's variables:\n got %q\nwant %q", got, want)
	}
	creds := lab.FunctionCredentials("environ")
	for k, v := range map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "environ", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/environ", "AWS_REGION": "us-east-1",
		"AWS_DEFAULT_REGION": "us-east-1", "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12", "_HANDLER": "lambda_function.lambda_handler",
		"TZ": ":UTC", "GREETING": "hello", markerVar: marker + "-environ", "AWS_ACCESS_KEY_ID": creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey, "AWS_ENDPOINT_URL": lab.Endpoint,
	} {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if host := os.Getenv("PATH"); env["PATH"] == host {
		t.Errorf("the process has the host's PATH %q", host)
	}
	// The environment stays warm: its one process is what the marker finds
	// (the other tests' "no process left" rests on this scan).
	if pids := processesWith(marker + "-environ"); len(pids) != 1 {
		t.Errorf("processes of the warm environment: %v, want one", pids)
	}
}

// TestOwnFunctionsMisbehave: a timeout, an out-of-memory kill and an exit
// each end the process, as Lambda ends the environment.
func TestOwnFunctionsMisbehave(t *testing.T) {
	lab, marker := startMisbehaving(t)
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		for i := range 20 {
			res := invoke(t, lab, "sleeper", `{}`)
			if d := docOf(t, res); res.Status != lambda.StatusTimeout || !strings.HasSuffix(d.ErrorMessage, "Task timed out after 1.00 seconds") ||
				!slices.ContainsFunc(res.Log, func(l string) bool { return strings.HasSuffix(l, "Task timed out after 1.00 seconds") }) {
				t.Fatalf("invocation %d of 20: %s %s\n%s", i+1, res.Status, res.Payload, strings.Join(res.Log, "\n"))
			}
			// Each invocation is a cold start: the timeout ended the last
			// environment, and its process with it.
			if r := report(t, res); !strings.Contains(r, "Init Duration: ") {
				t.Errorf("invocation %d of 20 was warm: %s", i+1, r)
			}
			waitNoProcesses(t, marker+"-sleeper")
		}
	})
	t.Run("out of memory", func(t *testing.T) {
		t.Parallel()
		res := invoke(t, lab, "hog", `{}`)
		d := docOf(t, res)
		if res.Status != lambda.StatusOOM || d.ErrorType != "Runtime.ExitError" || !strings.HasSuffix(d.ErrorMessage, "Runtime exited with error: signal: killed") {
			t.Errorf("%s %s", res.Status, res.Payload)
		}
		if r := report(t, res); !strings.Contains(r, "Memory Size: 128 MB\tMax Memory Used: 128 MB") {
			t.Errorf("REPORT: %s", r)
		}
		waitNoProcesses(t, marker+"-hog")
	})
	t.Run("sys.exit(3)", func(t *testing.T) {
		t.Parallel()
		res := invoke(t, lab, "quitter", `{}`)
		d := docOf(t, res)
		if d.ErrorType != "Runtime.ExitError" || !strings.HasSuffix(d.ErrorMessage, "Runtime exited with error: exit status 3") {
			t.Errorf("%s %s", res.Status, res.Payload)
		}
		waitNoProcesses(t, marker+"-quitter")
	})
}

// startFile serves a lab built from f, as labtest.Start serves a YAML one.
func startFile(t *testing.T, f *labfile.File, opts ...emulator.Option) *labtest.Lab {
	t.Helper()
	b := bus.New()
	rec := labtest.Record(b)
	lab, err := emulator.New(f, append([]emulator.Option{emulator.WithBus(b)}, opts...)...)
	if err != nil {
		t.Fatalf("new lab: %v", err)
	}
	t.Cleanup(lab.Close)
	endpoint, err := lab.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatalf("serve: %v", err)
	}
	return &labtest.Lab{Lab: lab, Endpoint: endpoint, Client: labtest.Client(endpoint, "test", "test"), Events: rec}
}

// ended waits for the end of an attempt of function that began after the
// recorder had seen skip events of that kind.
func ended(t *testing.T, lab *labtest.Lab, function string, skip int) bus.InvocationEnded {
	t.Helper()
	n := 0
	return labtest.WaitFor(t, lab.Events, func(e bus.InvocationEnded) bool {
		if e.Function != function {
			return false
		}
		n++
		return n > skip
	})
}

// TestOwnPythonLabGetsPillowLayer: the shipped python lab fails to import
// PIL (though this machine's python3 has it: the runtime sees only the
// task root, the layers and its boto3); Lab.SetLayers with the Klayers ARN
// gives it Pillow, and the exercise's lambda_function.py, unmodified, writes
// a 300x300 PNG.
func TestOwnPythonLabGetsPillowLayer(t *testing.T) {
	file, err := labfile.LoadLab("python")
	if err != nil {
		t.Fatal(err)
	}
	shipped, _ := labsFS.ReadFile("python/lambda_function.py")
	if onDisk, err := os.ReadFile(file.CodePath(file.Functions[0].Code) + "/lambda_function.py"); err != nil || !bytes.Equal(onDisk, shipped) {
		t.Fatalf("the lab runs %s, not the shipped lambda_function.py (%v)", file.CodePath(file.Functions[0].Code), err)
	}
	machinePythonHasPIL(t)
	lab := startFile(t, file)
	const fn = "cis-exercise-demo"
	lab.Put(t, "cis-examples", "lambda.png", labtest.Image(t, 640, 480, "png"), "image/png")
	if e := ended(t, lab, fn, 0); e.Status != lambda.StatusInit || !strings.Contains(e.Error, "No module named 'PIL'") {
		t.Fatalf("without the layer: %s %s", e.Status, e.Error)
	}
	if err := lab.SetLayers(fn, []string{emulator.KlayersPillow}); err != nil {
		t.Fatal(err)
	}
	notice := labtest.WaitFor(t, lab.Events, func(n bus.RuntimeNotice) bool { return strings.Contains(n.Message, "stand-in") })
	if !strings.HasPrefix(notice.Message, "stand-in for Klayers-p310-Pillow:2: Pillow ") || !strings.Contains(notice.Message, " from this machine") {
		t.Errorf("notice: %q", notice.Message)
	}
	lab.Put(t, "cis-examples", "again.png", labtest.Image(t, 640, 480, "png"), "image/png")
	// The first upload's retry may run before or after this one.
	labtest.WaitFor(t, lab.Events, func(c bus.ObjectChanged) bool { return c.Bucket == "cis-examples-output" && c.Key == "again.png" })
	_, body := lab.Get(t, "cis-examples-output", "again.png")
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the output is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 300 || b.Dy() != 300 {
		t.Errorf("output is %dx%d, want 300x300", b.Dx(), b.Dy())
	}
}

// machinePythonHasPIL fails the test unless the python3 that runs Python
// functions can import PIL by itself: only then does an ImportModuleError
// prove that the function's process is isolated from the machine's
// site-packages.
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

const bootstrapLab = `
buckets:
  - name: in-builtin
  - name: out-builtin
  - name: in-go
  - name: out-go
  - name: loop-go
  - name: loop-py
functions:
  - name: builtin
    handler: resize
    environment: {OUTPUT_BUCKET: out-builtin}
  - name: go-resize
    runtime: provided.al2023
    code: %[1]s
    environment: {OUTPUT_BUCKET: out-go}
  - name: go-loop
    runtime: provided.al2023
    code: %[1]s
    environment: {OUTPUT_BUCKET: loop-go}
  - name: py-loop
    runtime: python3.12
    handler: lambda_function.lambda_handler
    code: %[2]s
triggers:
  - {bucket: in-builtin, function: builtin}
  - {bucket: in-go, function: go-resize}
  - {bucket: loop-go, function: go-loop, acknowledgeRecursiveInvocation: true}
  - {bucket: loop-py, function: py-loop, acknowledgeRecursiveInvocation: true}
`

// copyBackPy writes the object it was invoked for back to its own bucket:
// a same-bucket loop.
const copyBackPy = `import boto3
from urllib.parse import unquote_plus

s3 = boto3.client('s3')

def lambda_handler(event, context):
    obj = event['Records'][0]['s3']
    s3.put_object(Bucket=obj['bucket']['name'], Key=unquote_plus(obj['object']['key']), Body=b'once more')
`

// startBootstrapLab serves ./cmd/resize-lambda as a provided.al2023
// function (built with the machine's go into the user's cache, as serve
// does), the built-in resize beside it, and two loops.
func startBootstrapLab(t *testing.T) *labtest.Lab {
	t.Helper()
	code, err := filepath.Abs("../cmd/resize-lambda")
	if err != nil {
		t.Fatal(err)
	}
	return labtest.Start(t, fmt.Sprintf(bootstrapLab, code, pyFunction(t, copyBackPy)))
}

// TestOwnGoBootstrap: ./cmd/resize-lambda, built and run as a bootstrap
// process, makes the thumbnail the built-in handler makes; and a function
// process that writes into the bucket that triggers it — Go through
// aws-sdk-go-v2, Python through boto3 — carries the trace header back to
// S3, so Lambda counts the loop across the process boundary and stops it at
// 16. One lab serves both.
func TestOwnGoBootstrap(t *testing.T) {
	lab := startBootstrapLab(t)
	t.Run("same thumbnail as the built-in", func(t *testing.T) { sameThumbnail(t, lab) })
	t.Run("loops stop at 16", func(t *testing.T) { loopsStop(t, lab) })
}

func sameThumbnail(t *testing.T, lab *labtest.Lab) {
	photo := testimg.JPEG(testimg.Photo(1280, 720))
	lab.Put(t, "in-builtin", "my photo.jpg", photo, "image/jpeg")
	lab.Put(t, "in-go", "my photo.jpg", photo, "image/jpeg")
	for _, fn := range []string{"builtin", "go-resize"} {
		if e := ended(t, lab, fn, 0); e.Status != lambda.StatusOK {
			t.Fatalf("%s: %s %s", fn, e.Status, e.Error)
		}
	}
	want := decodePNG(t, lab, "out-builtin", "my photo.jpg")
	got := decodePNG(t, lab, "out-go", "my photo.jpg")
	if b := got.Bounds(); b.Dx() != 300 || b.Dy() != 300 {
		t.Fatalf("the bootstrap's thumbnail is %dx%d", b.Dx(), b.Dy())
	}
	if psnr := testimg.PSNR(want, got); psnr < 60 {
		t.Errorf("the bootstrap's thumbnail differs from the built-in's: PSNR %.1f dB", psnr)
	}
}

func decodePNG(t *testing.T, lab *labtest.Lab, bucket, key string) *image.NRGBA {
	t.Helper()
	_, body := lab.Get(t, bucket, key)
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("s3://%s/%s is not a PNG: %v", bucket, key, err)
	}
	out := image.NewNRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

func loopsStop(t *testing.T, lab *labtest.Lab) {
	lab.Put(t, "loop-go", "cat.png", labtest.Image(t, 64, 64, "png"), "image/png")
	lab.Put(t, "loop-py", "cat.txt", []byte("meow"), "text/plain")
	for _, fn := range []string{"go-loop", "py-loop"} {
		stop := labtest.WaitFor(t, lab.Events, func(s bus.LoopStopped) bool { return s.Function == fn })
		if stop.By != "lambda" || stop.Invocations != 16 {
			t.Errorf("%s: %+v", fn, stop)
		}
	}
	lab.WaitIdle(t)
	for _, fn := range []string{"go-loop", "py-loop"} {
		m, _ := lab.Lambda().Metrics(fn)
		if m.RecursiveInvocationsDropped != 1 || m.Invocations != 16 {
			t.Errorf("%s: RecursiveInvocationsDropped %d, Invocations %d; want 1 and 16", fn, m.RecursiveInvocationsDropped, m.Invocations)
		}
	}
}
