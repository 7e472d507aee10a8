package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeVerifySignaturesWithAWSCLI: with --verify-signatures, the aws CLI
// signing with lambdalab env's key and the wrong secret is refused with
// SignatureDoesNotMatch; with the right secret it lists the buckets.
func TestServeVerifySignaturesWithAWSCLI(t *testing.T) {
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
