package python

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The function sees exactly the environment it was given and a sys.path of
// task root, layers, runtime libraries and the standard library: nothing
// of the host's Python, even when PYTHON* variables point elsewhere.
func TestIsolation(t *testing.T) {
	requireModule(t, "PIL", "python3-pil")
	hostLib := t.TempDir()
	os.MkdirAll(filepath.Join(hostLib, "PIL"), 0o755)
	os.WriteFile(filepath.Join(hostLib, "PIL", "__init__.py"), nil, 0o644)
	extra := map[string]string{"PYTHONPATH": hostLib, "PYTHONSTARTUP": "/nonexistent", "BUCKET": "cis-examples"}
	_, runtimeDir := testRuntime(t)
	opt := t.TempDir()
	root, _ := filepath.Abs("testdata/ok")
	f := startFunction(t, fnConfig{root: root, opt: opt, env: extra})
	o := f.invoke(t, event{body: `{"action": "env"}`, trace: "Root=1-abc"})
	var got struct {
		Environ  map[string]string
		Path     []string
		Isolated int
		NoSite   int `json:"no_site"`
		Cwd      string
	}
	if o.kind != "response" || json.Unmarshal(o.body, &got) != nil {
		t.Fatalf("%s %s", o.kind, o.body)
	}
	want := map[string]string{"_X_AMZN_TRACE_ID": "Root=1-abc"}
	given := fnConfig{root: root, handler: "lambda_function.lambda_handler", env: extra}
	for _, kv := range lambdaEnv(given, envValue(f.cmd.Env, "AWS_LAMBDA_RUNTIME_API"), runtimeDir) {
		k, v, _ := strings.Cut(kv, "=")
		want[k] = v
	}
	if !equalMaps(got.Environ, want) {
		t.Errorf("environment:\n got %v\nwant %v", sortedKeys(got.Environ), sortedKeys(want))
	}
	layerSite := filepath.Join(opt, "python", "lib", "python3.12", "site-packages") // the runtime's, not the machine's
	front := []string{root, layerSite, filepath.Join(opt, "python"), runtimeDir}
	if len(got.Path) < len(front)+1 || strings.Join(got.Path[:len(front)], "\n") != strings.Join(front, "\n") {
		t.Fatalf("sys.path = %q, want it to start %q", got.Path, front)
	}
	for _, p := range got.Path[len(front):] {
		if strings.Contains(p, "-packages") || p == hostLib || strings.Contains(p, ".local") {
			t.Errorf("sys.path has the host's %q", p)
		}
	}
	if got.Isolated != 1 || got.NoSite != 1 || got.Cwd != root {
		t.Errorf("isolated=%d no_site=%d cwd=%q", got.Isolated, got.NoSite, got.Cwd)
	}

	// The host's PIL (Debian's python3-pil, or one on PYTHONPATH) stays out.
	g := startFunction(t, fnConfig{root: "testdata/importpil", env: extra})
	if rec := decodeError(t, g.wait(t)); rec.ErrorMessage != "Unable to import module 'lambda_function': No module named 'PIL'" {
		t.Errorf("import PIL without a layer: %+v", rec)
	}
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// sys.exit in a handler ends the environment with that status, after what
// it printed.
func TestHandlerExits(t *testing.T) {
	f := startFunction(t, fnConfig{root: "testdata/ok"})
	f.api.events <- event{id: "e1", deadline: 1 << 60, body: `{"action": "exit", "code": 3}`}
	if code := f.exit(t); code != 3 {
		t.Errorf("exit status %d, want 3", code)
	}
	if got := f.log(t); got != "leaving\n" {
		t.Errorf("log = %q", got)
	}
	if len(f.api.outcomes) != 0 {
		t.Errorf("posted %d outcomes for an exit", len(f.api.outcomes))
	}
}

// The client's own failures end the process with a clear line on stderr,
// never a hang.
func TestClientFailures(t *testing.T) {
	t.Run("next refused", func(t *testing.T) {
		f := startFunction(t, fnConfig{root: "testdata/ok", nextStatus: 500})
		if code := f.exit(t); code != 1 {
			t.Errorf("exit status %d", code)
		}
		want := "lambdalab python runtime: runtime loop failed: RuntimeClientError: Request to Lambda Runtime '/2018-06-01/runtime/invocation/next' endpoint failed. Reason: '500'."
		if !strings.HasPrefix(f.stderr.String(), want) {
			t.Errorf("stderr = %q, want it to start %q", f.stderr, want)
		}
	})
	t.Run("no Runtime API", func(t *testing.T) {
		f := startFunction(t, fnConfig{root: "testdata/ok", env: map[string]string{"AWS_LAMBDA_RUNTIME_API": ""}})
		if code := f.exit(t); code != 1 {
			t.Errorf("exit status %d", code)
		}
		if want := "lambdalab python runtime: runtime loop failed: ValueError: AWS_LAMBDA_RUNTIME_API is not set\n"; f.stderr.String() != want {
			t.Errorf("stderr = %q", f.stderr)
		}
	})
}

// With _LAMBDA_TELEMETRY_LOG_FD, log records travel as telemetry frames
// (Lambda's own transport): an error record is one frame of LF-joined lines.
func TestTelemetryFrames(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f := startFunction(t, fnConfig{root: "testdata/keyerror", extraFiles: []*os.File{w},
		env: map[string]string{"_LAMBDA_TELEMETRY_LOG_FD": "3"}})
	w.Close()
	o := f.invoke(t, event{id: "t1", body: `{}`})
	if o.kind != "error" || o.log != "" {
		t.Fatalf("%s, stdout %q", o.kind, o.log)
	}
	var hdr [16]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		t.Fatal(err)
	}
	typ, n := binary.BigEndian.Uint32(hdr[:4]), binary.BigEndian.Uint32(hdr[4:8])
	msg := make([]byte, n)
	if _, err := io.ReadFull(r, msg); err != nil {
		t.Fatal(err)
	}
	if typ != 0xA55A0017 || !bytes.HasPrefix(msg, []byte("[ERROR] KeyError: 'Records'\nTraceback (most recent call last):\n\u00a0\u00a0File ")) {
		t.Errorf("frame type %#x, message %q", typ, msg)
	}
	if ts := binary.BigEndian.Uint64(hdr[8:16]); ts == 0 {
		t.Error("frame without a timestamp")
	}
}
