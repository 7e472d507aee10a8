package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCrashScript runs scripts/crash-test.sh: uploads acknowledged before a
// SIGKILL are all back after the restart, and their events are delivered.
func TestCrashScript(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Fatalf("the aws CLI is not installed; run ./scripts/test.sh, which installs it: %v", err)
	}
	cmd := exec.Command("../../scripts/crash-test.sh", "40", binary)
	cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE="+filepath.Join(t.TempDir(), "config"), "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("crash-test.sh: %v\n%s", err, out)
	}
	for _, want := range []string{"all 40 objects are back, byte for byte", "all 40 events delivered"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("crash-test.sh did not say %q:\n%s", want, out)
		}
	}
	t.Logf("%s", out)
}

// TestServeDataErrors: a --data that is a file, or a directory another
// lambdalab is using, is a one-line error and exit 2.
func TestServeDataErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	os.WriteFile(file, []byte("x"), 0o644)
	code, stderr := waitExit(t, exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", file))
	if code != 2 || !strings.Contains(stderr, "data directory") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("--data FILE: exit %d, stderr %q", code, stderr)
	}

	dir := t.TempDir()
	startServe(t, "--data", dir)
	code, stderr = waitExit(t, exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", dir))
	if code != 2 || !strings.Contains(stderr, "in use by another lambdalab") {
		t.Errorf("second lambdalab on %s: exit %d, stderr %q", dir, code, stderr)
	}
}
