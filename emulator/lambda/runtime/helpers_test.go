package runtime

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCache is shared by the tests' Managers so the Go handler is built
// once per test binary; each Manager still has its own scratch folder.
var testCache string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambdalab-runtime-test-")
	if err != nil {
		panic(err)
	}
	testCache = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newManager(t testing.TB, opts ...Option) *Manager {
	t.Helper()
	m := NewManager(append([]Option{WithCacheDir(testCache)}, opts...)...)
	t.Cleanup(m.Close)
	return m
}

var programs sync.Map // name → func() (string, error)

// testProgram builds ./testdata/name once and returns the binary.
func testProgram(t testing.TB, name string) string {
	t.Helper()
	f, _ := programs.LoadOrStore(name, sync.OnceValues(func() (string, error) {
		out := filepath.Join(testCache, "bin", name)
		cmd := exec.Command("go", "build", "-o", out, "./testdata/"+name)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("build %s: %v\n%s", name, err, b)
		}
		return out, nil
	}))
	path, err := f.(func() (string, error))()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// goHandler prepares testdata/handler as a provided.al2023 function: the
// Manager builds it from source, as it builds a student's main package.
func goHandler(t testing.TB, m *Manager, handler string) *Package {
	t.Helper()
	p, err := m.Prepare(Spec{Function: "gofn", Runtime: ProvidedAL2023, Handler: handler, Code: "testdata/handler"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// lines records what a process writes, and lets a test wait for a line.
type lines struct {
	mu    sync.Mutex
	l     []string
	waits map[string]chan struct{}
}

func (s *lines) Line(l string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.l = append(s.l, l)
	if ch, ok := s.waits[l]; ok {
		close(ch)
		delete(s.waits, l)
	}
}

func (s *lines) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.l)
}

// seen returns a channel closed once line has been written.
func (s *lines) seen(line string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	if slices.Contains(s.l, line) {
		close(ch)
		return ch
	}
	if s.waits == nil {
		s.waits = map[string]chan struct{}{}
	}
	s.waits[line] = ch
	return ch
}

func functionEnv(extra ...string) map[string]string {
	env := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "gofn",
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/gofn",
		"AWS_LAMBDA_LOG_STREAM_NAME":      "2024/01/01/[$LATEST]abc",
		"AWS_ACCESS_KEY_ID":               "ASIAROLE",
		"AWS_SECRET_ACCESS_KEY":           "secret",
		"AWS_SESSION_TOKEN":               "token",
		"AWS_ENDPOINT_URL":                "http://127.0.0.1:4566",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

// start starts p and waits for its first next.
func start(t testing.TB, m *Manager, p *Package, env map[string]string, memoryMB int, out LineSink) *Process {
	t.Helper()
	pr, err := m.Start(p, env, memoryMB, out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pr.Kill)
	if err := pr.WaitInit(context.Background()); err != nil {
		t.Fatal(err)
	}
	return pr
}

func invocation(id, payload string) Invocation {
	return Invocation{RequestID: id, FunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:gofn",
		Deadline: time.Now().Add(time.Hour), Payload: []byte(payload)}
}

// alive reports whether pid is a process that has not exited (a zombie
// waiting for its parent counts as gone).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

// eventually polls cond on /proc-like state until it holds, for at most a
// minute; the bound only catches a hang, it is not a timing assertion.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still not true after a minute: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// processesWith lists the live processes whose environment contains kv.
func processesWith(kv string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil {
			continue
		}
		if slices.Contains(strings.Split(string(b), "\x00"), kv) && alive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// settledGoroutines waits until the goroutine count is back to at most n.
func settledGoroutines(t *testing.T, n int) {
	t.Helper()
	eventually(t, fmt.Sprintf("goroutines back to %d", n), func() bool { return runtime.NumGoroutine() <= n })
}
