package python

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// offlinePip points pip at a local directory of wheels only, so that the
// tests never depend on reaching an index.
func offlinePip(t testing.TB, wheels string) {
	t.Setenv("PIP_NO_INDEX", "1")
	t.Setenv("PIP_FIND_LINKS", wheels)
	t.Setenv("PIP_CONFIG_FILE", os.DevNull)
}

// layerDir builds a layer of the packages and unzips it as an /opt.
func layerDir(t testing.TB, pkgs ...string) string {
	t.Helper()
	in, _ := testRuntime(t)
	offlinePip(t, t.TempDir())
	out := filepath.Join(t.TempDir(), "layer.zip")
	if _, err := BuildLayer(out, pkgs, in); err != nil {
		t.Fatal(err)
	}
	opt := t.TempDir()
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		p := filepath.Join(opt, filepath.FromSlash(f.Name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, f.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return opt
}

// machinePIL asks the machine's python, outside lambdalab, where its PIL is
// and which version: the oracle for the fallback's report.
func machinePIL(t *testing.T) (version, site string) {
	in, _ := testRuntime(t)
	out, err := runPythonWithSite(in.Path, "import PIL, os; print(PIL.__version__); print(os.path.dirname(os.path.dirname(PIL.__file__)))")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(out))
	return lines[0], lines[1]
}

func TestBuildLayerFromMachine(t *testing.T) {
	requireModule(t, "PIL", "python3-pil")
	in, _ := testRuntime(t)
	offlinePip(t, t.TempDir())
	version, site := machinePIL(t)
	dir := t.TempDir()
	rep, err := BuildLayer(filepath.Join(dir, "a.zip"), []string{"Pillow"}, in)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Pillow %s from this machine (%s)", version, site)
	if len(rep.Packages) == 0 || rep.Packages[0].String() != want {
		t.Errorf("packages %v, want first %q", rep.Packages, want)
	}
	if len(rep.Notes) == 0 || !strings.Contains(rep.Notes[0], "pip could not install them") {
		t.Errorf("notes %q, want why pip was not used", rep.Notes)
	}
	names := zipNames(t, filepath.Join(dir, "a.zip"))
	for _, must := range []string{"python/", "python/PIL/", "python/PIL/__init__.py", "python/PIL/Image.py"} {
		if !contains(names, must) {
			t.Errorf("layer lacks %s", must)
		}
	}
	if !sort.StringsAreSorted(names) {
		t.Error("entries not sorted")
	}
	for _, n := range names {
		if strings.HasSuffix(n, ".pyc") || strings.Contains(n, "__pycache__") || !strings.HasPrefix(n, "python/") {
			t.Errorf("entry %s", n)
		}
	}
	// The same packages give the same bytes, and asking by module name
	// (PIL) finds the same distribution.
	if _, err := BuildLayer(filepath.Join(dir, "b.zip"), []string{"PIL"}, in); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "a.zip"))
	b, _ := os.ReadFile(filepath.Join(dir, "b.zip"))
	if !bytes.Equal(a, b) {
		t.Error("rebuilding the layer gave different bytes")
	}
}

func TestBuildLayerErrors(t *testing.T) {
	in, _ := testRuntime(t)
	offlinePip(t, t.TempDir())
	out := filepath.Join(t.TempDir(), "l.zip")
	for _, tc := range []struct {
		pkgs []string
		want string
	}{
		{nil, "layer build: name at least one package"},
		{[]string{"--index-url=http://x"}, `layer build: "--index-url=http://x" is not a package name`},
		// pip's own words vary with its version; what follows them does not
		{[]string{"no-such-package-here"}, "), and this machine has no no-such-package-here installed either"},
	} {
		_, err := BuildLayer(out, tc.pkgs, in)
		if err == nil || !strings.HasPrefix(err.Error(), "layer build: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("BuildLayer(%q) = %v, want %q", tc.pkgs, err, tc.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed build left %s", out)
	}
}

// With an index pip can reach (here a local directory of wheels), the
// layer is what pip installs, and a function imports it.
func TestBuildLayerWithPip(t *testing.T) {
	in, _ := testRuntime(t)
	wheels := t.TempDir()
	writeWheel(t, wheels, "lambdalabdemo", "1.0", map[string]string{"lambdalabdemo/__init__.py": "VALUE = 42\n"})
	offlinePip(t, wheels)
	out := filepath.Join(t.TempDir(), "l.zip")
	rep, err := BuildLayer(out, []string{"lambdalabdemo"}, in)
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if len(rep.Packages) != 1 || rep.Packages[0].String() != "lambdalabdemo 1.0 via pip" || len(rep.Notes) != 0 {
		t.Errorf("report %s", rep)
	}
	names := zipNames(t, out)
	if !contains(names, "python/lambdalabdemo/__init__.py") || !contains(names, "python/lambdalabdemo-1.0.dist-info/METADATA") {
		t.Errorf("entries %q", names)
	}
	again := filepath.Join(t.TempDir(), "l.zip")
	if _, err := BuildLayer(again, []string{"lambdalabdemo"}, in); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("rebuilding the pip layer gave different bytes")
	}
}

// The layer built from the machine's Pillow is what makes `import PIL` work.
func TestPillowLayerImports(t *testing.T) {
	requireModule(t, "PIL", "python3-pil")
	opt := layerDir(t, "Pillow")
	f := startFunction(t, fnConfig{root: "testdata/ok", opt: opt})
	o := f.invoke(t, event{body: `{"action": "pil"}`})
	want := `{"file": "` + filepath.Join(opt, "python", "PIL", "__init__.py") + `", "size": [300, 200]}`
	if o.kind != "response" || string(o.body) != want {
		t.Errorf("%s %s, want %s\n%s", o.kind, o.body, want, o.log)
	}
}

func zipNames(t *testing.T, path string) []string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		if !f.Modified.Equal(zipEpoch) {
			t.Errorf("%s modified %v", f.Name, f.Modified)
		}
		names = append(names, f.Name)
	}
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// writeWheel writes a minimal pure-Python wheel.
func writeWheel(t *testing.T, dir, name, version string, files map[string]string) {
	t.Helper()
	info := name + "-" + version + ".dist-info/"
	files[info+"METADATA"] = "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"
	files[info+"WHEEL"] = "Wheel-Version: 1.0\nGenerator: lambdalab-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
	var record strings.Builder
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		sum := sha256.Sum256([]byte(files[p]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", p, base64.RawURLEncoding.EncodeToString(sum[:]), len(files[p]))
	}
	record.WriteString(info + "RECORD,,\n")
	files[info+"RECORD"] = record.String()
	f, err := os.Create(filepath.Join(dir, name+"-"+version+"-py3-none-any.whl"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	paths = append(paths, info+"RECORD")
	for _, p := range paths {
		w, _ := zw.Create(p)
		io.WriteString(w, files[p])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// runPythonWithSite runs code with the machine's site-packages, as a user's
// own python session would.
func runPythonWithSite(path, code string) ([]byte, error) {
	return exec.Command(path, "-I", "-c", code).Output()
}
