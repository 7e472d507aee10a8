package lambda

import (
	"context"
	"fmt"
	"io"
	"log"
	"sync"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdalab/lambdalab/handler/sandbox"
)

// Runtime makes a function's execution environments. The service owns
// everything around an environment (queues, the timeout timer, logs,
// START/END/REPORT, retries); a Runtime only knows how to run code: a
// built-in handler in-process (InProcess), or a process behind the Runtime
// API.
type Runtime interface {
	// NewEnvironment returns a new environment whose init phase has not
	// run yet. vars are the variables Lambda sets for the function and the
	// function's own.
	NewEnvironment(vars map[string]string) Environment
}

// Environment is one execution environment of a function.
type Environment interface {
	// Init runs the init phase; its lines go to log. An error ends the
	// environment: a *FunctionError says what the runtime reported.
	Init(ctx context.Context, log io.Writer) error
	// Invoke runs one invocation. It returns when the function answers,
	// fails or dies, or when ctx ends (the service then stops the
	// environment).
	Invoke(ctx context.Context, inv Invocation) Response
	// Stop ends the environment at once: a timeout, an out-of-memory kill,
	// an idle reclaim or shutdown. It may be called more than once.
	Stop()
}

// Invocation is what an environment gets for one attempt.
type Invocation struct {
	RequestID   string
	FunctionARN string
	Trace       string
	Deadline    time.Time
	Payload     []byte
	// Log receives the function's own lines for this invocation.
	Log io.Writer
	// Sleep waits on the lab's execution clock (built-in handlers only).
	Sleep sandbox.Sleeper
}

// Response is how an invocation ended, as the environment saw it.
type Response struct {
	Output []byte
	// Err is the function's error document (a returned error or a panic).
	Err *FunctionError
	// Exit is set when the environment died during the invocation:
	// "exit status 1", "signal: killed", or "panic" for a built-in handler.
	Exit string
	// OutOfMemory is set when the environment was ended for using more
	// than its memory size.
	OutOfMemory bool
	// MemoryMB is the invocation's Max Memory Used (0: unknown).
	MemoryMB int
	// ErrLogged is set when the runtime logged the error itself (Python's
	// "[ERROR] KeyError: ..."), so Lambda does not log its document again.
	ErrLogged bool
}

// InitError is an init phase that failed: Lambda reports it on the
// invocation that found it, with the runtime's error type.
type InitError struct {
	// Doc is the error the runtime posted to /runtime/init/error (nil when
	// it just exited).
	Doc *FunctionError
	// Exit is how the runtime ended ("exit status 1"), if it did.
	Exit string
	// Message is a line Lambda logs for it (a built-in constructor's error).
	Message string
}

func (e *InitError) Error() string {
	switch {
	case e.Doc != nil:
		return e.Doc.Type + ": " + e.Doc.Message
	case e.Message != "":
		return e.Message
	}
	return "Runtime exited with error: " + e.Exit
}

// Constructor is a built-in handler's init phase: it builds the handler
// from the environment's variables.
type Constructor func(getenv func(string) string) (awslambda.Handler, error)

// InProcess runs built-in handlers inside the lab's process: an
// environment is a handler instance, its init phase the constructor. Go
// cannot stop a goroutine, so Stop cancels the handler's context and
// abandons it; memory is estimated by the service's meter.
func InProcess(c Constructor) Runtime { return inProcess{c} }

type inProcess struct{ construct Constructor }

func (r inProcess) NewEnvironment(vars map[string]string) Environment {
	return &inProcessEnv{construct: r.construct, vars: vars, stopped: make(chan struct{})}
}

type inProcessEnv struct {
	construct Constructor
	vars      map[string]string
	handler   awslambda.Handler
	meter     *memoryMeter // set by the service: in-process handlers share its heap
	stopped   chan struct{}
	stop      sync.Once
}

func (e *inProcessEnv) Init(ctx context.Context, _ io.Writer) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &InitError{Message: fmt.Sprintf("panic during init: %v", p), Exit: "exit status 2"}
		}
	}()
	h, err := e.construct(func(k string) string { return e.vars[k] })
	if err != nil {
		return &InitError{Message: err.Error(), Exit: "exit status 1"}
	}
	e.handler = h
	return nil
}

type outcome struct {
	out []byte
	err error
	pan *FunctionError
}

func (e *inProcessEnv) Invoke(ctx context.Context, inv Invocation) Response {
	hctx := lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       inv.RequestID,
		InvokedFunctionArn: inv.FunctionARN,
	})
	//lint:ignore SA1029 aws-lambda-go keys the trace id with this plain string
	hctx = context.WithValue(hctx, TraceContextKey, inv.Trace)
	hctx = sandbox.WithLogger(hctx, log.New(inv.Log, "", 0))
	if inv.Sleep != nil {
		hctx = sandbox.WithSleeper(hctx, inv.Sleep)
	}
	watch := e.meter.watch(memoryOf(e.vars))
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				pe := panicError(p, 3)
				done <- outcome{pan: &pe}
			}
		}()
		out, err := e.handler.Invoke(hctx, inv.Payload)
		done <- outcome{out: out, err: err}
	}()
	var r Response
	select {
	case o := <-done:
		switch {
		case o.pan != nil:
			r.Err, r.Exit = o.pan, "panic"
		case o.err != nil:
			fe := handlerError(o.err)
			r.Err = &fe
		default:
			r.Output = o.out
		}
	case <-watch.oom:
		r.OutOfMemory, r.Exit = true, "signal: killed"
	case <-ctx.Done():
	case <-e.stopped:
	}
	r.MemoryMB = watch.done()
	return r
}

func (e *inProcessEnv) Stop() { e.stop.Do(func() { close(e.stopped) }) }

// memoryOf reads the memory size Lambda set for the environment.
func memoryOf(vars map[string]string) int {
	var mb int
	fmt.Sscan(vars["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], &mb)
	return mb
}
