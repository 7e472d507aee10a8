package layers

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
)

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, body := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPublishVersionsAndResolve(t *testing.T) {
	r, err := Open(t.TempDir(), "us-east-1", "000000000000")
	if err != nil {
		t.Fatal(err)
	}
	content := zipOf(t, map[string]string{"python/hello.py": "x = 1\n"})
	v1, err := r.Publish("pillow", content, "first", []string{"python3.12"})
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := r.Publish("pillow", content, "second", nil)
	if v1.Version != 1 || v2.Version != 2 || v1.ARN != "arn:aws:lambda:us-east-1:000000000000:layer:pillow:1" ||
		v2.LayerARN() != "arn:aws:lambda:us-east-1:000000000000:layer:pillow" || v1.CodeSize != int64(len(content)) {
		t.Fatalf("versions: %+v %+v", v1, v2)
	}
	got, err := r.Resolve(v1.ARN)
	if err != nil || got.Description != "first" || got.Zip == "" {
		t.Fatalf("resolve: %+v %v", got, err)
	}
	if b, _ := os.ReadFile(got.Zip); !bytes.Equal(b, content) {
		t.Error("stored zip differs")
	}
	if vs := r.Versions("pillow"); len(vs) != 2 || vs[0].Version != 2 {
		t.Errorf("versions newest first: %+v", vs)
	}
	if err := r.Delete("pillow", 1); err != nil {
		t.Fatal(err)
	}
	var pe *ParameterError
	if _, err := r.Resolve(v1.ARN); !errors.As(err, &pe) || pe.Type != "ResourceNotFoundException" {
		t.Errorf("deleted version: %v", err)
	}
	// Numbers are never reused, even after a delete of the newest.
	r.Delete("pillow", 2)
	if v3, _ := r.Publish("pillow", content, "", nil); v3.Version != 3 {
		t.Errorf("after deleting all: version %d", v3.Version)
	}
}

func TestPublishRefusesBadInput(t *testing.T) {
	r, _ := Open(t.TempDir(), "us-east-1", "000000000000")
	for name, tc := range map[string]struct {
		layer, want string
		content     []byte
	}{
		"not a zip":  {"ok", "Could not unzip uploaded file", []byte("hello")},
		"bad name":   {"bad name!", "failed to satisfy constraint", zipOf(t, nil)},
		"empty name": {"", "1 to 140 characters", zipOf(t, nil)},
		"too large":  {"big", "Request must be smaller than", make([]byte, MaxZipBytes+1)},
	} {
		if _, err := r.Publish(tc.layer, tc.content, "", nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := len(r.Latest()); n != 0 {
		t.Errorf("%d layers after refusals", n)
	}
}

func TestConcurrentPublishersNeverShareAVersion(t *testing.T) {
	dir := t.TempDir()
	a, _ := Open(dir, "us-east-1", "000000000000")
	b, _ := Open(dir, "us-east-1", "000000000000")
	content := zipOf(t, map[string]string{"a": "b"})
	var wg sync.WaitGroup
	seen := make(chan int64, 20)
	for i := range 20 {
		r := a
		if i%2 == 1 {
			r = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := r.Publish("shared", content, "", nil)
			if err != nil {
				t.Error(err)
			}
			seen <- v.Version
		}()
	}
	wg.Wait()
	close(seen)
	got := map[int64]bool{}
	for v := range seen {
		if got[v] {
			t.Errorf("version %d given twice", v)
		}
		got[v] = true
	}
}

func TestStandInBuiltOnceAndSaysSo(t *testing.T) {
	r, _ := Open(t.TempDir(), "us-east-1", "000000000000")
	public := "arn:aws:lambda:us-east-1:770693421928:layer:Klayers-p310-Pillow:2"
	builds := 0
	r.AddStandIn(public, func(out string) (string, error) {
		builds++
		return "Pillow 9.4.0 from this machine", os.WriteFile(out, zipOf(t, map[string]string{"python/PIL/__init__.py": ""}), 0o644)
	})
	for range 2 {
		v, err := r.Resolve(public)
		if err != nil {
			t.Fatal(err)
		}
		if v.StandInFor != public || v.Description != "stand-in for Klayers-p310-Pillow:2: Pillow 9.4.0 from this machine" {
			t.Errorf("stand-in: %+v", v)
		}
	}
	if builds != 1 {
		t.Errorf("built %d times", builds)
	}
	var pe *ParameterError
	if _, err := r.Resolve("arn:aws:lambda:us-east-1:111111111111:layer:other:1"); !errors.As(err, &pe) || !strings.Contains(pe.Message, "offline") {
		t.Errorf("unknown public layer: %v", err)
	}
}
