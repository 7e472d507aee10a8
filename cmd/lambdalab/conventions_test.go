package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeFollowsAWSEndpointURL: with AWS_ENDPOINT_URL already exported
// (a second terminal after eval "$(lambdalab env)"), serve without --addr
// listens where the tools will look, and says so.
func TestServeFollowsAWSEndpointURL(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL=http://"+addr, "AWS_ENDPOINT_URL_S3=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		first <- line
	}()
	select {
	case line := <-first:
		if !strings.Contains(line, "export AWS_ENDPOINT_URL=http://"+addr) {
			t.Fatalf("first line %q does not name %s", line, addr)
		}
	case <-time.After(patience):
		t.Fatal("serve did not start")
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("nothing listens on %s: %v", addr, err)
	}
	resp.Body.Close()
	if resp.Header.Get("x-amz-request-id") == "" {
		t.Errorf("the answer on %s is not S3's: %v", addr, resp.Header)
	}
}

// TestEnvShells: env's lines for bash/zsh and fish set the same variables
// to the same values, each in its shell's syntax.
func TestEnvShells(t *testing.T) {
	t.Parallel()
	values := func(shell string, line *regexp.Regexp) map[string]string {
		t.Helper()
		out, err := exec.Command(binary, "env", "--shell", shell, "--addr", "127.0.0.1:4599").Output()
		if err != nil {
			t.Fatalf("env --shell %s: %v", shell, err)
		}
		got := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			m := line.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("env --shell %s: %q is not a %s assignment", shell, l, shell)
			}
			got[m[1]] = m[2]
		}
		return got
	}
	posix := regexp.MustCompile(`^export ([A-Z_]+)="([^"]*)"$`)
	bash, zsh := values("bash", posix), values("zsh", posix)
	fish := values("fish", regexp.MustCompile(`^set -gx ([A-Z_]+) "([^"]*)";$`))
	if bash["AWS_ENDPOINT_URL"] != "http://127.0.0.1:4599" || bash["AWS_REGION"] == "" {
		t.Errorf("bash: %v", bash)
	}
	for name, m := range map[string]map[string]string{"zsh": zsh, "fish": fish} {
		if len(m) != len(bash) {
			t.Errorf("%s sets %v, bash %v", name, m, bash)
		}
		for k, v := range bash {
			if m[k] != v {
				t.Errorf("%s: %s=%q, bash has %q", name, k, m[k], v)
			}
		}
	}
	if _, err := exec.Command(binary, "env", "--shell", "tcsh").Output(); err == nil {
		t.Error("env --shell tcsh succeeded")
	}
}

// TestVersionAndCompletion: version names lambdalab and the Go it was
// built with; the bash completion script is valid bash that completes
// lambdalab's commands.
func TestVersionAndCompletion(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(binary, "version").Output()
	if err != nil || !regexp.MustCompile(`^lambdalab \S+( \([0-9a-f]{12}\))? go1\.\d+`).Match(out) {
		t.Errorf("version: %q, %v", out, err)
	}
	script, err := exec.Command(binary, "completion", "bash").Output()
	if err != nil || !strings.Contains(string(script), "lambdalab") {
		t.Fatalf("completion bash: %v", err)
	}
	check := exec.Command("bash", "-n")
	check.Stdin = strings.NewReader(string(script))
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("the bash completion script does not parse: %v\n%s", err, out)
	}
	out, err = exec.Command(binary, "__complete", "se").Output()
	if err != nil || !strings.Contains(string(out), "serve") {
		t.Errorf("completing 'se': %q, %v", out, err)
	}
}
