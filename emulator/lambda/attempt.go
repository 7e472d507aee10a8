package lambda

import (
	"context"
	"fmt"
	"log"
	"strconv"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/handler/sandbox"
)

// handlerInstance is what an environment's init phase built.
type handlerInstance = awslambda.Handler

// Status of an attempt, as the lab reports it.
const (
	StatusOK      = "ok"
	StatusError   = "error"
	StatusTimeout = "timeout"
	StatusCrash   = "crash"
	StatusOOM     = "out-of-memory"
	StatusInit    = "init-error"
)

// TraceContextKey is the context key under which aws-lambda-go's invoke loop
// stores the invocation's X-Amzn-Trace-Id. It is a plain string there, so
// it is a plain string here.
const TraceContextKey = "x-amzn-trace-id"

// runtimeBaselineMB is the memory a Go function's environment uses before
// the handler allocates anything: what a trivial provided.al2023 Go function
// reports as Max Memory Used. The lab adds the heap an invocation grows.
const runtimeBaselineMB = 20

// result is the outcome of one attempt.
type result struct {
	requestID      string
	status         string
	duration       time.Duration
	err            *FunctionError
	output         []byte
	endEnvironment string // why the environment must go ("" to keep it warm)
}

type outcome struct {
	out []byte
	err error
	pan *FunctionError
}

// attempt runs one invocation of ev in env: the init phase if env is new,
// then START, the handler, END and REPORT.
func (s *Service) attempt(cfg Config, rt Runtime, env *environment, cold bool, ev *event, reqID string, st *task) result {
	lg := s.newInvocationLog(cfg.Name, env, reqID)
	defer lg.close()
	var initDur time.Duration
	if cold {
		t0 := s.exec.Now()
		h, err := runInit(rt, s.environ(cfg, env))
		initDur = s.exec.Now().Sub(t0)
		if err != nil {
			return s.initFailed(cfg, env, ev, lg, reqID, initDur, err)
		}
		env.handler = h
	}
	s.bus.Publish(bus.InvocationStarted{Header: bus.Header{Time: s.clock.Now()}, Function: cfg.Name,
		RequestID: reqID, EventID: ev.id, Attempt: ev.attempts, Environment: env.stream, Cold: cold, Chain: ev.chain, Depth: ev.depth})
	lg.platform(StartLine(reqID))

	ctx, cancel := s.invocationContext(cfg, reqID, ev.trace, lg.logger(), st)
	defer cancel()
	done := make(chan outcome, 1)
	watch := s.memory.watch(cfg.Memory)
	start := s.exec.Now()
	// The timeout exists before the handler runs, so a handler that sleeps at
	// once cannot let a virtual clock skip past it.
	timer, timedOut := st.timer(cfg.Timeout)
	defer timer.Stop()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				pe := panicError(p, 3)
				done <- outcome{pan: &pe}
			}
		}()
		out, err := env.handler.Invoke(ctx, ev.payload)
		done <- outcome{out: out, err: err}
	}()
	res := result{requestID: reqID, status: StatusOK}
	select {
	case o := <-done:
		switch {
		case o.pan != nil:
			res.status, res.err, res.endEnvironment = StatusCrash, o.pan, "crash (panic)"
		case o.err != nil:
			fe := handlerError(o.err)
			res.status, res.err = StatusError, &fe
		default:
			res.output = o.out
		}
	case <-timedOut:
		st.begin()
		res.status, res.endEnvironment = StatusTimeout, "timed out"
		res.err = &FunctionError{Type: ErrorTypeTimeout,
			Message: fmt.Sprintf("RequestId: %s Error: %s", reqID, TimeoutMessage(cfg.Timeout))}
	case <-watch.oom:
		res.status, res.endEnvironment = StatusOOM, "out of memory"
		res.err = &FunctionError{Type: ErrorTypeOutOfMemory,
			Message: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: signal: killed", reqID)}
	}
	res.duration = s.exec.Now().Sub(start)
	cancel()
	usedMB := watch.done()
	switch res.status {
	case StatusTimeout:
		lg.platform(TimeoutLine(s.clock.Now(), reqID, cfg.Timeout))
	case StatusOOM:
		lg.platform(res.err.Message)
		usedMB = cfg.Memory
	case StatusError, StatusCrash:
		lg.platform(errorJSON(*res.err))
	}
	lg.platform(EndLine(reqID))
	lg.platform(Report{RequestID: reqID, Duration: res.duration, MemorySize: cfg.Memory,
		MaxMemoryUsed: min(usedMB, cfg.Memory), InitDuration: initDur, Cold: cold}.Line())
	return res
}

// initFailed reports an environment whose init phase failed: the runtime
// exits before it can take the event, as a Go main that fails before
// lambda.Start does.
func (s *Service) initFailed(cfg Config, env *environment, ev *event, lg *invocationLog, reqID string, initDur time.Duration, err error) result {
	lg.platform(err.Error())
	lg.platform(fmt.Sprintf("INIT_REPORT Init Duration: %s\tPhase: init\tStatus: error\tError Type: %s", ms(initDur), ErrorTypeExit))
	s.bus.Publish(bus.InvocationStarted{Header: bus.Header{Time: s.clock.Now()}, Function: cfg.Name,
		RequestID: reqID, EventID: ev.id, Attempt: ev.attempts, Environment: env.stream, Cold: true, Chain: ev.chain, Depth: ev.depth})
	lg.platform(StartLine(reqID))
	res := result{requestID: reqID, status: StatusInit, endEnvironment: "init failed",
		err: &FunctionError{Type: ErrorTypeExit, Message: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: exit status 1", reqID)}}
	lg.platform(errorJSON(*res.err))
	lg.platform(EndLine(reqID))
	lg.platform(Report{RequestID: reqID, MemorySize: cfg.Memory, MaxMemoryUsed: runtimeBaselineMB, InitDuration: initDur, Cold: true}.Line())
	return res
}

// publishEnd reports an attempt's end. finish calls it once the attempt's
// concurrency is given back, so that whoever reacts to the end finds the
// function free again.
func (s *Service) publishEnd(function string, ev *event, res result) {
	end := bus.InvocationEnded{Header: bus.Header{Time: s.clock.Now()}, Function: function, RequestID: res.requestID,
		EventID: ev.id, Attempt: ev.attempts, Status: res.status, Duration: res.duration, Result: res.output}
	if res.err != nil {
		end.Error = errorJSON(*res.err)
	}
	s.bus.Publish(end)
}

// runInit builds the handler; a panicking constructor is an init failure.
func runInit(rt Runtime, getenv func(string) string) (h awslambda.Handler, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic during init: %v", p)
		}
	}()
	return rt(getenv)
}

// environ is the environment an execution environment's process would see:
// the function's variables and the ones Lambda sets.
func (s *Service) environ(cfg Config, env *environment) func(string) string {
	vars := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        cfg.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(cfg.Memory),
		"AWS_LAMBDA_LOG_GROUP_NAME":       LogGroupName(cfg.Name),
		"AWS_LAMBDA_LOG_STREAM_NAME":      env.stream,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      s.region,
		"AWS_DEFAULT_REGION":              s.region,
		"_HANDLER":                        cfg.Handler,
	}
	for k, v := range cfg.Environment {
		vars[k] = v
	}
	return func(k string) string { return vars[k] }
}

// invocationContext is the context a handler receives: lambdacontext, the
// trace header, the invocation's logger and clock, and the deadline.
func (s *Service) invocationContext(cfg Config, reqID, trace string, logger *log.Logger, st *task) (context.Context, context.CancelFunc) {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID:       reqID,
		InvokedFunctionArn: s.ARN(cfg.Name),
	})
	//lint:ignore SA1029 aws-lambda-go keys the trace id with this plain string
	ctx = context.WithValue(ctx, TraceContextKey, trace)
	ctx = sandbox.WithLogger(ctx, logger)
	ctx = sandbox.WithSleeper(ctx, st.sleep)
	deadline := s.exec.Now().Add(cfg.Timeout)
	if s.virtual {
		ctx, cancel := context.WithCancel(ctx)
		return deadlineContext{Context: ctx, deadline: deadline}, cancel
	}
	return context.WithDeadline(ctx, deadline)
}

// deadlineContext reports a virtual deadline; the attempt cancels it when
// the virtual timeout fires.
type deadlineContext struct {
	context.Context
	deadline time.Time
}

func (d deadlineContext) Deadline() (time.Time, bool) { return d.deadline, true }
