package python

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests run lambdalab's runtime client as real processes with the
// machine's python, against a small Runtime API served here.

var (
	testCache string // one runtime cache for the whole test binary
	shared    struct {
		once sync.Once
		in   Interpreter
		dir  string
		err  error
	}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambdalab-python-test-*")
	if err != nil {
		panic(err)
	}
	testCache = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testRuntime is the interpreter and prepared runtime directory the tests
// use: what Find gives for python3.12 on this machine.
func testRuntime(t testing.TB) (Interpreter, string) {
	t.Helper()
	shared.once.Do(func() {
		shared.in, shared.err = Find("python3.12")
		if shared.err != nil {
			return
		}
		shared.dir, shared.err = Prepare(testCache, shared.in)
		fmt.Printf("python runtime tests use %s (Python %s) %s\n", shared.in.Path, shared.in.Version, shared.in.Notice)
	})
	if shared.err != nil {
		t.Fatalf("the Python tests need python3 (sudo apt-get install python3-boto3 python3-pil): %v", shared.err)
	}
	return shared.in, shared.dir
}

// requireModule fails the test when the machine's python lacks a package
// the test is about (the test script installs them).
func requireModule(t testing.TB, module, debPackage string) {
	t.Helper()
	in, _ := testRuntime(t)
	sites, err := sitePackages(in)
	if err != nil {
		t.Fatal(err)
	}
	if findModule(sites, module) == "" {
		t.Fatalf("this test needs %s on the machine: sudo apt-get install %s", module, debPackage)
	}
}

// event is one invocation the fake Runtime API hands out.
type event struct {
	id, trace, arn          string
	deadline                int64 // Unix ms
	clientContext, identity string
	contentType             string
	body                    string
}

// outcome is one POST from the process.
type outcome struct {
	kind   string // "response", "error" or "init/error"
	id     string
	body   []byte
	header http.Header
	log    string // the process's stdout when the POST arrived
}

// fakeRuntimeAPI serves the Runtime API for one function process.
type fakeRuntimeAPI struct {
	srv        *httptest.Server
	events     chan event
	outcomes   chan outcome
	nexts      chan time.Time // when each GET next arrived
	stdout     string
	nextStatus int // answer GET next with this status instead (0: normal)
}

func newFakeRuntimeAPI(t testing.TB, stdout string, nextStatus int) *fakeRuntimeAPI {
	api := &fakeRuntimeAPI{
		events:     make(chan event, 16),
		outcomes:   make(chan outcome, 16),
		nexts:      make(chan time.Time, 1024),
		stdout:     stdout,
		nextStatus: nextStatus,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", api.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/{kind}", func(w http.ResponseWriter, r *http.Request) {
		api.post(w, r, r.PathValue("kind"), r.PathValue("id"))
	})
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		api.post(w, r, "init/error", "")
	})
	api.srv = httptest.NewServer(mux)
	t.Cleanup(api.srv.Close)
	return api
}

func (a *fakeRuntimeAPI) next(w http.ResponseWriter, r *http.Request) {
	a.nexts <- time.Now()
	if a.nextStatus != 0 {
		http.Error(w, "no", a.nextStatus)
		return
	}
	var ev event
	select {
	case ev = <-a.events:
	case <-r.Context().Done():
		return
	}
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", ev.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(ev.deadline, 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", ev.arn)
	if ev.trace != "" {
		h.Set("Lambda-Runtime-Trace-Id", ev.trace)
	}
	if ev.clientContext != "" {
		h.Set("Lambda-Runtime-Client-Context", ev.clientContext)
	}
	if ev.identity != "" {
		h.Set("Lambda-Runtime-Cognito-Identity", ev.identity)
	}
	ct := ev.contentType
	if ct == "" {
		ct = "application/json"
	}
	h.Set("Content-Type", ct)
	io.WriteString(w, ev.body)
}

func (a *fakeRuntimeAPI) post(w http.ResponseWriter, r *http.Request, kind, id string) {
	body, _ := io.ReadAll(r.Body)
	log, _ := os.ReadFile(a.stdout)
	w.WriteHeader(http.StatusAccepted)
	a.outcomes <- outcome{kind: kind, id: id, body: body, header: r.Header.Clone(), log: string(log)}
}

// fn is one function process (one execution environment).
type fn struct {
	api     *fakeRuntimeAPI
	cmd     *exec.Cmd
	stdout  string
	stderr  *bytes.Buffer
	done    chan struct{}
	exitErr error
	started time.Time
}

// fnConfig says how to start a function process.
type fnConfig struct {
	root       string            // the task root (a testdata directory)
	handler    string            // default lambda_function.lambda_handler
	opt        string            // the /opt directory (default: an empty one)
	noOpt      bool              // pass "" as the /opt directory
	env        map[string]string // added to or replacing the Lambda variables
	runtimeDir string            // default: the shared prepared one
	extraFiles []*os.File
	nextStatus int
}

func lambdaEnv(c fnConfig, api, runtimeDir string) []string {
	env := map[string]string{
		"_HANDLER":                        c.handler,
		"AWS_LAMBDA_RUNTIME_API":          api,
		"LAMBDA_TASK_ROOT":                c.root,
		"LAMBDA_RUNTIME_DIR":              runtimeDir,
		"AWS_LAMBDA_FUNCTION_NAME":        "cis-exercise-demo",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/cis-exercise-demo",
		"AWS_LAMBDA_LOG_STREAM_NAME":      "2025/01/01/[$LATEST]0123456789abcdef",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_python3.12",
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_ACCESS_KEY_ID":               "ASIATESTROLEKEY",
		"AWS_SECRET_ACCESS_KEY":           "role-secret",
		"AWS_SESSION_TOKEN":               "role-session-token",
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"PATH":                            "/usr/local/bin:/usr/bin:/bin",
	}
	for k, v := range c.env {
		env[k] = v
	}
	var out []string
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func startFunction(t testing.TB, c fnConfig) *fn {
	t.Helper()
	in, runtimeDir := testRuntime(t)
	if c.runtimeDir != "" {
		runtimeDir = c.runtimeDir
	}
	if c.handler == "" {
		c.handler = "lambda_function.lambda_handler"
	}
	if c.opt == "" && !c.noOpt {
		c.opt = t.TempDir()
	}
	root, err := filepath.Abs(c.root)
	if err != nil {
		t.Fatal(err)
	}
	c.root = root
	tmp := t.TempDir()
	stdout, err := os.Create(filepath.Join(tmp, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	api := newFakeRuntimeAPI(t, stdout.Name(), c.nextStatus)
	argv := Command(in, runtimeDir, c.opt)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.root
	cmd.Env = lambdaEnv(c, strings.TrimPrefix(api.srv.URL, "http://"), runtimeDir)
	cmd.Stdout = stdout
	f := &fn{api: api, cmd: cmd, stdout: stdout.Name(), stderr: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = f.stderr
	cmd.ExtraFiles = c.extraFiles
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	f.started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		f.exitErr = cmd.Wait()
		close(f.done)
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-f.done
	})
	return f
}

// wait returns the process's next POST; it fails the test if the process
// exits without one.
func (f *fn) wait(t testing.TB) outcome {
	t.Helper()
	select {
	case o := <-f.api.outcomes:
		return o
	case <-f.done:
		select {
		case o := <-f.api.outcomes:
			return o
		default:
		}
		t.Fatalf("the function process exited (%v) without posting; stderr:\n%s", f.exitErr, f.stderr)
	}
	return outcome{}
}

// invoke queues one event and returns what the process posted for it.
func (f *fn) invoke(t testing.TB, ev event) outcome {
	t.Helper()
	if ev.id == "" {
		ev.id = "8f5e1a3c-0000-4000-8000-000000000001"
	}
	if ev.deadline == 0 {
		ev.deadline = time.Now().Add(time.Hour).UnixMilli()
	}
	if ev.arn == "" {
		ev.arn = "arn:aws:lambda:us-east-1:000000000000:function:cis-exercise-demo"
	}
	if ev.body == "" {
		ev.body = "{}"
	}
	f.api.events <- ev
	return f.wait(t)
}

// exit waits for the process to end and returns its exit status.
func (f *fn) exit(t testing.TB) int {
	t.Helper()
	<-f.done
	var ee *exec.ExitError
	if f.exitErr == nil {
		return 0
	}
	if ok := asExitError(f.exitErr, &ee); ok {
		return ee.ExitCode()
	}
	t.Fatalf("wait: %v", f.exitErr)
	return -1
}

func asExitError(err error, target **exec.ExitError) bool {
	ee, ok := err.(*exec.ExitError)
	if ok {
		*target = ee
	}
	return ok
}

// log is everything the process has written to stdout so far.
func (f *fn) log(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(f.stdout)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
