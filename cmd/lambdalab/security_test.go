package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeVerifySignaturesWithAWSCLI: with --verify-signatures, the aws CLI
// signing with lambdalab env's key and the wrong secret is refused with
// SignatureDoesNotMatch; with the right secret it lists the buckets.
func TestServeVerifySignaturesWithAWSCLI(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--verify-signatures")
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Fatalf("the aws CLI is not installed; run ./scripts/test.sh, which installs it: %v", err)
	}
	run := func(secret string) (string, error) {
		cmd := exec.Command(aws, "--endpoint-url", s.endpoint, "s3", "ls")
		home := t.TempDir()
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=lambdalab", "AWS_SECRET_ACCESS_KEY="+secret, "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE="+filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
			"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("wrong-secret")
	if err == nil || !strings.Contains(out, "SignatureDoesNotMatch") {
		t.Errorf("wrong secret: %v\n%s", err, out)
	}
	out, err = run("lambdalab")
	if err != nil || !strings.Contains(out, "cis-examples-output") {
		t.Errorf("right secret: %v\n%s", err, out)
	}
	if !strings.Contains(s.out.String(), "SignatureDoesNotMatch") {
		t.Errorf("serve's log does not show the refused request:\n%s", s.out)
	}
}

// TestDeclaredLengthUnderAddressLimit: a PUT declaring 5 GiB and sending 100
// bytes, sent to lambdalab running under a 1 GiB address-space limit, is
// answered IncompleteBody and lambdalab goes on serving (it used to reserve
// the declared length up front and die: "fatal error: out of memory").
func TestDeclaredLengthUnderAddressLimit(t *testing.T) {
	t.Parallel()
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Fatalf("prlimit (util-linux) is not installed: %v", err)
	}
	cmd := exec.Command(prlimit, "--as=1073741824", "--", binary, "serve", "--addr", "127.0.0.1:0")
	endpoint, stderr := startAndReadEndpoint(t, cmd)
	conn, err := net.Dial("tcp", strings.TrimPrefix(endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second)) // a failure bound
	io.WriteString(conn, "PUT /cis-examples-output/declared.bin HTTP/1.1\r\nHost: lab\r\nContent-Length: 5368709120\r\n\r\n"+strings.Repeat("x", 100))
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v; lambdalab's stderr:\n%s", err, stderr)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>IncompleteBody</Code>") {
		t.Errorf("answered %d %s", resp.StatusCode, body)
	}
	list, err := http.Get(endpoint + "/")
	if err != nil {
		t.Fatalf("lambdalab stopped serving: %v; stderr:\n%s", err, stderr)
	}
	list.Body.Close()
	if list.StatusCode != 200 {
		t.Errorf("ListBuckets after: %d", list.StatusCode)
	}
}

// startAndReadEndpoint starts a serve command and returns the endpoint its
// first line names (serve --addr 127.0.0.1:0 picks a port), and its stderr.
func startAndReadEndpoint(t *testing.T, cmd *exec.Cmd) (string, *syncBuffer) {
	t.Helper()
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	first := make(chan string, 1)
	go func() {
		defer close(done)
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		first <- line
		io.Copy(io.Discard, r)
		cmd.Wait()
	}()
	line := <-first
	m := regexp.MustCompile(`serving S3 at (http://127\.0\.0\.1:\d+);`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("serve's first line %q names no endpoint; stderr:\n%s", line, stderr)
	}
	return m[1], stderr
}
