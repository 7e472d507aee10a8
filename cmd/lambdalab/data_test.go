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
// SIGKILL are all back after the restart, and their events are delivered;
// killed while uploads still arrive, every object stored gets its event.
func TestCrashScript(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Fatalf("the aws CLI is not installed; run ./scripts/test.sh, which installs it: %v", err)
	}
	cmd := exec.Command("../../scripts/crash-test.sh", "20", binary)
	cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE="+filepath.Join(t.TempDir(), "config"), "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("crash-test.sh: %v\n%s", err, out)
	}
	for _, want := range []string{"all 20 objects are back, byte for byte", "all 20 events delivered", "every stored object got its event"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("crash-test.sh did not say %q:\n%s", want, out)
		}
	}
	t.Logf("%s", out)
}

// TestServeDataErrors: a --data that is a file, or a directory another
// lambdalab is using, is a one-line error and exit 2.
func TestServeDataErrors(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

// keptLab makes a data directory holding the default lab and a few
// objects (the serve that made it killed with SIGKILL), and returns copies
// of it, one per name.
func keptLab(t *testing.T, names ...string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	s := startServe(t, "--data", dir)
	c := labtest.Client(s.endpoint, "test", "test")
	for i := range 5 {
		body := bytes.Repeat([]byte("<<object "+strconv.Itoa(i)+">> "), 8000)
		if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("cis-examples-output"),
			Key: aws.String("kept-" + strconv.Itoa(i) + ".bin"), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	kill9(t, s)
	out := map[string]string{}
	for _, n := range names {
		cp := filepath.Join(t.TempDir(), n)
		if err := os.CopyFS(cp, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		out[n] = cp
	}
	return out
}

// TestServeDamagedData: a data directory whose files are damaged or lost
// stops serve at start-up with one line that names the file and says what
// to do, and exit status 2 — never a panic, never a lab without its buckets.
func TestServeDamagedData(t *testing.T) {
	t.Parallel()
	dirs := keptLab(t, "truncated", "garbled", "missing", "empty")
	os.Truncate(filepath.Join(dirs["truncated"], "objects.db"), 3*4096)
	garble(t, filepath.Join(dirs["garbled"], "lab.db"))
	os.Remove(filepath.Join(dirs["missing"], "objects.db"))
	os.Truncate(filepath.Join(dirs["empty"], "objects.db"), 0)
	cases := []struct{ dir, file, says string }{
		{"truncated", "objects.db", "cut short"},
		{"garbled", "lab.db", "is damaged"},
		{"missing", "objects.db", "is missing"},
		{"empty", "objects.db", "is empty"},
	}
	for _, tc := range cases {
		code, stderr := waitExit(t, exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", dirs[tc.dir]))
		line := strings.TrimSpace(stderr)
		if code != 2 || strings.Contains(line, "\n") || !strings.Contains(line, filepath.Join(dirs[tc.dir], tc.file)) ||
			!strings.Contains(line, tc.says) || !strings.Contains(line, "restore") {
			t.Errorf("%s %s: exit %d, stderr:\n%s", tc.dir, tc.file, code, stderr)
		}
	}
}

// garble overwrites every page of a bbolt file but its two meta pages with
// bytes that are no page at all.
func garble(t *testing.T, file string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i := 2 * 4096; i < len(data); i++ {
		data[i] = byte(i*7 + 3)
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedObjectWithAWSCLI: after bytes of an object are flipped in
// objects.db, `aws s3 cp` of it fails (it used to succeed, with other bytes
// under the original ETag).
func TestDamagedObjectWithAWSCLI(t *testing.T) {
	t.Parallel()
	dir := keptLab(t, "flipped")["flipped"]
	file := filepath.Join(dir, "objects.db")
	data, _ := os.ReadFile(file)
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("<<object 3>>"))
		if j < 0 {
			break
		}
		data[i+j+5000] ^= 0x01
		i += j + 12
	}
	os.WriteFile(file, data, 0o600)
	s := startServe(t, "--data", dir)
	dst := filepath.Join(t.TempDir(), "got.bin")
	out, err := awsCLI(t, s.endpoint, "s3", "cp", "s3://cis-examples-output/kept-3.bin", dst)
	if err == nil {
		t.Errorf("aws s3 cp of a damaged object succeeded:\n%s", out)
	}
	if !strings.Contains(out, "500") && !strings.Contains(out, "InternalError") {
		t.Errorf("aws s3 cp did not report the lab's error:\n%s", out)
	}
	if out, err := awsCLI(t, s.endpoint, "s3", "cp", "s3://cis-examples-output/kept-2.bin", dst); err != nil {
		t.Errorf("an undamaged object: %v\n%s", err, out)
	}
}
