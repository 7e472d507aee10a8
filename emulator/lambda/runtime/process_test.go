package runtime

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The process sees Lambda's variables, the function's own, and nothing of
// the host's: the test sets host variables that must not leak.
func TestEnvironmentIsLambdas(t *testing.T) {
	t.Setenv("AWS_PROFILE", "host-profile")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAHOST")
	t.Setenv("GITHUB_TOKEN", "host-token")
	m := newManager(t)
	p := goHandler(t, m, "print-env")
	out := &lines{}
	fn := functionEnv("_HANDLER", "print-env", "BUCKET", "cis-examples-output", "LANG", "C.UTF-8")
	pr := start(t, m, p, fn, 128, out)
	pr.Invoke(context.Background(), invocation("r", `{"action":"plain"}`)) // the env lines are in the sink now
	var got []string
	for _, l := range out.all() {
		if kv, ok := strings.CutPrefix(l, "env:"); ok {
			got = append(got, kv)
		}
	}
	want := []string{
		"AWS_LAMBDA_RUNTIME_API=" + pr.RuntimeAPI(),
		"LAMBDA_TASK_ROOT=" + p.TaskRoot(),
		"LAMBDA_RUNTIME_DIR=" + p.RuntimeDir(),
		"LANG=C.UTF-8", // a function may replace LANG
		"PATH=/usr/local/bin:/usr/bin/:/bin:" + p.OptDir() + "/bin",
		"LD_LIBRARY_PATH=/lib64:/usr/lib64:" + p.RuntimeDir() + ":" + p.RuntimeDir() + "/lib:" +
			p.TaskRoot() + ":" + p.TaskRoot() + "/lib:" + p.OptDir() + "/lib",
		"TZ=:UTC",
	}
	for k, v := range fn {
		if k != "LANG" {
			want = append(want, k+"="+v)
		}
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("environment:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// clientScript is a bootstrap that talks to the Runtime API with Python's
// urllib and answers with the handler it was given.
const clientScript = `#!/usr/bin/python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.load(r)
    body = json.dumps({"handler": os.environ["_HANDLER"], "event": event, "cwd": os.getcwd()}).encode()
    urllib.request.urlopen(urllib.request.Request(api + rid + "/response", data=body, method="POST")).read()
`

// A bootstrap that is not aws-lambda-go, from a folder and from a zip (whose
// executable bit must survive), gets _HANDLER and runs in its task root.
func TestScriptBootstrapGetsHandler(t *testing.T) {
	folder := t.TempDir()
	if err := os.WriteFile(filepath.Join(folder, "bootstrap"), []byte(clientScript), 0o755); err != nil {
		t.Fatal(err)
	}
	zipped := filepath.Join(t.TempDir(), "function.zip")
	writeZip(t, zipped, zipEntry{name: "bootstrap", mode: 0o755, body: clientScript})
	for _, code := range []string{folder, zipped} {
		t.Run(filepath.Base(code), func(t *testing.T) {
			m := newManager(t)
			p, err := m.Prepare(Spec{Function: "script", Runtime: ProvidedAL2, Handler: "function.handler", Code: code})
			if err != nil {
				t.Fatal(err)
			}
			pr := start(t, m, p, functionEnv(), 128, nil)
			res := pr.Invoke(context.Background(), invocation("r1", `{"k":1}`))
			var got struct {
				Handler, Cwd string
				Event        map[string]int
			}
			if err := json.Unmarshal(res.Payload, &got); err != nil {
				t.Fatalf("%+v: %v", res, err)
			}
			if got.Handler != "function.handler" || got.Event["k"] != 1 || got.Cwd != p.TaskRoot() {
				t.Fatalf("bootstrap answered %+v", got)
			}
		})
	}
}

// The service's timeout: the test cancels the invocation while the handler
// hangs, then kills the environment; its process and the children it
// started are gone, and so are the goroutines that served it.
func TestCancelThenKillLeavesNothing(t *testing.T) {
	m := newManager(t)
	p := goHandler(t, m, "handler")
	base := runtime.NumGoroutine()
	out := &lines{}
	pr, err := m.Start(p, functionEnv(), 128, out)
	if err != nil {
		t.Fatal(err)
	}
	if err := pr.WaitInit(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := pr.Invoke(context.Background(), invocation("spawn", `{"action":"spawn","count":3}`))
	var children []int
	if err := json.Unmarshal(res.Payload, &children); err != nil || len(children) != 3 {
		t.Fatalf("spawn: %+v", res)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hanging := out.seen("hanging")
	go func() {
		<-hanging
		cancel()
	}()
	res = pr.Invoke(ctx, invocation("hang", `{"action":"hang","lines":["hanging"]}`))
	if res.Abandoned != context.Canceled {
		t.Fatalf("cancelled Invoke = %+v", res)
	}
	pr.Kill()
	// SIGKILL is delivered to the group at once; a member dies when it is
	// next scheduled, which on a loaded machine is not at once.
	for _, pid := range append(children, pr.pgid) {
		eventually(t, fmt.Sprintf("pid %d gone after Kill", pid), func() bool { return !alive(pid) })
	}
	if res := pr.Invoke(context.Background(), invocation("after", `{}`)); res.Exit != "signal: killed" {
		t.Errorf("Invoke after Kill = %+v", res)
	}
	pr.Kill() // idempotent
	m.Close() // its reaper's goroutine goes too
	settledGoroutines(t, base)
}

// Past Memory Size the group is killed: Runtime exited with signal: killed,
// and Max Memory Used reads the Memory Size.
func TestOutOfMemoryKills(t *testing.T) {
	m := newManager(t)
	pr := start(t, m, goHandler(t, m, "handler"), functionEnv(), 128, nil)
	res := pr.Invoke(context.Background(), invocation("oom", `{"action":"alloc","mb":300}`))
	if res.Exit != "signal: killed" || !res.OutOfMemory || res.Err != nil {
		t.Fatalf("Invoke = %+v, want an out-of-memory kill", res)
	}
	if got := pr.PeakMemoryMB(); got != 128 {
		t.Fatalf("PeakMemoryMB = %d, want 128", got)
	}
}

// Memory is watched during init too.
func TestOutOfMemoryDuringInit(t *testing.T) {
	m := newManager(t)
	pr, err := m.Start(goHandler(t, m, "init-alloc"), functionEnv(), 128, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Kill()
	err = pr.WaitInit(context.Background())
	if ee, ok := err.(*ExitError); !ok || ee.Status != "signal: killed" || !ee.OutOfMemory || pr.PeakMemoryMB() != 128 {
		t.Fatalf("WaitInit = %#v, peak %d MB", err, pr.PeakMemoryMB())
	}
}

// A small function stays well under its limit and its memory is measured.
func TestPeakMemoryMeasured(t *testing.T) {
	m := newManager(t)
	pr := start(t, m, goHandler(t, m, "handler"), functionEnv(), 512, nil)
	res := pr.Invoke(context.Background(), invocation("alloc", `{"action":"spawn","count":0}`))
	if res.Err != nil || res.Exit != "" {
		t.Fatalf("Invoke = %+v", res)
	}
	if got := pr.PeakMemoryMB(); got < 1 || got >= 128 {
		t.Fatalf("PeakMemoryMB = %d for a Go handler doing nothing", got)
	}
}

// Lines written before the response, on stdout and stderr, a partial last
// line included, are all delivered before Invoke returns, in order.
func TestLinesArriveBeforeTheResult(t *testing.T) {
	m := newManager(t)
	out := &lines{}
	pr := start(t, m, goHandler(t, m, "handler"), functionEnv(), 128, out)
	var event struct {
		Action  string   `json:"action"`
		Lines   []string `json:"lines"`
		Message string   `json:"message"`
	}
	event.Action, event.Message = "partial", "no newline at the end"
	for i := range 300 {
		event.Lines = append(event.Lines, fmt.Sprintf("line %03d %s", i, strings.Repeat("·", i)))
	}
	b, _ := json.Marshal(event)
	res := pr.Invoke(context.Background(), invocation("r", string(b)))
	if res.Err != nil || string(res.Payload) != `"ok"` {
		t.Fatalf("Invoke = %+v", res)
	}
	want := append(slices.Clone(event.Lines), event.Message)
	if got := out.all(); !slices.Equal(got, want) {
		t.Fatalf("got %d lines, want %d; last got %q", len(got), len(want), got[max(0, len(got)-1)])
	}
	b, _ = json.Marshal(map[string]any{"action": "error", "message": "bad", "stderr": []string{"to stderr"}})
	pr.Invoke(context.Background(), invocation("r2", string(b)))
	got := out.all()
	if i := slices.Index(got, "to stderr"); i < 0 || !strings.Contains(got[len(got)-1], `"errorType":"errorString"`) {
		t.Fatalf("stderr lines: %q", got[len(want):])
	}
}

// A line longer than Lambda's 256 KB is split there.
func TestLongLinesSplit(t *testing.T) {
	out := &lines{}
	o, err := newOutput(out)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", MaxLineBytes) + strings.Repeat("b", 10)
	o.w.WriteString(long + "\nshort\n" + strings.Repeat("c", MaxLineBytes+1))
	o.close()
	want := []string{strings.Repeat("a", MaxLineBytes), strings.Repeat("b", 10), "short", strings.Repeat("c", MaxLineBytes), "c"}
	if got := out.all(); !slices.Equal(got, want) {
		t.Fatalf("lines of lengths %v", lengths(got))
	}
}

func lengths(l []string) []int {
	var n []int
	for _, s := range l {
		n = append(n, len(s))
	}
	return n
}

// An init that exits is an ExitError with Go's wording, after its output.
func TestExitDuringInit(t *testing.T) {
	m := newManager(t)
	out := &lines{}
	pr, err := m.Start(goHandler(t, m, "init-exit"), functionEnv(), 128, out)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Kill()
	err = pr.WaitInit(context.Background())
	if ee, ok := err.(*ExitError); !ok || ee.Status != "exit status 4" || ee.Error() != "Runtime exited with error: exit status 4" {
		t.Fatalf("WaitInit = %#v", err)
	}
	if got := out.all(); !slices.Equal(got, []string{"init failing"}) {
		t.Fatalf("output %q", got)
	}
}

func TestInvalidEntrypoint(t *testing.T) {
	m := newManager(t)
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "README"), []byte("no bootstrap"), 0o644)
	notExec := t.TempDir()
	os.WriteFile(filepath.Join(notExec, "bootstrap"), []byte(clientScript), 0o644)
	for _, tc := range []struct{ code, want string }{
		{empty, "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"},
		{notExec, "fork/exec /var/task/bootstrap: permission denied"},
	} {
		p, err := m.Prepare(Spec{Function: "f", Runtime: ProvidedAL2023, Handler: "h", Code: tc.code})
		if err != nil {
			t.Fatal(err)
		}
		_, err = m.Start(p, nil, 128, nil)
		if fe, ok := err.(*FunctionError); !ok || fe.Type != "Runtime.InvalidEntrypoint" || fe.Message != tc.want {
			t.Errorf("Start = %#v, want Runtime.InvalidEntrypoint: %s", err, tc.want)
		}
	}
}

type zipEntry struct {
	name, body, link string
	mode             os.FileMode
}

func writeZip(t testing.TB, file string, entries ...zipEntry) {
	t.Helper()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		body := e.body
		switch {
		case e.link != "":
			h.SetMode(os.ModeSymlink | 0o777)
			body = e.link
		case strings.HasSuffix(e.name, "/"):
			h.SetMode(os.ModeDir | 0o755)
		default:
			h.SetMode(max(e.mode, 0o644))
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// A single file is a provided.* function's bootstrap, whatever its name.
func TestSingleFileBootstrap(t *testing.T) {
	m := newManager(t)
	file := filepath.Join(t.TempDir(), "client.py")
	os.WriteFile(file, []byte(clientScript), 0o755)
	p, err := m.Prepare(Spec{Function: "one", Runtime: ProvidedAL2023, Handler: "x.y", Code: file})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(p.TaskRoot(), "bootstrap")); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Fatalf("task root bootstrap: %v %v", fi, err)
	}
	pr := start(t, m, p, nil, 128, nil)
	if res := pr.Invoke(context.Background(), invocation("r", "{}")); !strings.Contains(string(res.Payload), `"handler": "x.y"`) {
		t.Fatalf("Invoke = %+v", res)
	}
}

// Descriptors lambdalab inherited from its own parent (a shell's, a test
// harness's) do not reach the function: it has stdin, stdout and stderr.
func TestNoInheritedDescriptors(t *testing.T) {
	m := newManager(t)
	p, err := m.Prepare(Spec{Function: "fds", Runtime: ProvidedAL2023, Command: []string{"/bin/sh", "-c", "ls /proc/$$/fd"}})
	if err != nil {
		t.Fatal(err)
	}
	out := &lines{}
	pr, err := m.Start(p, nil, 128, out)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Kill()
	if err := pr.WaitInit(context.Background()); err == nil {
		t.Fatal("the shell exited, WaitInit said nothing")
	}
	if got := out.all(); !slices.Equal(got, []string{"0", "1", "2"}) {
		t.Fatalf("the function's descriptors: %q", got)
	}
}
