package runtime

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// Process is one execution environment: the runtime process (and whatever
// it starts, in its process group) and the Runtime API it talks to. It runs
// one invocation at a time. Kill every Process you Start (Close does it for
// those left).
type Process struct {
	m       *Manager
	cmd     *exec.Cmd
	pgid    int
	api     *api
	out     *output
	mem     *memory
	spawned time.Time

	live       chan struct{} // Start has finished setting the Process up
	exited     chan struct{} // the leader exited (still unreaped)
	exitStatus string

	reaper   *reaper
	busy     sync.Mutex // held by the running Invoke
	initOnce sync.Once
	killOnce sync.Once
}

// Invocation is one event for the runtime, with what `next` tells it.
type Invocation struct {
	RequestID       string
	FunctionARN     string
	Trace           string // Lambda-Runtime-Trace-Id
	Deadline        time.Time
	Payload         []byte
	ClientContext   string // JSON, as Lambda-Runtime-Client-Context carries it
	CognitoIdentity string // JSON, as Lambda-Runtime-Cognito-Identity carries it
}

// Result is how an invocation ended. Exactly one of these holds: Err is set
// (the runtime posted an error, or the response was too large; Payload is
// then the error document as posted), Exit is set (the process ended:
// "exit status 3", "signal: killed"; OutOfMemory tells a kill for memory),
// Abandoned is set (ctx ended first: the environment is in an unknown state
// and must be killed), or Payload is the response.
type Result struct {
	Payload     []byte
	Err         *FunctionError
	Exit        string
	OutOfMemory bool
	Abandoned   error
}

// Start spawns an execution environment for p: the bootstrap (or Python's
// runtime client) in its own process group, dying with lambdalab, with
// Lambda's environment — fn's variables plus the process-level ones — and
// nothing from the host's. memoryMB is the function's Memory Size; out
// receives the process's output lines. A bootstrap that cannot be found or
// executed is a *FunctionError of type Runtime.InvalidEntrypoint.
func (m *Manager) Start(p *Package, fn map[string]string, memoryMB int, out LineSink) (*Process, error) {
	argv, err := m.argv(p)
	if err != nil {
		return nil, err
	}
	pr := &Process{m: m, live: make(chan struct{}), exited: make(chan struct{})}
	if pr.api, err = newAPI(pr); err != nil {
		return nil, err
	}
	if pr.out, err = newOutput(out); err != nil {
		pr.api.close()
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = p.environ(fn, pr.api.addr)
	cmd.Dir = p.taskRoot
	cmd.Stdout, cmd.Stderr = pr.out.w, pr.out.w
	// The parent-death signal fires when the forking thread ends; Go keeps
	// its threads for the life of the process, and the reaper covers the
	// rest of the group and the case where it does not.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if pr.reaper, err = m.track(pr); err != nil {
		pr.api.close()
		pr.out.close()
		return nil, err
	}
	pr.spawned = time.Now()
	if err := cmd.Start(); err != nil {
		m.untrack(pr)
		pr.api.close()
		pr.out.close()
		return nil, p.entrypointError(argv[0], err)
	}
	pr.cmd, pr.pgid = cmd, cmd.Process.Pid
	pr.reaper.add(pr.pgid)
	pr.mem = newMemory(pr.pgid, memoryMB, pr.killGroup)
	pr.mem.begin() // the init phase, until the first next
	close(pr.live)
	go pr.watch()
	return pr, nil
}

// argv is the command that starts p's runtime.
func (m *Manager) argv(p *Package) ([]string, error) {
	switch {
	case p.spec.Command != nil:
		return p.spec.Command, nil
	case IsPython(p.spec.Runtime):
		if m.python == nil {
			return nil, fmt.Errorf("function %s: no Python runtime client", p.spec.Function)
		}
		argv := m.python.Command(p.interp, p.runtimeDir, p.optDir)
		if len(argv) == 0 {
			return nil, errors.New("the Python runtime client gave no command")
		}
		return argv, nil
	}
	for _, b := range []string{filepath.Join(p.taskRoot, "bootstrap"), filepath.Join(p.optDir, "bootstrap")} {
		if _, err := os.Stat(b); err == nil {
			return []string{b}, nil
		}
	}
	return nil, &FunctionError{Type: ErrorTypeInvalidEntrypoint,
		Message: "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"}
}

// entrypointError words a failed exec as Lambda does, with the paths Lambda
// would show.
func (p *Package) entrypointError(name string, err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return &FunctionError{Type: ErrorTypeInvalidEntrypoint, Message: err.Error()}
	}
	shown := name
	if rel, rerr := filepath.Rel(p.taskRoot, name); rerr == nil && filepath.IsLocal(rel) {
		shown = "/var/task/" + rel
	} else if rel, rerr := filepath.Rel(p.optDir, name); rerr == nil && filepath.IsLocal(rel) {
		shown = "/opt/" + rel
	}
	return &FunctionError{Type: ErrorTypeInvalidEntrypoint, Message: fmt.Sprintf("%s %s: %v", pe.Op, shown, pe.Err)}
}

// watch waits for the leader to exit without reaping it: the zombie keeps
// the process group's id reserved until Kill has killed the group.
func (pr *Process) watch() {
	pr.exitStatus = waitExit(pr.pgid)
	pr.endInit()
	close(pr.exited)
}

// endInit ends the init phase's memory sampling, whichever way it ended.
func (pr *Process) endInit() { pr.initOnce.Do(pr.mem.end) }

// waitExit blocks until pid exits and returns its status in os/exec's
// words, leaving it unreaped (WNOWAIT).
func waitExit(pid int) string {
	var info [128]byte // siginfo_t
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, 1 /* P_PID */, uintptr(pid),
			uintptr(unsafe.Pointer(&info)), syscall.WEXITED|0x01000000 /* WNOWAIT */, 0, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return "exit status unknown: " + errno.Error()
		}
		break
	}
	code := int32(binary.NativeEndian.Uint32(info[8:]))    // si_code
	status := int32(binary.NativeEndian.Uint32(info[24:])) // si_status
	switch code {
	case 1: // CLD_EXITED
		return fmt.Sprintf("exit status %d", status)
	case 3: // CLD_DUMPED
		return "signal: " + syscall.Signal(status).String() + " (core dumped)"
	default: // CLD_KILLED
		return "signal: " + syscall.Signal(status).String()
	}
}

// killGroup SIGKILLs the environment's process group. It is safe until Kill
// reaps the leader, which it does only after the last killGroup.
func (pr *Process) killGroup() { syscall.Kill(-pr.pgid, syscall.SIGKILL) }

// WaitInit returns when the runtime makes its first `next` (nil), posts
// /runtime/init/error (a *FunctionError with what it posted), or exits (an
// *ExitError), or when ctx ends (ctx's error; Kill the Process then).
func (pr *Process) WaitInit(ctx context.Context) error {
	select {
	case <-pr.api.ready:
	case <-pr.api.failed:
	case <-pr.exited:
	case <-ctx.Done():
	}
	if fe := pr.api.initFailure(); fe != nil {
		return fe
	}
	select {
	case <-pr.api.ready:
		return nil
	default:
	}
	select {
	case <-pr.exited:
		pr.out.drain()
		return &ExitError{Status: pr.exitStatus, OutOfMemory: pr.mem.outOfMemory()}
	default:
	}
	return ctx.Err()
}

// SpawnedAt is when the process was started; ReadyAt is when it first
// asked for an invocation (zero until then): Init Duration is between them.
func (pr *Process) SpawnedAt() time.Time { return pr.spawned }

// ReadyAt is when the runtime first called next (zero until it has).
func (pr *Process) ReadyAt() time.Time { return pr.api.readyTime() }

// RuntimeAPI is the host:port of the environment's Runtime API.
func (pr *Process) RuntimeAPI() string { return pr.api.addr }

// PeakMemoryMB is Max Memory Used: the process tree's peak resident memory
// since it started, at most the Memory Size.
func (pr *Process) PeakMemoryMB() int { return pr.mem.peakMB() }

// Invoke hands inv to the runtime's waiting `next` and returns when the
// runtime posts a response or an error, when the process exits, or when ctx
// ends. Lines the process wrote before posting reach the LineSink before
// Invoke returns.
func (pr *Process) Invoke(ctx context.Context, inv Invocation) Result {
	if !pr.busy.TryLock() {
		return Result{Err: &FunctionError{Type: ErrorTypeUnknown, Message: "the execution environment is already running an invocation"}}
	}
	defer pr.busy.Unlock()
	pr.mem.begin()
	defer pr.mem.end()
	c := &call{inv: inv, done: make(chan Result, 1)}
	select {
	case pr.api.pending <- c:
	case <-pr.exited:
		return pr.exitResult()
	case <-pr.api.failed:
		return Result{Err: pr.api.initFailure()}
	case <-ctx.Done():
		return Result{Abandoned: ctx.Err()}
	}
	select {
	case r := <-c.done:
		if pr.mem.sample(false); pr.mem.outOfMemory() {
			<-pr.exited
			return pr.exitResult()
		}
		return r
	case <-pr.exited:
		select {
		case r := <-c.done:
			return r
		default:
			return pr.exitResult()
		}
	case <-ctx.Done():
		return Result{Abandoned: ctx.Err()}
	}
}

func (pr *Process) exitResult() Result {
	pr.out.drain()
	return Result{Exit: pr.exitStatus, OutOfMemory: pr.mem.outOfMemory()}
}

// Kill SIGKILLs the environment's process group and waits until the leader
// is reaped, the Runtime API is closed and the output is delivered: no Line
// call happens after Kill returns. Kill is idempotent.
func (pr *Process) Kill() {
	pr.killOnce.Do(func() {
		pr.killGroup()
		<-pr.exited
		pr.mem.close()
		pr.reaper.del(pr.pgid)
		pr.cmd.Wait()
		pr.api.close()
		pr.out.close()
		pr.m.untrack(pr)
	})
}

// Exited is closed when the process has ended by itself or been killed.
func (pr *Process) Exited() <-chan struct{} { return pr.exited }

// Sync returns once every line the process wrote before the call has
// reached the sink: a request the function sends (to S3, say) is then
// logged after the lines it printed before sending it, however the pipe
// and the socket race.
func (pr *Process) Sync() { pr.out.drain() }
