package lambda

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

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

// initLimit bounds an init phase in real time: Lambda gives init 10 s.
const initLimit = 10 * time.Second

// result is the outcome of one attempt.
type result struct {
	requestID      string
	status         string
	duration       time.Duration
	err            *FunctionError
	output         []byte
	endEnvironment string // why the environment must go ("" to keep it warm)
}

// attempt runs one invocation of ev in env: the init phase if env is new,
// then START, the function, END and REPORT. Every attempt of an event
// carries the event's request id, as Lambda's retries do.
func (s *Service) attempt(cfg Config, env *environment, cold bool, ev *event, st *task) result {
	reqID := ev.id
	s.denials.forget(ev.trace) // a retry's trace is its event's
	lg := s.newInvocationLog(cfg.Name, env, reqID, ev.tail)
	defer lg.close()
	var initDur time.Duration
	if cold {
		t0 := s.exec.Now()
		ctx, cancel := context.WithTimeout(context.Background(), max(initLimit, cfg.Timeout))
		err := env.code.Init(ctx, lg)
		cancel()
		initDur = s.exec.Now().Sub(t0)
		if err != nil {
			env.code.Stop()
			return s.initFailed(cfg, env, ev, lg, initDur, err)
		}
	}
	s.bus.Publish(bus.InvocationStarted{Header: s.stamp(), Function: cfg.Name,
		RequestID: reqID, EventID: ev.id, Attempt: ev.attempts, Environment: env.stream, Cold: cold, Chain: ev.chain, Depth: ev.depth})
	lg.platform(StartLine(reqID))
	res, usedMB := s.invoke(cfg, env, ev, lg, st)
	if pe, ok := env.code.(*processEnv); ok && s.virtual {
		// A process's measured memory varies from run to run; a replay
		// shows the runtime's baseline so that it stays byte-identical.
		usedMB = pe.baselineMB()
	}
	switch {
	case res.status == StatusTimeout:
		lg.platform(TimeoutLine(s.display.Now(), reqID, cfg.Timeout))
	case res.status == StatusOOM:
		lg.platform(res.err.Message)
		usedMB = cfg.Memory
	case res.err != nil && !res.errLogged:
		lg.platform(errorJSON(*res.err))
	}
	lg.platform(EndLine(reqID))
	lg.platform(Report{RequestID: reqID, Duration: res.duration, MemorySize: cfg.Memory,
		MaxMemoryUsed: min(max(usedMB, 1), cfg.Memory), InitDuration: initDur, Cold: cold}.Line())
	return res.result
}

// invoked is an attempt's result and whether the runtime logged its error.
type invoked struct {
	result
	errLogged bool
}

// invoke hands the event to the environment and waits for its answer or
// the deadline. The context's deadline and the timeout timer are the same
// instant, and the deadline wins: an attempt that ends at or after it is a
// timeout, whatever the function answered as its context expired.
func (s *Service) invoke(cfg Config, env *environment, ev *event, lg *invocationLog, st *task) (invoked, int) {
	start := s.exec.Now()
	deadline := start.Add(cfg.Timeout)
	ctx, cancel := s.deadlineContext(deadline)
	defer cancel()
	// The timeout exists before the function runs, so a handler that
	// sleeps at once cannot let a virtual clock skip past it.
	timer, timedOut := st.timer(cfg.Timeout)
	defer timer.Stop()
	type answer struct {
		Response
		at time.Time
	}
	done := make(chan answer, 1)
	inv := Invocation{RequestID: ev.id, FunctionARN: s.ARN(cfg.Name), Trace: ev.trace, Deadline: deadline,
		Payload: ev.payload, Log: lg, Sleep: st.sleep}
	if s.virtual {
		// A process keeps the wall clock's time: a deadline on the lab's
		// virtual clock would be long past (or far ahead) for it.
		inv.Deadline = time.Now().Add(cfg.Timeout)
	}
	go func() {
		r := env.code.Invoke(ctx, inv)
		done <- answer{r, s.exec.Now()}
	}()
	var a answer
	timedOutAt := time.Time{}
	select {
	case a = <-done:
	case <-timedOut:
		st.begin()
		timedOutAt = s.exec.Now()
	}
	if timedOutAt.IsZero() && a.at.Before(deadline) {
		return s.answered(env, ev.id, a.Response, a.at.Sub(start)), a.MemoryMB
	}
	if timedOutAt.IsZero() {
		timedOutAt = a.at
	}
	env.code.Stop()
	cancel()
	res := invoked{result: result{requestID: ev.id, status: StatusTimeout, endEnvironment: "timed out",
		duration: timedOutAt.Sub(start),
		err: &FunctionError{Type: ErrorTypeTimeout,
			Message: fmt.Sprintf("RequestId: %s Error: %s", ev.id, TimeoutMessage(cfg.Timeout))}}}
	return res, a.MemoryMB
}

// answered classifies what an environment answered before its deadline.
func (s *Service) answered(env *environment, reqID string, r Response, d time.Duration) invoked {
	res := invoked{result: result{requestID: reqID, status: StatusOK, duration: d}, errLogged: r.ErrLogged}
	switch {
	case r.OutOfMemory:
		env.code.Stop()
		res.status, res.endEnvironment = StatusOOM, "out of memory"
		res.err = &FunctionError{Type: ErrorTypeExit,
			Message: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", reqID, orKilled(r.Exit))}
	case r.Exit != "" && r.Err != nil:
		env.code.Stop()
		res.status, res.err, res.endEnvironment = StatusCrash, r.Err, "crash ("+r.Exit+")"
	case r.Exit != "":
		env.code.Stop()
		res.status, res.endEnvironment = StatusCrash, "runtime exited ("+r.Exit+")"
		res.err = &FunctionError{Type: ErrorTypeExit,
			Message: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", reqID, r.Exit)}
	case r.Err != nil:
		res.status, res.err = StatusError, r.Err
	case r.Output == nil && r.MemoryMB == 0:
		// The environment was stopped under the invocation (shutdown).
		res.status, res.endEnvironment = StatusCrash, "stopped"
		res.err = &FunctionError{Type: ErrorTypeExit, Message: fmt.Sprintf("RequestId: %s Error: environment stopped", reqID)}
	default:
		res.output = r.Output
	}
	return res
}

func orKilled(exit string) string {
	if exit == "" {
		return "signal: killed"
	}
	return exit
}

// initFailed reports an environment whose init phase failed, on the
// invocation that found it: what the runtime said, INIT_REPORT, then START,
// the error, END and REPORT with the Init Duration.
func (s *Service) initFailed(cfg Config, env *environment, ev *event, lg *invocationLog, initDur time.Duration, err error) result {
	reqID := ev.id
	doc := FunctionError{Type: ErrorTypeExit, Message: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: exit status 1", reqID)}
	var ie *InitError
	if errors.As(err, &ie) {
		switch {
		case ie.Doc != nil:
			doc = *ie.Doc
		case ie.Exit != "":
			doc.Message = fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", reqID, ie.Exit)
		}
		if ie.Message != "" {
			lg.platform(ie.Message)
		}
	} else {
		lg.platform(err.Error())
	}
	lg.platform(fmt.Sprintf("INIT_REPORT Init Duration: %s\tPhase: init\tStatus: error\tError Type: %s", ms(initDur), doc.Type))
	s.bus.Publish(bus.InvocationStarted{Header: s.stamp(), Function: cfg.Name,
		RequestID: reqID, EventID: ev.id, Attempt: ev.attempts, Environment: env.stream, Cold: true, Chain: ev.chain, Depth: ev.depth})
	lg.platform(StartLine(reqID))
	res := result{requestID: reqID, status: StatusInit, endEnvironment: "init failed", err: &doc}
	lg.platform(errorJSON(doc))
	lg.platform(EndLine(reqID))
	used := runtimeBaselineMB
	if pe, ok := env.code.(*processEnv); ok {
		used = pe.baselineMB()
	}
	lg.platform(Report{RequestID: reqID, MemorySize: cfg.Memory, MaxMemoryUsed: used, InitDuration: initDur, Cold: true}.Line())
	return res
}

// publishEnd reports an attempt's end. finish calls it once the attempt's
// concurrency is given back, so that whoever reacts to the end finds the
// function free again.
func (s *Service) publishEnd(function string, ev *event, res result) {
	end := bus.InvocationEnded{Header: s.stamp(), Function: function, RequestID: res.requestID,
		EventID: ev.id, Attempt: ev.attempts, Status: res.status, Duration: res.duration, Result: res.output}
	if res.err != nil {
		end.Error = errorJSON(*res.err)
		end.ErrorType, end.ErrorMessage = res.err.Type, res.err.Message
		end.Denied = s.denials.take(ev.trace)
	} else {
		s.denials.forget(ev.trace)
	}
	s.bus.Publish(end)
}

// environ is the environment an execution environment's process would see:
// the function's variables and the ones Lambda sets.
func (s *Service) environ(fn *Function, env *environment) map[string]string {
	cfg := fn.cfg
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
	if _, proc := fn.runtime.(*processRuntime); proc && s.variables != nil {
		// A process talks to the lab over HTTP, with its role's keys.
		for k, v := range s.variables(cfg.Name) {
			vars[k] = v
		}
	}
	for k, v := range cfg.Environment {
		vars[k] = v
	}
	return vars
}

// deadlineContext is the context an invocation runs under: it ends at the
// deadline, on the wall clock by itself, on a virtual clock when the
// attempt's timer cancels it.
func (s *Service) deadlineContext(deadline time.Time) (context.Context, context.CancelFunc) {
	if s.virtual {
		ctx, cancel := context.WithCancel(context.Background())
		return deadlineContext{Context: ctx, deadline: deadline}, cancel
	}
	return context.WithDeadline(context.Background(), deadline)
}

// deadlineContext reports a virtual deadline; the attempt cancels it when
// the virtual timeout fires.
type deadlineContext struct {
	context.Context
	deadline time.Time
}

func (d deadlineContext) Deadline() (time.Time, bool) { return d.deadline, true }
