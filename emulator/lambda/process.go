package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"

	"github.com/lambdalab/lambdalab/emulator/lambda/runtime"
)

// pythonBaselineMB is what REPORT shows as Max Memory Used for a Python
// environment in a replay, where the measured value (which varies from run
// to run) would break the transcript's determinism.
const pythonBaselineMB = 40

// Processes runs a function's own code the way Lambda does: one process per
// execution environment, behind the Runtime API (package runtime). The code
// is prepared now, so that a lab refuses code it cannot run at once; when
// the files change on disk, new environments get the new code and warm ones
// with the old code are retired. notice, if not nil, hears what the user
// should know once (a Python version other than the one asked for).
func Processes(m *runtime.Manager, spec runtime.Spec, notice func(string)) (Runtime, error) {
	pkg, err := m.Prepare(spec)
	if err != nil {
		return nil, err
	}
	if n := pkg.Notice(); n != "" && notice != nil {
		notice(n)
	}
	return &processRuntime{m: m, pkg: pkg, python: runtime.IsPython(spec.Runtime)}, nil
}

type processRuntime struct {
	m      *runtime.Manager
	python bool

	mu  sync.Mutex
	pkg *runtime.Package
}

func (r *processRuntime) NewEnvironment(vars map[string]string) Environment {
	return &processEnv{r: r, vars: vars, sink: &switchSink{w: io.Discard}}
}

// current is the package new environments run, prepared again (a Go
// package rebuilt) when the code moved on. It runs in an init phase, not
// under the service's lock.
func (r *processRuntime) current() (*runtime.Package, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pkg.Changed() {
		p, err := r.m.Prepare(r.pkg.Spec())
		if err != nil {
			return nil, err
		}
		r.pkg = p
	}
	return r.pkg, nil
}

// processEnv is one environment: a runtime process.
type processEnv struct {
	r    *processRuntime
	pkg  *runtime.Package // set by Init
	vars map[string]string
	sink *switchSink

	mu sync.Mutex
	pr *runtime.Process
}

func (e *processEnv) Init(ctx context.Context, log io.Writer) error {
	pkg, err := e.r.current()
	if err != nil {
		return &InitError{Message: err.Error(), Exit: "exit status 1"}
	}
	e.pkg = pkg
	e.sink.set(log)
	pr, err := e.r.m.Start(e.pkg, e.vars, memoryOf(e.vars), e.sink)
	if err != nil {
		return initError(err)
	}
	e.mu.Lock()
	e.pr = pr
	e.mu.Unlock()
	if err := pr.WaitInit(ctx); err != nil {
		return initError(err)
	}
	return nil
}

// initError says how a runtime's init failed: the error it posted, or how
// it exited.
func initError(err error) error {
	var fe *runtime.FunctionError
	var ee *runtime.ExitError
	switch {
	case errors.As(err, &fe):
		doc := FunctionError{Message: fe.Message, Type: fe.Type, StackTrace: fe.StackTrace}
		return &InitError{Doc: &doc}
	case errors.As(err, &ee):
		return &InitError{Exit: ee.Status}
	case errors.Is(err, context.DeadlineExceeded):
		return &InitError{Message: "the init phase did not finish in time", Exit: "signal: killed"}
	}
	return &InitError{Message: err.Error(), Exit: "exit status 1"}
}

func (e *processEnv) Invoke(ctx context.Context, inv Invocation) Response {
	e.sink.set(inv.Log)
	defer e.sink.set(io.Discard)
	res := e.pr.Invoke(ctx, runtime.Invocation{RequestID: inv.RequestID, FunctionARN: inv.FunctionARN,
		Trace: inv.Trace, Deadline: inv.Deadline, Payload: inv.Payload})
	r := Response{MemoryMB: e.pr.PeakMemoryMB()}
	switch {
	case res.Abandoned != nil:
		return Response{}
	case res.Err != nil:
		doc := FunctionError{Message: res.Err.Message, Type: res.Err.Type, StackTrace: res.Err.StackTrace}
		// The document as the runtime posted it (Python adds requestId).
		_ = json.Unmarshal(res.Payload, &doc)
		r.Err, r.ErrLogged = &doc, e.r.python
	case res.Exit != "":
		r.Exit, r.OutOfMemory = res.Exit, res.OutOfMemory
	default:
		r.Output = res.Payload
	}
	return r
}

func (e *processEnv) Stop() {
	e.mu.Lock()
	pr := e.pr
	e.mu.Unlock()
	if pr != nil {
		pr.Kill()
	}
}

// stale reports whether the environment runs code older than the files on
// disk: Lambda would have deployed the new code to new environments.
func (e *processEnv) stale() bool {
	e.r.mu.Lock()
	defer e.r.mu.Unlock()
	return e.pkg != e.r.pkg || e.r.pkg.Changed()
}

// sync delivers the lines the process wrote so far.
func (e *processEnv) sync() {
	e.mu.Lock()
	pr := e.pr
	e.mu.Unlock()
	if pr != nil {
		pr.Sync()
	}
}

// baselineMB is Max Memory Used in a replay.
func (e *processEnv) baselineMB() int {
	if e.r.python {
		return pythonBaselineMB
	}
	return runtimeBaselineMB
}

// switchSink sends a process's lines to the invocation running now.
type switchSink struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *switchSink) set(w io.Writer) {
	s.mu.Lock()
	s.w = w
	s.mu.Unlock()
}

func (s *switchSink) Line(line string) {
	s.mu.Lock()
	w := s.w
	s.mu.Unlock()
	io.WriteString(w, line+"\n")
}
