package runtime

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// goMain is a stdlib-only provided.* function: a Runtime API client that
// answers every event with its version.
const goMain = `package main

import (
	"net/http"
	"os"
	"strings"
)

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		resp, err := http.Get(api + "next")
		if err != nil {
			os.Exit(1)
		}
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		resp.Body.Close()
		r, err := http.Post(api+id+"/response", "application/json", strings.NewReader(version))
		if err != nil {
			os.Exit(1)
		}
		r.Body.Close()
	}
}
`

func writeModule(t *testing.T, dir, version string) {
	t.Helper()
	files := map[string]string{
		"go.mod":     "module example.com/fn\n\ngo 1.22\n",
		"main.go":    goMain,
		"version.go": "package main\n\nconst version = `\"" + version + "\"`\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func answer(t *testing.T, m *Manager, p *Package) string {
	t.Helper()
	pr := start(t, m, p, nil, 128, nil)
	defer pr.Kill()
	return string(pr.Invoke(context.Background(), invocation("r", "{}")).Payload)
}

// A Go main package is built once, reused, and rebuilt when a source it
// depends on changes; a touch alone is noticed but needs no rebuild.
func TestGoPackageBuildCache(t *testing.T) {
	m := NewManager(WithCacheDir(t.TempDir()))
	defer m.Close()
	src := t.TempDir()
	writeModule(t, src, "v1")
	spec := Spec{Function: "gofn", Runtime: ProvidedAL2023, Handler: "bootstrap", Code: src}
	p1, err := m.Prepare(spec)
	if err != nil {
		t.Fatal(err)
	}
	if !p1.Built() || p1.Changed() || answer(t, m, p1) != `"v1"` {
		t.Fatalf("first Prepare: built %v changed %v", p1.Built(), p1.Changed())
	}
	p2, err := m.Prepare(spec)
	if err != nil || p2.Built() || p2.TaskRoot() != p1.TaskRoot() {
		t.Fatalf("second Prepare rebuilt: %v %v", p2.Built(), err)
	}
	writeModule(t, src, "v2")
	// a rewrite within the file system's timestamp granularity is
	// invisible to a stat; make the change visible as an editor's save is
	later := time.Now().Add(time.Second)
	os.Chtimes(filepath.Join(src, "version.go"), later, later)
	if !p1.Changed() {
		t.Fatal("Changed missed an edited source")
	}
	p3, err := m.Prepare(spec)
	if err != nil || !p3.Built() || p3.Changed() || answer(t, m, p3) != `"v2"` {
		t.Fatalf("Prepare after the edit: built %v, %v", p3.Built(), err)
	}
	later = later.Add(time.Second)
	os.Chtimes(filepath.Join(src, "main.go"), later, later)
	if !p3.Changed() {
		t.Fatal("Changed missed a touched source")
	}
	if p4, err := m.Prepare(spec); err != nil || p4.Built() {
		t.Fatalf("a touch rebuilt: %v %v", p4.Built(), err)
	}
}

func TestGoPackageBuildErrors(t *testing.T) {
	m := NewManager(WithCacheDir(t.TempDir()))
	defer m.Close()
	src := t.TempDir()
	writeModule(t, src, "v1")
	os.WriteFile(filepath.Join(src, "version.go"), []byte("package main\n\nconst version = undefinedName\n"), 0o644)
	_, err := m.Prepare(Spec{Function: "gofn", Runtime: ProvidedAL2023, Handler: "bootstrap", Code: src})
	if err == nil || !strings.Contains(err.Error(), "go build example.com/fn") || !strings.Contains(err.Error(), "version.go:3:") || !strings.Contains(err.Error(), "undefined: undefinedName") {
		t.Fatalf("build error: %v", err)
	}
	lib := t.TempDir()
	os.WriteFile(filepath.Join(lib, "go.mod"), []byte("module example.com/lib\n"), 0o644)
	os.WriteFile(filepath.Join(lib, "lib.go"), []byte("package lib\n"), 0o644)
	_, err = m.Prepare(Spec{Function: "gofn", Runtime: ProvidedAL2023, Handler: "bootstrap", Code: lib})
	if err == nil || !strings.Contains(err.Error(), `package example.com/lib is "lib", not main`) {
		t.Fatalf("not main: %v", err)
	}
}

// Layers merge in order: a later layer's file wins, and /opt/bootstrap
// starts a function whose code has none.
func TestLayersMergeInOrder(t *testing.T) {
	m := newManager(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "first")
	os.MkdirAll(filepath.Join(first, "lib"), 0o755)
	os.WriteFile(filepath.Join(first, "lib", "shared.txt"), []byte("first"), 0o644)
	os.WriteFile(filepath.Join(first, "lib", "only-first.txt"), []byte("first"), 0o644)
	second := filepath.Join(dir, "second.zip")
	writeZip(t, second,
		zipEntry{name: "lib/shared.txt", body: "second"},
		zipEntry{name: "lib/libz.so", link: "shared.txt"},
		zipEntry{name: "bootstrap", mode: 0o755, body: clientScript})
	code := filepath.Join(dir, "code")
	os.MkdirAll(code, 0o755)
	os.WriteFile(filepath.Join(code, "handler.txt"), []byte("no bootstrap here"), 0o644)
	p, err := m.Prepare(Spec{Function: "layered", Runtime: ProvidedAL2023, Handler: "h.x", Code: code, Layers: []string{first, second}})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"lib/shared.txt": "second", "lib/only-first.txt": "first", "lib/libz.so": "second"} {
		if b, err := os.ReadFile(filepath.Join(p.OptDir(), name)); err != nil || string(b) != want {
			t.Errorf("/opt/%s = %q %v, want %q", name, b, err, want)
		}
	}
	pr := start(t, m, p, nil, 128, nil)
	if res := pr.Invoke(context.Background(), invocation("r", "{}")); !bytes.Contains(res.Payload, []byte(`"handler": "h.x"`)) {
		t.Fatalf("/opt/bootstrap answered %+v", res)
	}
}

func TestLimits(t *testing.T) {
	m := newManager(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "code-200.zip")
	zeroZip(t, big, 20) // 200 MB unzipped
	layer := filepath.Join(dir, "layer-100.zip")
	zeroZip(t, layer, 10)
	small := filepath.Join(dir, "small.zip")
	writeZip(t, small, zipEntry{name: "bootstrap", mode: 0o755, body: "#!/bin/sh\n"})
	cases := []struct {
		name   string
		spec   Spec
		want   string
		params bool
	}{
		{"six layers", Spec{Code: small, Layers: []string{layer, layer, layer, layer, layer, layer}},
			"Cannot reference more than 5 layers.", true},
		{"code and layers", Spec{Code: big, Layers: []string{layer}},
			"Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is 314572800 bytes.", true},
		{"layers", Spec{Code: small, Layers: []string{layer, layer, layer}},
			"Layers consume more than the available size of 262144000 bytes", true},
		{"runtime", Spec{Runtime: "python3.9", Code: small},
			"Value python3.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [python3.10, python3.11, python3.12, python3.13, provided.al2023, provided.al2] or be a valid ARN", true},
		{"handler", Spec{Handler: "lambda function.handler", Code: small},
			"1 validation error detected: Value 'lambda function.handler' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+", true},
		{"no code", Spec{}, "function f: no code", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			spec.Function = "f"
			if spec.Runtime == "" {
				spec.Runtime = ProvidedAL2023
			}
			if spec.Handler == "" {
				spec.Handler = "h"
			}
			_, err := m.Prepare(spec)
			var pe *ParameterError
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.As(err, &pe) != tc.params {
				t.Fatalf("Prepare = %v, want %q", err, tc.want)
			}
		})
	}
	noLeftovers(t, m.runDir) // code over the limits is measured, never unzipped
}

// tenMBOfZeros is 10 MiB of zeros deflated, and their CRC: compressed once
// for every zip the tests build from it.
var tenMBOfZeros = sync.OnceValues(func() ([]byte, uint32) {
	zeros := make([]byte, 10<<20)
	var packed bytes.Buffer
	fw, _ := flate.NewWriter(&packed, flate.BestSpeed)
	fw.Write(zeros)
	fw.Close()
	return packed.Bytes(), crc32.ChecksumIEEE(zeros)
})

// zeroZip writes n entries of 10 MiB of zeros each.
func zeroZip(t testing.TB, file string, n int) {
	t.Helper()
	const size = 10 << 20
	packed, crc := tenMBOfZeros()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for i := range n {
		h := &zip.FileHeader{Name: fmt.Sprintf("zeros-%02d", i), Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(len(packed)), UncompressedSize64: size}
		w, err := zw.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(packed)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// Hostile zips are refused with a clear error and write nothing outside the
// folder they unzip to — nothing at all, in fact: the half-written folder
// goes too.
func TestHostileZips(t *testing.T) {
	root := t.TempDir()
	m := NewManager(WithCacheDir(filepath.Join(root, "cache")))
	defer m.Close()
	zips := filepath.Join(root, "zips")
	os.MkdirAll(zips, 0o755)
	absTarget := filepath.Join(root, "evil-absolute")
	cases := []struct {
		name    string
		entries []zipEntry
		want    string
	}{
		{"zip slip", []zipEntry{{name: "ok.txt", body: "ok"}, {name: "../../evil-slip", body: "x"}}, `entry "../../evil-slip" would be written outside the folder it unzips to`},
		{"deep slip", []zipEntry{{name: "a/../../evil-deep", body: "x"}}, `entry "a/../../evil-deep" would be written outside`},
		{"absolute", []zipEntry{{name: absTarget, body: "x"}}, "is an absolute path"},
		{"symlink out", []zipEntry{{name: "link", link: "../../.."}}, `symlink "link" -> "../../.." points outside the function's folder`},
		{"absolute symlink", []zipEntry{{name: "passwd", link: "/etc/passwd"}}, `points outside the function's folder (absolute target)`},
		{"symlink chain", []zipEntry{{name: "d", link: "."}, {name: "e", link: "d/../evil-chain"}}, `symlink "e" -> "d/../evil-chain" points outside`},
		{"write through symlink", []zipEntry{{name: "up", link: ".."}, {name: "up/evil-through", body: "x"}}, `entry "up/evil-through" goes through a symlink that leaves the folder`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(zips, strings.ReplaceAll(tc.name, " ", "-")+".zip")
			writeZip(t, file, tc.entries...)
			_, err := m.Prepare(Spec{Function: "f", Runtime: ProvidedAL2023, Handler: "h", Code: file})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), file) {
				t.Fatalf("Prepare = %v, want %q naming the zip", err, tc.want)
			}
		})
	}
	noLeftovers(t, root)
}

// Bombs and files that are no zip at all are refused the same way.
func TestBadZips(t *testing.T) {
	root := t.TempDir()
	m := NewManager(WithCacheDir(filepath.Join(root, "cache")))
	defer m.Close()
	zips := filepath.Join(root, "zips")
	os.MkdirAll(zips, 0o755)
	t.Run("bomb", func(t *testing.T) {
		file := filepath.Join(zips, "bomb.zip")
		zeroZip(t, file, 26) // 260 MiB of zeros in a few hundred KB
		_, err := m.Prepare(Spec{Function: "f", Runtime: ProvidedAL2023, Handler: "h", Code: file})
		if err == nil || !strings.Contains(err.Error(), "Unzipped size must be smaller than 262144000 bytes") {
			t.Fatalf("Prepare = %v", err)
		}
	})
	t.Run("lying bomb", func(t *testing.T) {
		file := filepath.Join(zips, "lying.zip")
		lyingZip(t, file)
		_, err := m.Prepare(Spec{Function: "f", Runtime: ProvidedAL2023, Handler: "h", Code: file})
		if err == nil || !strings.Contains(err.Error(), "zip: not a valid zip file") {
			t.Fatalf("Prepare = %v", err)
		}
	})
	t.Run("not a zip", func(t *testing.T) {
		file := filepath.Join(zips, "function.zip")
		os.WriteFile(file, []byte("def lambda_handler(event, context): pass\n"), 0o644)
		_, err := m.Prepare(Spec{Function: "f", Runtime: ProvidedAL2023, Handler: "h", Code: file})
		if err == nil || !strings.Contains(err.Error(), file+": InvalidParameterValueException: Could not unzip uploaded file. Please check your file, then try to upload again.") {
			t.Fatalf("Prepare = %v", err)
		}
	})
	noLeftovers(t, root)
}

// noLeftovers checks that failed Prepares left nothing under root: no file
// outside its target, no half-written task root.
func noLeftovers(t *testing.T, root string) {
	t.Helper()
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.Contains(d.Name(), "evil") || strings.HasPrefix(d.Name(), "task-") || strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
}

// lyingZip declares 1 KB but inflates to 10 MB.
func lyingZip(t *testing.T, file string) {
	packed, _ := tenMBOfZeros()
	f, _ := os.Create(file)
	defer f.Close()
	zw := zip.NewWriter(f)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(make([]byte, 1024)),
		CompressedSize64: uint64(len(packed)), UncompressedSize64: 1024})
	w.Write(packed)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// Changed notices an edited code file and an edited layer; preparing again
// gives new environments a task root with the new code.
func TestChangedFolderAndLayer(t *testing.T) {
	m := newManager(t)
	dir := t.TempDir()
	code, layer := filepath.Join(dir, "code"), filepath.Join(dir, "layer.zip")
	os.MkdirAll(code, 0o755)
	os.WriteFile(filepath.Join(code, "lambda_function.py"), []byte("v1"), 0o644)
	writeZip(t, layer, zipEntry{name: "python/lib.py", body: "l1"})
	spec := Spec{Function: "f", Runtime: ProvidedAL2023, Handler: "h", Code: code, Layers: []string{layer}}
	p1, err := m.Prepare(spec)
	if err != nil || p1.Changed() {
		t.Fatalf("Prepare: %v, changed %v", err, p1.Changed())
	}
	later := time.Now().Add(time.Second)
	os.WriteFile(filepath.Join(code, "lambda_function.py"), []byte("v2"), 0o644)
	os.Chtimes(filepath.Join(code, "lambda_function.py"), later, later)
	if !p1.Changed() {
		t.Fatal("Changed missed the code edit")
	}
	p2, err := m.Prepare(spec)
	if b, _ := os.ReadFile(filepath.Join(p2.TaskRoot(), "lambda_function.py")); err != nil || string(b) != "v2" || p2.TaskRoot() == p1.TaskRoot() {
		t.Fatalf("re-prepared task root has %q (%v)", b, err)
	}
	writeZip(t, layer, zipEntry{name: "python/lib.py", body: "l2"})
	os.Chtimes(layer, later, later)
	if !p2.Changed() {
		t.Fatal("Changed missed the layer edit")
	}
	p3, err := m.Prepare(spec)
	if b, _ := os.ReadFile(filepath.Join(p3.OptDir(), "python", "lib.py")); err != nil || string(b) != "l2" {
		t.Fatalf("re-prepared /opt has %q (%v)", b, err)
	}
	if b, _ := os.ReadFile(filepath.Join(p1.OptDir(), "python", "lib.py")); string(b) != "l1" {
		t.Fatal("the old package's /opt changed under a running environment")
	}
}
