package runtime

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
)

// Manager prepares function code and runs execution environments as
// processes. Everything it writes lives under its cache directory: the Go
// build cache (kept between runs) and one scratch folder per Manager (task
// roots, merged layers), removed by Close. Close also kills every process.
type Manager struct {
	cacheDir string
	goTool   string
	python   *Python

	setupOnce sync.Once
	setupErr  error
	runDir    string   // this Manager's scratch folder
	lock      *os.File // held while runDir is in use; stale ones are swept

	prepMu  sync.Mutex        // one Prepare at a time: they share folders
	pyDirs  map[string]string // interpreter path → its prepared runtime dir
	mu      sync.Mutex
	procs   map[*Process]struct{}
	reaper  *reaper
	closed  bool
	emptyMu sync.Mutex
}

// Python is how a Manager reaches the Python runtime client (package
// runtime/python): find an interpreter, prepare its runtime dir, and build
// the argv that starts the client.
type Python struct {
	Find    func(runtime string) (Interpreter, error)
	Prepare func(cacheDir string, in Interpreter) (runtimeDir string, err error)
	Command func(in Interpreter, runtimeDir, optDir string) []string
}

// Interpreter is a Python on this machine; it has the shape of
// python.Interpreter so one converts to the other.
type Interpreter struct{ Path, Version, Notice string }

// Option configures a Manager.
type Option func(*Manager)

// WithCacheDir puts the Manager's files under dir instead of the user's
// cache directory (os.UserCacheDir()/lambdalab).
func WithCacheDir(dir string) Option { return func(m *Manager) { m.cacheDir = dir } }

// WithGo names the go command that builds provided.* Go packages (default:
// "go" on the host's PATH).
func WithGo(path string) Option { return func(m *Manager) { m.goTool = path } }

// WithPython lets the Manager run the Python runtimes.
func WithPython(p Python) Option { return func(m *Manager) { m.python = &p } }

// NewManager returns a Manager; it touches the disk on first use.
func NewManager(opts ...Option) *Manager {
	m := &Manager{procs: map[*Process]struct{}{}, pyDirs: map[string]string{}}
	for _, o := range opts {
		o(m)
	}
	if m.cacheDir == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			m.cacheDir = filepath.Join(dir, "lambdalab")
		} else {
			m.cacheDir = filepath.Join(os.TempDir(), "lambdalab-cache")
		}
	}
	return m
}

// setup makes the cache and this Manager's scratch folder, and sweeps the
// scratch folders of Managers that died without closing.
func (m *Manager) setup() error {
	m.setupOnce.Do(func() {
		runs := filepath.Join(m.cacheDir, "run")
		if err := os.MkdirAll(runs, 0o755); err != nil {
			m.setupErr = err
			return
		}
		sweepRuns(runs)
		closeInheritedOnExec()
		dir, err := os.MkdirTemp(runs, "run-")
		if err != nil {
			m.setupErr = err
			return
		}
		lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
		if err == nil {
			err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		}
		if err != nil {
			m.setupErr = fmt.Errorf("lock %s: %w", dir, err)
			return
		}
		m.runDir, m.lock = dir, lock
	})
	return m.setupErr
}

// closeInheritedOnExec marks the descriptors lambdalab inherited without
// close-on-exec (a shell's or a test harness's pipes) so that function
// processes do not inherit them too; Go opens its own files close-on-exec.
func closeInheritedOnExec() {
	entries, _ := os.ReadDir("/proc/self/fd")
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}

// sweepRuns removes scratch folders whose Manager is gone: its lock is free.
func sweepRuns(runs string) {
	entries, _ := os.ReadDir(runs)
	for _, e := range entries {
		dir := filepath.Join(runs, e.Name())
		f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR, 0)
		if err != nil {
			continue // being created right now, or not ours
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.RemoveAll(dir)
		}
		f.Close()
	}
}

// emptyDir is a folder with nothing in it, for a missing task root, /opt or
// runtime dir.
func (m *Manager) emptyDir(name string) (string, error) {
	m.emptyMu.Lock()
	defer m.emptyMu.Unlock()
	dir := filepath.Join(m.runDir, name)
	return dir, os.MkdirAll(dir, 0o755)
}

// goCommand finds the go command for builds.
func (m *Manager) goCommand() (string, error) {
	name := m.goTool
	if name == "" {
		name = "go"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("a provided.* function's Go package is built with the machine's Go toolchain, and %q was not found: %w", name, err)
	}
	return p, nil
}

// track registers a process about to start so Close can kill it, and
// returns the reaper that will know its group.
func (m *Manager) track(p *Process) (*reaper, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errClosed
	}
	if m.reaper == nil {
		r, err := startReaper()
		if err != nil {
			return nil, err
		}
		m.reaper = r
	}
	m.procs[p] = struct{}{}
	return m.reaper, nil
}

func (m *Manager) untrack(p *Process) {
	m.mu.Lock()
	delete(m.procs, p)
	m.mu.Unlock()
}

var errClosed = errors.New("runtime manager closed")

// Close kills every process the Manager started, stops its reaper and
// removes its scratch folder. The build cache stays.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	procs := make([]*Process, 0, len(m.procs))
	for p := range m.procs {
		procs = append(procs, p)
	}
	m.mu.Unlock()
	for _, p := range procs {
		p.Kill()
	}
	m.mu.Lock()
	r := m.reaper
	m.reaper = nil
	m.mu.Unlock()
	if r != nil {
		r.close()
	}
	m.prepMu.Lock()
	defer m.prepMu.Unlock()
	if m.runDir != "" {
		os.RemoveAll(m.runDir)
		m.lock.Close()
		m.runDir = ""
	}
}
