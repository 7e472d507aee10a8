package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// The compatibility suite drives lambdalab serve with the clients people
// arrive with: the aws CLI v1 and v2, boto3, and the Go SDK's transfer
// manager. serve -v prints every committed change, so the test counts the
// S3 events each operation produced.

// findCLIs finds the two aws CLIs: v1 from pip ($LAMBDALAB_AWS_V1, PATH or
// pyenv), v2 from Debian's awscli (/usr/bin/aws). scripts/test.sh installs
// both when missing.
func findCLIs(t *testing.T) (v1, v2 string) {
	t.Helper()
	version := func(path string) string {
		out, err := exec.Command(path, "--version").CombinedOutput()
		if err != nil {
			return ""
		}
		return string(out)
	}
	candidates := []string{"/usr/bin/aws", "/usr/local/bin/aws"}
	if p := os.Getenv("LAMBDALAB_AWS_V1"); p != "" {
		candidates = append([]string{p}, candidates...)
	}
	if p, err := exec.LookPath("aws"); err == nil {
		candidates = append([]string{p}, candidates...)
	}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".pyenv", "shims", "aws"), filepath.Join(home, ".local", "bin", "aws"))
	}
	for _, c := range candidates {
		v := version(c)
		switch {
		case strings.HasPrefix(v, "aws-cli/1.") && v1 == "":
			v1 = c
		case strings.HasPrefix(v, "aws-cli/2.") && v2 == "":
			v2 = c
		}
	}
	if v1 == "" || v2 == "" {
		t.Fatalf("need the aws CLI v1 (pip) and v2 (Debian's awscli); ./scripts/test.sh installs both; found v1=%q v2=%q", v1, v2)
	}
	return v1, v2
}

// cli runs one aws CLI against the lab.
func cli(t *testing.T, bin, endpoint string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--endpoint-url", endpoint}, args...)...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=compat", "AWS_SECRET_ACCESS_KEY=compat", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(home, "c"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "k"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "HOME="+home)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// changes counts serve -v's lines for an event name and object.
func changes(log, event, object string) int {
	return strings.Count(log, " S3 "+event+" "+object+" size=")
}

func waitForLog(t *testing.T, s *served, pattern string, n int) {
	t.Helper()
	re := regexp.MustCompile(pattern)
	if !s.out.waitFor(func(out string) bool { return len(re.FindAllString(out, -1)) >= n }) {
		t.Fatalf("serve output has %d lines matching %q, want %d", len(re.FindAllString(s.out.String(), -1)), pattern, n)
	}
}

func TestCompatAWSCLI(t *testing.T) {
	t.Parallel()
	v1, v2 := findCLIs(t)
	s := startServe(t, "-v")
	dir := t.TempDir()
	small := filepath.Join(dir, "small.txt")
	os.WriteFile(small, []byte("a small file"), 0o644)
	big := filepath.Join(dir, "big.bin")
	data := make([]byte, 20<<20)
	rand.Read(data)
	os.WriteFile(big, data, 0o644)
	syncDir := filepath.Join(dir, "album")
	os.MkdirAll(filepath.Join(syncDir, "day1"), 0o755)
	for _, f := range []string{"a.png", "b.png", "day1/c.png"} {
		os.WriteFile(filepath.Join(syncDir, f), []byte(f), 0o644)
	}
	for name, bin := range map[string]string{"v1": v1, "v2": v2} {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // a bucket each; both wait on the CLI's processes
			b := "compat-" + name
			cli(t, bin, s.endpoint, "s3", "mb", "s3://"+b)
			cli(t, bin, s.endpoint, "s3", "cp", small, "s3://"+b+"/small.txt")
			cli(t, bin, s.endpoint, "s3", "cp", big, "s3://"+b+"/big.bin")
			waitForLog(t, s, regexp.QuoteMeta(" S3 ObjectCreated:CompleteMultipartUpload "+b+"/big.bin "), 1)
			log := s.out.String()
			if n := changes(log, "ObjectCreated:CompleteMultipartUpload", b+"/big.bin"); n != 1 {
				t.Errorf("20 MiB upload: %d CompleteMultipartUpload events, want 1", n)
			}
			if n := changes(log, "ObjectCreated:Put", b+"/big.bin"); n != 0 {
				t.Errorf("20 MiB upload: %d Put events, want 0", n)
			}
			head := cli(t, bin, s.endpoint, "s3api", "head-object", "--bucket", b, "--key", "big.bin")
			var h struct {
				ContentLength int64
				ETag          string
			}
			json.Unmarshal([]byte(head), &h)
			if h.ContentLength != 20<<20 || !regexp.MustCompile(`^"[0-9a-f]{32}-\d+"$`).MatchString(h.ETag) {
				t.Errorf("head-object: %s", head)
			}
			got := filepath.Join(t.TempDir(), "back.bin")
			cli(t, bin, s.endpoint, "s3", "cp", "s3://"+b+"/big.bin", got)
			if back, _ := os.ReadFile(got); !bytes.Equal(back, data) {
				t.Error("the 20 MiB object came back different")
			}
			cli(t, bin, s.endpoint, "s3", "cp", "s3://"+b+"/small.txt", "s3://"+b+"/copy.txt")
			cli(t, bin, s.endpoint, "s3", "sync", syncDir, "s3://"+b+"/album/")
			ls := cli(t, bin, s.endpoint, "s3", "ls", "--recursive", "s3://"+b+"/")
			for _, k := range []string{"small.txt", "big.bin", "copy.txt", "album/a.png", "album/day1/c.png"} {
				if !strings.Contains(ls, k) {
					t.Errorf("s3 ls lacks %s:\n%s", k, ls)
				}
			}
			cli(t, bin, s.endpoint, "s3", "rm", "s3://"+b+"/small.txt")
			cli(t, bin, s.endpoint, "s3", "rm", "--recursive", "s3://"+b+"/album/")
			waitForLog(t, s, regexp.QuoteMeta(" S3 ObjectRemoved:Delete "+b+"/album/"), 3)
			log = s.out.String()
			for _, want := range []struct {
				event, object string
				n             int
			}{
				{"ObjectCreated:Put", b + "/small.txt", 1},
				{"ObjectCreated:Copy", b + "/copy.txt", 1},
				{"ObjectCreated:Put", b + "/album/day1/c.png", 1},
				{"ObjectRemoved:Delete", b + "/small.txt", 1},
				{"ObjectRemoved:Delete", b + "/album/a.png", 1},
			} {
				if got := changes(log, want.event, want.object); got != want.n {
					t.Errorf("%s %s: %d events, want %d", want.event, want.object, got, want.n)
				}
			}
			// Notification configuration round trip.
			cfg := filepath.Join(t.TempDir(), "n.json")
			// As `aws lambda add-permission` would, S3 may invoke the function for b.
			allowS3(t, s.endpoint, "cis-exercise-demo", b)
			os.WriteFile(cfg, []byte(`{"LambdaFunctionConfigurations":[{"Id":"t1","LambdaFunctionArn":"arn:aws:lambda:us-east-1:000000000000:function:cis-exercise-demo","Events":["s3:ObjectCreated:*"],"Filter":{"Key":{"FilterRules":[{"Name":"Suffix","Value":".jpg"}]}}}]}`), 0o644)
			cli(t, bin, s.endpoint, "s3api", "put-bucket-notification-configuration", "--bucket", b, "--notification-configuration", "file://"+cfg)
			got2 := cli(t, bin, s.endpoint, "s3api", "get-bucket-notification-configuration", "--bucket", b)
			if !strings.Contains(got2, `"Id": "t1"`) || !strings.Contains(got2, `".jpg"`) {
				t.Errorf("notification round trip: %s", got2)
			}
		})
	}
}

func TestCompatBoto3(t *testing.T) {
	t.Parallel()
	s := startServe(t, "-v")
	cmd := exec.Command(pythonWith(t, "boto3"), "testdata/boto3_compat.py", s.endpoint, "boto-bucket")
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("boto3 script: %v\n%s", err, stderr)
	}
	var r struct {
		GetBody      string `json:"get_body"`
		BigSize      int64  `json:"big_size"`
		BigETag      string `json:"big_etag"`
		Listed       int    `json:"listed"`
		Unique       int    `json:"listed_unique"`
		Pages        int    `json:"pages"`
		Deleted      int    `json:"deleted"`
		Left         int    `json:"left"`
		NoSuchKeyMsg string `json:"nosuchkey"`
		EmptySize    *int64 `json:"empty_size"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if r.GetBody != "hello from boto3" || r.BigSize != 12<<20 || !strings.HasSuffix(r.BigETag, `-3"`) ||
		r.Listed != 2500 || r.Unique != 2500 || r.Pages != 3 || r.Deleted != 2500 || r.Left != 0 ||
		r.NoSuchKeyMsg != "The specified key does not exist." {
		t.Errorf("boto3: %+v", r)
	}
	waitForLog(t, s, regexp.QuoteMeta(" S3 ObjectRemoved:Delete boto-bucket/many/"), 2500)
	log := s.out.String()
	if n := changes(log, "ObjectCreated:CompleteMultipartUpload", "boto-bucket/big.bin"); n != 1 {
		t.Errorf("upload_file: %d CompleteMultipartUpload events, want 1", n)
	}
	if n := strings.Count(log, " S3 ObjectCreated:Put boto-bucket/many/"); n != 2500 {
		t.Errorf("put_object: %d Put events, want 2500", n)
	}
	// The request after an empty put_object was answered the first time.
	if n := strings.Count(log, " S3 PUT boto-bucket/after-empty.txt PutObject"); r.EmptySize == nil || *r.EmptySize != 0 || n != 1 {
		t.Errorf("after an empty put_object (size %v) the next PUT reached the lab %d times, want once", r.EmptySize, n)
	}
}

func TestCompatGoTransferManager(t *testing.T) {
	t.Parallel()
	s := startServe(t, "-v")
	client := labtest.Client(s.endpoint, "gosdk", "gosdk")
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("go-bucket")}); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 17<<20)
	rand.Read(data)
	tm := transfermanager.New(client, func(o *transfermanager.Options) {
		o.PartSizeBytes, o.MultipartUploadThreshold = 5<<20, 8<<20
	})
	if _, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: aws.String("go-bucket"), Key: aws.String("video.bin"),
		Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "video.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tm.DownloadObject(ctx, &transfermanager.DownloadObjectInput{Bucket: aws.String("go-bucket"), Key: aws.String("video.bin"), WriterAt: f}); err != nil {
		t.Fatal(err)
	}
	back, _ := os.ReadFile(f.Name())
	if !bytes.Equal(back, data) {
		t.Error("the transfer manager got back different bytes")
	}
	waitForLog(t, s, regexp.QuoteMeta(" S3 ObjectCreated:CompleteMultipartUpload go-bucket/video.bin "), 1)
	if n := changes(s.out.String(), "ObjectCreated:CompleteMultipartUpload", "go-bucket/video.bin"); n != 1 {
		t.Errorf("%d CompleteMultipartUpload events, want 1", n)
	}
}

// pythonWith returns a python3 that can import module: the one on PATH, else
// Debian's (where scripts/test.sh installs python3-boto3 and python3-pil).
func pythonWith(t *testing.T, module string) string {
	t.Helper()
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import "+module).Run() == nil {
			return py
		}
	}
	t.Fatalf("no python3 can import %s; scripts/test.sh installs it", module)
	return ""
}
