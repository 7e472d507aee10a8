package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/labtest"
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

// kill9 kills a served lambdalab with SIGKILL and waits for it; the wait's
// result is put back for startServe's cleanup.
func kill9(t *testing.T, s *served) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.done <- <-s.done
}

// TestMultipartSurvivesKill9: with --data, the parts of a multipart upload
// acknowledged before a kill -9 are there after the restart (the aws CLI's
// list-parts shows them) and the upload completes; upload ids are not
// reused by the new process.
func TestMultipartSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, "--data", dir)
	ctx := context.Background()
	c := labtest.Client(s.endpoint, "test", "test")
	bucket, key := aws.String("cis-examples-output"), aws.String("big.bin")
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{bytes.Repeat([]byte("1"), 5<<20), []byte("and the last part")}
	var etags []string
	for i, p := range parts {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: mp.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		etags = append(etags, aws.ToString(out.ETag))
	}
	kill9(t, s)

	s = startServe(t, "--data", dir)
	id := aws.ToString(mp.UploadId)
	out, err := awsCLI(t, s.endpoint, "s3api", "list-parts", "--bucket", "cis-examples-output", "--key", "big.bin", "--upload-id", id)
	if err != nil {
		t.Fatalf("list-parts after the restart: %v\n%s", err, out)
	}
	var listed struct {
		Parts []struct {
			PartNumber int
			ETag       string
			Size       int
		}
	}
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed.Parts) != 2 ||
		listed.Parts[0].ETag != etags[0] || listed.Parts[1].ETag != etags[1] || listed.Parts[0].Size != 5<<20 || listed.Parts[1].Size != len(parts[1]) {
		t.Fatalf("list-parts after the restart: %v\n%s", err, out)
	}
	doc := `{"Parts": [{"PartNumber": 1, "ETag": ` + strconv.Quote(etags[0]) + `}, {"PartNumber": 2, "ETag": ` + strconv.Quote(etags[1]) + `}]}`
	file := filepath.Join(t.TempDir(), "parts.json")
	os.WriteFile(file, []byte(doc), 0o644)
	if out, err := awsCLI(t, s.endpoint, "s3api", "complete-multipart-upload", "--bucket", "cis-examples-output", "--key", "big.bin",
		"--upload-id", id, "--multipart-upload", "file://"+file); err != nil {
		t.Fatalf("complete-multipart-upload after the restart: %v\n%s", err, out)
	}
	c = labtest.Client(s.endpoint, "test", "test")
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(body, bytes.Join(parts, nil)) {
		t.Errorf("the completed object is %d bytes, want the two parts", len(body))
	}
	again, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
	if err != nil || aws.ToString(again.UploadId) == id {
		t.Errorf("a new upload after the restart: %v, id %q (the old one was %q)", err, aws.ToString(again.UploadId), id)
	}
}
