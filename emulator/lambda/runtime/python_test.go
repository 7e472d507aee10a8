package runtime

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeClient stands in for package runtime/python's client: it puts the
// task root and the layers' python folder on sys.path, imports the handler
// and answers the Runtime API.
const fakeClient = `import importlib, json, os, sys, urllib.request
sys.path[:0] = [os.environ["LAMBDA_TASK_ROOT"], os.path.join(sys.argv[1], "python")]
module, _, name = os.environ["_HANDLER"].rpartition(".")
handler = getattr(importlib.import_module(module), name)
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.load(r)
    body = json.dumps(handler(event, None)).encode()
    urllib.request.urlopen(urllib.request.Request(api + rid + "/response", data=body, method="POST")).read()
`

// fakePython is the Python hook set the lead wires to package runtime/python.
func fakePython(t *testing.T, prepared *int) Python {
	path, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on this machine")
	}
	out, err := exec.Command(path, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatal(err)
	}
	in := Interpreter{Path: strings.TrimSpace(string(out)), Version: "3.11", Notice: "python3.12 requested; this machine runs Python 3.11"}
	return Python{
		Find: func(runtime string) (Interpreter, error) { return in, nil },
		Prepare: func(cacheDir string, in Interpreter) (string, error) {
			*prepared++
			dir := filepath.Join(cacheDir, "fake-client")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return "", err
			}
			return dir, os.WriteFile(filepath.Join(dir, "client.py"), []byte(fakeClient), 0o644)
		},
		Command: func(in Interpreter, runtimeDir, optDir string) []string {
			return []string{in.Path, "-u", filepath.Join(runtimeDir, "client.py"), optDir}
		},
	}
}

// A Python function runs through the runtime client's command, with its
// layer's python folder importable and AWS_EXECUTION_ENV set.
func TestPythonRuntime(t *testing.T) {
	var prepared int
	m := newManager(t, WithPython(fakePython(t, &prepared)))
	dir := t.TempDir()
	code, layer := filepath.Join(dir, "code"), filepath.Join(dir, "layer")
	os.MkdirAll(code, 0o755)
	os.MkdirAll(filepath.Join(layer, "python"), 0o755)
	os.WriteFile(filepath.Join(code, "lambda_function.py"), []byte(`import os, helper
def lambda_handler(event, context):
    return {"msg": helper.msg(), "exec": os.environ["AWS_EXECUTION_ENV"], "rt": os.environ["LAMBDA_RUNTIME_DIR"], "path": os.environ["PATH"]}
`), 0o644)
	os.WriteFile(filepath.Join(layer, "python", "helper.py"), []byte("def msg():\n    return 'from the layer'\n"), 0o644)
	spec := Spec{Function: "py", Runtime: Python312, Handler: "lambda_function.lambda_handler", Code: code, Layers: []string{layer}}
	p, err := m.Prepare(spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Prepare(spec); err != nil || prepared != 1 {
		t.Fatalf("the runtime dir was prepared %d times (%v)", prepared, err)
	}
	if p.Notice() != "python3.12 requested; this machine runs Python 3.11" {
		t.Fatalf("Notice = %q", p.Notice())
	}
	pr := start(t, m, p, functionEnv(), 128, nil)
	res := pr.Invoke(context.Background(), invocation("r", "{}"))
	var got map[string]string
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatalf("%+v: %v", res, err)
	}
	interpDir := filepath.Dir(p.interp.Path)
	if got["msg"] != "from the layer" || got["exec"] != "AWS_Lambda_python3.12" || got["rt"] != p.RuntimeDir() ||
		!strings.HasPrefix(got["path"], interpDir+":/usr/local/bin:/usr/bin/:/bin:") {
		t.Fatalf("the Python function saw %v", got)
	}
}

func TestPythonWithoutClient(t *testing.T) {
	m := newManager(t)
	_, err := m.Prepare(Spec{Function: "py", Runtime: Python313, Handler: "lambda_function.lambda_handler", Code: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "python3.13 needs the Python runtime client") {
		t.Fatalf("Prepare = %v", err)
	}
}
