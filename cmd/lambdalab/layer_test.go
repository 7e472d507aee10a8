package main

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime/python"
)

// lambdalab runs the built binary in dir and returns its exit code, stdout
// and stderr.
func lambdalab(t *testing.T, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout syncBuffer
	cmd.Stdout = &stdout
	code, stderr := waitExit(t, cmd)
	return code, stdout.String(), stderr
}

// machinePillow is the version of Pillow this machine's python3 has.
func machinePillow(t *testing.T) string {
	t.Helper()
	machinePythonHasPIL(t)
	in, _ := python.Find("python3.12")
	out, err := exec.Command(in.Path, "-c", "import PIL; print(PIL.__version__)").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// TestLayerBuildPublishListAndUse: a Pillow layer built from this machine
// (pip cannot reach an index here), published twice, listed, and used by a
// lab's function through its ARN.
func TestLayerBuildPublishListAndUse(t *testing.T) {
	version := machinePillow(t)
	dir := t.TempDir()
	xdg := filepath.Join(dir, "xdg")
	cache := filepath.Join(xdg, "lambdalab") // where serve looks with XDG_CACHE_HOME=xdg
	code, out, stderr := lambdalab(t, dir, nil, "layer", "build", "pillow", "--python", "Pillow")
	if code != 0 || !strings.Contains(out, "  Pillow "+version+" from this machine (") || !strings.Contains(out, "publish it: lambdalab layer publish pillow pillow.zip") {
		t.Fatalf("build: exit %d\n%s%s", code, out, stderr)
	}
	if !zipHas(t, filepath.Join(dir, "pillow.zip"), "python/PIL/__init__.py") {
		t.Fatal("pillow.zip has no python/PIL/__init__.py")
	}
	for i, want := range []string{":layer:pillow:1", ":layer:pillow:2"} {
		code, out, stderr = lambdalab(t, dir, nil, "layer", "publish", "pillow", "pillow.zip", "--cache-dir", cache, "--description", "Pillow "+version)
		if code != 0 || !strings.Contains(out, "arn:aws:lambda:us-east-1:000000000000"+want) {
			t.Fatalf("publish %d: exit %d\n%s%s", i+1, code, out, stderr)
		}
	}
	code, out, _ = lambdalab(t, dir, nil, "layer", "list", "--cache-dir", cache)
	for _, want := range []string{
		`(?m)^arn:aws:lambda:us-east-1:000000000000:layer:pillow:2 +\d+\.\d KB +Pillow ` + regexp.QuoteMeta(version) + `$`,
		`(?m)^arn:aws:lambda:us-east-1:000000000000:layer:pillow:1 `,
		`(?m)^` + regexp.QuoteMeta(emulator.KlayersPillow) + ` +- +stand-in, not built yet`,
	} {
		if code != 0 || !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("layer list lacks %s:\n%s", want, out)
		}
	}

	t.Setenv("XDG_CACHE_HOME", xdg)
	labFile, _ := pythonLabWithPillow(t)
	yaml, _ := os.ReadFile(labFile)
	os.WriteFile(labFile, []byte(strings.Replace(string(yaml), emulator.KlayersPillow, "arn:aws:lambda:us-east-1:000000000000:layer:pillow:2", 1)), 0o644)
	s := startServe(t, "--lab", labFile)
	client := labtest.Client(s.endpoint, "test", "test")
	upload(t, client, "lambda.png")
	s.waitOutput(t, "S3 PUT cis-examples-output/lambda.png PutObject 200")
	if w, h := imageSize(t, client, "lambda.png"); w != 300 || h != 300 {
		t.Errorf("with the published layer: %dx%d, want 300x300", w, h)
	}
}

// TestLayerListSaysStandIn: once a lab has used the Klayers ARN, its
// stand-in is listed under that ARN, saying what it really is.
func TestLayerListSaysStandIn(t *testing.T) {
	t.Parallel()
	version := machinePillow(t)
	cache := t.TempDir()
	reg, err := emulator.LayerRegistry(cache, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Resolve(emulator.KlayersPillow); err != nil { // as a lab resolves it
		t.Fatal(err)
	}
	code, out, _ := lambdalab(t, cache, nil, "layer", "list", "--cache-dir", cache)
	want := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(emulator.KlayersPillow) + ` +\d+\.\d KB +stand-in for Klayers-p310-Pillow:2: Pillow ` +
		regexp.QuoteMeta(version) + ` from this machine`)
	if code != 0 || !want.MatchString(out) || strings.Contains(out, "not built yet") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestLayerBuildFromMachine: a program and the shared libraries it loads
// (not the C library); the copy runs from the layer's folders.
func TestLayerBuildFromMachine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, stderr := lambdalab(t, dir, nil, "layer", "build", "xz", "--from-machine")
	if code != 0 || !strings.Contains(out, "  bin/xz  (from ") || !strings.Contains(out, "  lib/liblzma.so.5  (from ") ||
		!strings.Contains(out, "note: left out libc.so.6: the C library") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	unpacked := filepath.Join(dir, "opt")
	r, err := zip.OpenReader(filepath.Join(dir, "xz.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := os.CopyFS(unpacked, r); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.File {
		if f.Name == "bin/xz" && f.Mode()&0o111 == 0 {
			t.Errorf("bin/xz is not executable: %v", f.Mode())
		}
	}
	run := exec.Command(filepath.Join(unpacked, "bin", "xz"), "--version")
	run.Env = []string{"LD_LIBRARY_PATH=" + filepath.Join(unpacked, "lib")}
	if b, err := run.CombinedOutput(); err != nil || !strings.Contains(string(b), "liblzma") {
		t.Errorf("the layer's xz: %v %s", err, b)
	}
}

func zipHas(t *testing.T, path, name string) bool {
	t.Helper()
	r, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, f := range r.File {
		if f.Name == name {
			return true
		}
	}
	return false
}

func TestLayerBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.zip"), []byte("these are my notes, not a zip"), 0o644)
	cache := filepath.Join(dir, "cache")
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"missing zip", nil, []string{"layer", "publish", "pillow", "missing.zip", "--cache-dir", cache}, 2,
			"lambdalab: layer zip: open missing.zip: no such file or directory"},
		{"not a zip", nil, []string{"layer", "publish", "pillow", "notes.zip", "--cache-dir", cache}, 1,
			"lambdalab: An error occurred (InvalidParameterValueException) when calling the PublishLayerVersion operation: Could not unzip uploaded file. Please check your file, then try to upload again."},
		{"bad name to publish", nil, []string{"layer", "publish", "my layer", "notes.zip", "--cache-dir", cache}, 2,
			"lambdalab: An error occurred (ValidationException) when calling the PublishLayerVersion operation: 1 validation error detected: Value 'my layer' at 'layerName' failed to satisfy constraint"},
		{"bad name to build", nil, []string{"layer", "build", "../pillow", "--python", "Pillow"}, 2,
			`lambdalab: layer name "../pillow": Lambda's layer names are 1 to 140 letters, digits, hyphens and underscores`},
		{"nothing to build", nil, []string{"layer", "build", "pillow"}, 2,
			"lambdalab: say what goes into layer pillow: --python PKG... (Python packages) or --from-machine (the program pillow of this machine)"},
		{"both kinds", nil, []string{"layer", "build", "pillow", "--python", "Pillow", "--from-machine"}, 2,
			"lambdalab: --python and --from-machine build different layers: give one of them"},
		{"package nowhere", nil, []string{"layer", "build", "nope", "--python", "no-such-package-lambdalab"}, 1,
			"this machine has no no-such-package-lambdalab installed either"},
		{"ffmpeg missing", []string{"PATH=" + dir}, []string{"layer", "build", "ffmpeg", "--from-machine"}, 1,
			"lambdalab: ffmpeg is not installed on this machine (not found on PATH): install it first (Debian/Ubuntu: sudo apt-get install ffmpeg;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := lambdalab(t, dir, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
	if entries, _ := os.ReadDir(filepath.Join(cache, "layers")); len(entries) != 0 {
		t.Errorf("refused publishes left %d entries in the registry", len(entries))
	}
	code, out, _ := lambdalab(t, dir, nil, "layer", "list", "--cache-dir", cache)
	if code != 0 || !strings.Contains(out, "no layers published yet") {
		t.Errorf("list of an empty registry: exit %d\n%s", code, out)
	}
}
