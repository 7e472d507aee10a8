package control

import (
	"maps"
	"time"

	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
)

// Function states and update statuses, as Lambda names them.
const (
	StatePending      = "Pending"
	StateActive       = "Active"
	StateFailed       = "Failed"
	UpdateInProgress  = "InProgress"
	UpdateSuccessful  = "Successful"
	UpdateFailed      = "Failed"
	reasonCreating    = "Creating"
	reasonBeingMade   = "The function is being created."
	reasonCodeFailure = "InvalidConfiguration"
)

// Code kinds: where a function's code lives on this machine.
const (
	codeZip     = "zip"     // a deployment package stored under CodeDir
	codeFolder  = "folder"  // a live folder or file (hot reload, a lab file's code)
	codeBuiltin = "builtin" // one of lambdalab's built-in handlers
)

// StoredCode is where a function's code is kept on this machine: Kind
// zip (a package under Deps.CodeDir), folder (a live folder or file) or
// builtin (no files).
type StoredCode struct {
	Kind string `json:"kind"`
	Path string `json:"path,omitempty"`
}

// function is one function's record.
type function struct {
	conf      FunctionConfiguration
	code      StoredCode
	layers    []layers.Version
	policy    []Statement
	invoke    *FunctionEventInvokeConfig
	recursion string
	reserved  *int
	// inService is set once the execution service has the function.
	inService bool
	// done is open while code is being prepared (Pending or InProgress)
	// and closed when that ends; nil when nothing is being prepared.
	done chan struct{}
}

// busy refuses a change while the function's code is being prepared, as
// Lambda refuses one while a function is Pending or an update InProgress.
func (c *Control) busy(f *function) *Error {
	switch {
	case f.conf.State == StatePending:
		return inState(StatePending)
	case f.conf.LastUpdateStatus == UpdateInProgress:
		return updateInProgress(f.conf.FunctionArn)
	}
	return nil
}

// spec is what Deps.Runtime gets for the function.
func (f *function) spec() Spec {
	s := Spec{Function: f.conf.FunctionName, Runtime: f.conf.Runtime, Handler: f.conf.Handler, Role: f.conf.Role,
		Builtin: f.code.Kind == codeBuiltin, Layers: append([]layers.Version(nil), f.layers...)}
	if !s.Builtin {
		s.Code = f.code.Path
	}
	return s
}

// serviceConfig is the function's configuration in the execution
// service's terms.
func (f *function) serviceConfig() lambda.Config {
	cfg := lambda.Config{
		Name:                f.conf.FunctionName,
		Runtime:             f.conf.Runtime,
		Handler:             f.conf.Handler,
		Memory:              f.conf.MemorySize,
		Timeout:             time.Duration(f.conf.Timeout) * time.Second,
		ReservedConcurrency: f.reserved,
		RecursiveLoop:       f.recursion,
	}
	if f.conf.Environment != nil {
		cfg.Environment = maps.Clone(f.conf.Environment.Variables)
	}
	if ic := f.invoke; ic != nil {
		cfg.MaximumRetryAttempts = ic.MaximumRetryAttempts
		if ic.MaximumEventAgeInSeconds != nil {
			cfg.MaximumEventAge = time.Duration(*ic.MaximumEventAgeInSeconds) * time.Second
		}
		if d := ic.DestinationConfig.OnFailure; d != nil && d.Destination != "" {
			if b, err := arn.ParseS3(d.Destination); err == nil {
				cfg.OnFailure = b.Bucket
			}
		}
	}
	return cfg.WithDefaults()
}

// view is the configuration as returned: a copy the caller may keep.
func (f *function) view() FunctionConfiguration {
	out := f.conf
	if f.conf.Environment != nil {
		out.Environment = &EnvironmentResponse{Variables: maps.Clone(f.conf.Environment.Variables)}
	}
	out.Layers = append([]Layer(nil), f.conf.Layers...)
	out.Architectures = append([]string(nil), f.conf.Architectures...)
	return out
}

// begin marks the function busy (Pending or InProgress) and returns its
// preparation: making its Runtime when rebuild is set (Deps.Runtime may
// take long: a Go build) and handing it, with the function's
// configuration, to the execution service. The caller holds c.mu, and
// starts the returned func once it has let go of the lock and reported its
// own change: in the background, or at once with WithInlinePreparation.
func (c *Control) begin(f *function, rebuild bool) (start func()) {
	f.done = make(chan struct{})
	spec, done := f.spec(), f.done
	rebuild = rebuild || !f.inService // a Failed function has no Runtime yet
	c.wg.Add(1)
	work := func() {
		defer c.wg.Done()
		var rt lambda.Runtime
		var err error
		if rebuild {
			rt, err = c.deps.Runtime(spec)
		}
		c.notify(c.finish(f, done, rt, err))
	}
	return func() {
		if c.inline {
			work()
			return
		}
		go work()
	}
}

// finish records how a preparation ended and applies it to the service.
func (c *Control) finish(f *function, done chan struct{}, rt lambda.Runtime, err error) Change {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer close(done)
	f.done = nil
	name := f.conf.FunctionName
	if c.functions[name] != f || c.closed {
		return Change{Op: OpFunctionFailed, Function: name, Err: "the function was deleted while its code was prepared"}
	}
	if err == nil {
		err = c.apply(f, rt)
	}
	creating := f.conf.State == StatePending
	f.conf.RevisionId = c.revision()
	f.conf.StateReason, f.conf.StateReasonCode = "", ""
	f.conf.LastUpdateStatusReason, f.conf.LastUpdateStatusReasonCode = "", ""
	switch {
	case creating && err != nil:
		f.conf.State, f.conf.StateReason, f.conf.StateReasonCode = StateFailed, AsError(err).Message, reasonCodeFailure
		f.conf.LastUpdateStatus = UpdateFailed
		return Change{Op: OpFunctionFailed, Function: name, Err: AsError(err).Message}
	case creating:
		f.conf.State, f.conf.LastUpdateStatus = StateActive, UpdateSuccessful
		return Change{Op: OpFunctionActive, Function: name}
	case err != nil: // the function runs on as it was
		f.conf.LastUpdateStatus = UpdateFailed
		f.conf.LastUpdateStatusReason, f.conf.LastUpdateStatusReasonCode = AsError(err).Message, reasonCodeFailure
		return Change{Op: OpUpdateFailed, Function: name, Err: AsError(err).Message}
	}
	f.conf.State, f.conf.LastUpdateStatus = StateActive, UpdateSuccessful // a Failed function may come back
	c.pruneCode(f)
	return Change{Op: OpUpdateSuccessful, Function: name}
}

// apply hands the function to the execution service: added on create,
// otherwise its Runtime (if rebuilt) and configuration replaced. The
// caller holds c.mu.
func (c *Control) apply(f *function, rt lambda.Runtime) error {
	cfg := f.serviceConfig()
	if !f.inService {
		if err := c.svc.AddFunction(cfg, rt); err != nil {
			return err
		}
		f.inService = true
		return nil
	}
	if rt != nil {
		if err := c.svc.SetRuntime(cfg.Name, rt); err != nil {
			return err
		}
	}
	return c.svc.UpdateFunction(cfg)
}
