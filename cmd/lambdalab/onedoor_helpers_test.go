package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// The exercise from scratch against `lambdalab serve --lab empty` (issue
// 16, "one door for every service"), with the files a student writes: the
// same ones the README shows (emulator/testdata/exercise), the seed's
// lambda_function.py zipped, and a Pillow layer built by `lambdalab layer
// build`.

// The exercise's names.
const (
	exFunction = "cis-exercise-demo"
	exLogGroup = "/aws/lambda/" + exFunction
	exInput    = "cis-examples"
	exOutput   = "cis-examples-output"
)

// importError is what the seed's code logs without Pillow.
const importError = "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'PIL'"

// serveLab runs `lambdalab serve --addr 127.0.0.1:0 ARGS`, with a cache
// directory of its own (so that layer versions are numbered from 1), and
// reads the endpoint from its first line.
func serveLab(t *testing.T, cache string, args ...string) *served {
	t.Helper()
	return serveWith(t, []string{"XDG_CACHE_HOME=" + cache}, args...)
}

// exerciseDir is a folder with the student's files: trust.json,
// policy.json, notification.json, event.json, function.zip, lambda.png and
// pillow.zip.
func exerciseDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := "../../emulator/testdata/exercise"
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644)
	}
	code, err := os.ReadFile("../../emulator/labs/python/lambda_function.py")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "function.zip"), zipFile(t, "lambda_function.py", code), 0o644)
	os.WriteFile(filepath.Join(dir, "lambda.png"), labtest.Image(t, 640, 480, "png"), 0o644)
	pillow, err := os.ReadFile(pillowZip(t))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "pillow.zip"), pillow, 0o644)
	return dir
}

func zipFile(t *testing.T, name string, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err == nil {
		_, err = w.Write(body)
	}
	if err != nil || zw.Close() != nil {
		t.Fatalf("zip %s: %v", name, err)
	}
	return buf.Bytes()
}

var pillowOnce struct {
	sync.Once
	path string
	err  error
	out  []byte
}

// pillowZip builds the Pillow layer once per test binary, as the README
// says: lambdalab layer build pillow --python Pillow.
func pillowZip(t *testing.T) string {
	t.Helper()
	pillowOnce.Do(func() {
		pillowOnce.path = filepath.Join(filepath.Dir(binary), "pillow.zip")
		pillowOnce.out, pillowOnce.err = exec.Command(binary, "layer", "build", "pillow", "--python", "Pillow", "--out", pillowOnce.path).CombinedOutput()
	})
	if pillowOnce.err != nil {
		t.Fatalf("lambdalab layer build pillow --python Pillow: %v\n%s", pillowOnce.err, pillowOnce.out)
	}
	return pillowOnce.path
}

// student runs one aws CLI in the exercise's folder, as a student would:
// v1 finds the lab through AWS_ENDPOINT_URL, v2 (Debian's 2.9, which
// ignores it) through --endpoint-url.
type student struct {
	t        *testing.T
	bin      string
	endpoint string
	dir      string
	flag     bool // pass --endpoint-url
	home     string
}

func newStudent(t *testing.T, bin, endpoint, dir string, flag bool) *student {
	return &student{t: t, bin: bin, endpoint: endpoint, dir: dir, flag: flag, home: t.TempDir()}
}

// try runs the CLI and returns its combined output.
func (s *student) try(args ...string) (string, error) {
	if s.flag {
		args = append([]string{"--endpoint-url", s.endpoint}, args...)
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=student", "AWS_SECRET_ACCESS_KEY=student", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(s.home, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(s.home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "HOME="+s.home)
	if !s.flag {
		cmd.Env = append(cmd.Env, "AWS_ENDPOINT_URL="+s.endpoint)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// run runs the CLI and fails the test if it fails.
func (s *student) run(args ...string) string {
	s.t.Helper()
	out, err := s.try(args...)
	if err != nil {
		s.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// json runs the CLI and decodes its JSON output into v.
func (s *student) json(v any, args ...string) {
	s.t.Helper()
	out := s.run(args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		s.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
