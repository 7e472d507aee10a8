package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// binary is lambdalab built once for the CLI tests.
var binary string

// testParallel is how many of these tests run at once unless -parallel
// says otherwise: they wait on processes (lambdalab, the aws CLI, Python,
// ffmpeg) far more than they compute, so the default, one per core, left
// a 2-core machine idle and the package past go test's 10 minutes.
const testParallel = "6"

func TestMain(m *testing.M) {
	flag.Parse()
	parallelGiven := false
	flag.Visit(func(f *flag.Flag) { parallelGiven = parallelGiven || f.Name == "test.parallel" })
	if !parallelGiven {
		flag.Set("test.parallel", testParallel)
	}
	dir, err := os.MkdirTemp("", "lambdalab-cli")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "lambdalab")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build lambdalab: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer collects a process's output while the test reads it.
// patience bounds every wait in these tests. It guards against a hang
// (and names what never came); it is not an expectation of speed: tests
// wait for what they need to see, however long a loaded machine takes.
const patience = 3 * time.Minute

type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return b.buf.Write(p)
}

// waitFor waits until ok holds for what has been written, or patience
// runs out; it reports whether ok held.
func (b *syncBuffer) waitFor(ok func(string) bool) bool {
	limit := time.After(patience)
	for {
		b.mu.Lock()
		if ok(b.buf.String()) {
			b.mu.Unlock()
			return true
		}
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		changed := b.changed
		b.mu.Unlock()
		select {
		case <-changed:
		case <-limit:
			return false
		}
	}
}

// waitOutput waits until serve has printed want.
func (s *served) waitOutput(t testing.TB, want string) {
	t.Helper()
	if !s.out.waitFor(func(out string) bool { return strings.Contains(out, want) }) {
		t.Fatalf("serve never printed %q:\n%s", want, s.out)
	}
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

type served struct {
	cmd      *exec.Cmd
	endpoint string
	out      *syncBuffer
	errOut   *syncBuffer
	done     chan error
}

// startServe runs lambdalab serve on a port of its choosing and waits for
// its first line, which names the endpoint.
func startServe(t testing.TB, args ...string) *served {
	t.Helper()
	return serveWith(t, nil, args...)
}

// serveWith is startServe with env added to the process's environment.
// It listens on 127.0.0.1:0 (a port picked beforehand could be taken by a
// parallel test in between).
func serveWith(t testing.TB, env []string, args ...string) *served {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	s := &served{cmd: cmd, out: &syncBuffer{}, errOut: &syncBuffer{}, done: make(chan error, 1)}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = s.errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		s.out.Write([]byte(line))
		first <- line
		io.Copy(s.out, r)
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.done // kill9 puts its wait's result back

	})
	select {
	case line := <-first:
		_, rest, ok := strings.Cut(line, "export AWS_ENDPOINT_URL=")
		if !ok {
			t.Fatalf("serve's first line does not say where it serves: %q (stderr: %s)", line, s.errOut)
		}
		s.endpoint, _, _ = strings.Cut(rest, " ")
	case <-time.After(patience):
		t.Fatalf("serve did not start: %s", s.errOut)
	}
	return s
}

// awsCLI runs the aws CLI against endpoint with throwaway credentials.
func awsCLI(t testing.TB, endpoint string, args ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Fatalf("the aws CLI is not installed; run ./scripts/test.sh, which installs it: %v", err)
	}
	cmd := exec.Command(path, append([]string{"--endpoint-url", endpoint}, args...)...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func waitExit(t *testing.T, cmd *exec.Cmd) (int, string) {
	t.Helper()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(patience):
		cmd.Process.Kill()
		t.Fatal("lambdalab did not exit")
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// allowS3 lets S3 invoke function for bucket through the Lambda API, as
// `aws lambda add-permission --principal s3.amazonaws.com` does.
func allowS3(t testing.TB, endpoint, function, bucket string) {
	t.Helper()
	lab := labtest.Lab{Endpoint: endpoint}
	lab.AllowS3(t, function, bucket)
}
