package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// TestExerciseWithBoto3: the exercise from scratch with boto3 (Debian's,
// run by /usr/bin/python3), against serve --lab empty. The script waits
// where a student would watch the log: the test tells it when serve has
// printed what it waits for.
func TestExerciseWithBoto3(t *testing.T) {
	t.Parallel()
	dir := exerciseDir(t)
	s := serveLab(t, t.TempDir(), "--lab", "empty")
	cmd := exec.Command(pythonWith(t, "boto3"), "testdata/exercise_boto3.py", s.endpoint, dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waits := map[string]string{"invocation": exFunction + " | REPORT RequestId: ", "thumbnail": "S3 PUT cis-examples-output/lambda.png PutObject 200"}
	result := scriptResult(t, stdout, stderr, func(what string) {
		want, ok := waits[what]
		if !ok {
			t.Fatalf("the script waits for %q, which the test does not know", what)
		}
		s.waitOutput(t, want)
		io.WriteString(stdin, "\n")
	})
	var r struct {
		Logs          []string `json:"logs"`
		LayerARN      string   `json:"layer_arn"`
		Status        int      `json:"status"`
		FunctionError string   `json:"function_error"`
		Payload       string   `json:"payload"`
		Tail          string   `json:"tail"`
	}
	if err := json.Unmarshal([]byte(result), &r); err != nil {
		t.Fatalf("%v: %s", err, result)
	}
	if !strings.Contains(strings.Join(r.Logs, "\n"), importError) {
		t.Errorf("filter_log_events lacks the import error:\n%s", strings.Join(r.Logs, "\n"))
	}
	if r.LayerARN != "arn:aws:lambda:us-east-1:000000000000:layer:pillow:1" {
		t.Errorf("publish_layer_version: %s", r.LayerARN)
	}
	if w, h := imageSize(t, labtest.Client(s.endpoint, "test", "test"), "lambda.png"); w != 300 || h != 300 {
		t.Errorf("the thumbnail is %dx%d, want 300x300", w, h)
	}
	if r.Status != 200 || r.FunctionError != "" || r.Payload != "null" {
		t.Errorf("invoke: %+v", r)
	}
	checkTail(t, r.Tail)
}

// scriptResult reads a script's lines: "WAIT what" calls wait, "RESULT
// json" ends it. A script that says neither for patience is a hang.
func scriptResult(t *testing.T, stdout io.Reader, stderr *syncBuffer, wait func(string)) string {
	t.Helper()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the script ended without a result:\n%s", stderr)
			}
			if what, ok := strings.CutPrefix(line, "WAIT "); ok {
				wait(what)
			} else if res, ok := strings.CutPrefix(line, "RESULT "); ok {
				return res
			}
		case <-time.After(patience):
			t.Fatalf("the script said nothing for %v:\n%s", patience, stderr)
		}
	}
}
