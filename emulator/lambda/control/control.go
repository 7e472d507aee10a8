// Package control is the control plane of the lab's Lambda: the registry of
// functions and of everything configured on them (code, layers, resource
// policy, asynchronous invocation, recursion, reserved concurrency), and the
// one way functions are created, changed and deleted. It keeps what the
// Lambda API returns (FunctionConfiguration, RevisionId, states) and drives
// the execution service (package lambda) underneath: a function exists
// there once its code is prepared, and every change reaches it.
//
// Preparing code (unzipping, building, merging layers) runs in the
// background, as on Lambda: a new function is Pending and an update
// InProgress until it is done, then Active and Successful (or Failed with
// the reason). Requests that Lambda refuses are refused with AWS's error
// type and message, and change nothing.
package control

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime"
)

// Spec is what Deps.Runtime turns into something the execution service
// runs: a function's code, runtime, handler, role and layers.
type Spec struct {
	Function string
	Runtime  string
	Handler  string
	Role     string
	// Code is the code on this machine: a zip under Deps.CodeDir, or a
	// live folder (hot reload, a lab file's code). "" when Builtin.
	Code    string
	Builtin bool
	// Layers are the resolved layer versions, in order (Zip is each one's
	// content; StandInFor marks a stand-in for a public layer).
	Layers []layers.Version
}

// RuntimeSpec is the spec in the runtime package's terms (layers as their
// zips), for lambda.Processes.
func (s Spec) RuntimeSpec() runtime.Spec {
	out := runtime.Spec{Function: s.Function, Runtime: s.Runtime, Handler: s.Handler, Code: s.Code}
	for _, l := range s.Layers {
		out.Layers = append(out.Layers, l.Zip)
	}
	return out
}

// Deps is what the lab supplies.
type Deps struct {
	// Runtime turns a function's code into what the service runs (it may
	// take long: a Go build). Required.
	Runtime func(Spec) (lambda.Runtime, error)
	// CheckRole says whether Lambda may assume the role (it exists and
	// trusts lambda.amazonaws.com); nil accepts every role.
	CheckRole func(roleARN string) error
	// FetchObject reads code from S3 as the function's caller would. An
	// error with an S3 code (smithy.APIError) is reported as Lambda
	// reports it. Nil refuses S3 code.
	FetchObject func(ctx context.Context, bucket, key, version string) ([]byte, error)
	// BucketExists, if set, checks an S3 on-failure destination.
	BucketExists func(bucket string) bool
	// Layers is the layer registry. Required for layer operations.
	Layers *layers.Registry
	// CodeDir keeps deployment packages: CodeDir/NAME/<sha256>.zip.
	CodeDir string
	// Clock stamps LastModified (default: the wall clock).
	Clock clock.Clock
	// IDs makes RevisionIds (default: random).
	IDs *ids.Source
	// Region and Account name ARNs (default us-east-1, 000000000000).
	Region, Account string
	// CodeLocation, if set, is GetFunction's Code.Location for a
	// function's package; by default a presigned-looking S3 URL.
	CodeLocation func(function, codeSha256 string) string
	// OnChange hears every change, after it is made (not under a lock):
	// for bus events and persistence. Background preparations report from
	// their own goroutines, so it must be safe for concurrent use.
	OnChange func(Change)
}

// Change is one change the control plane made.
type Change struct {
	Time     time.Time
	Op       string // the API operation, or FunctionActive, FunctionFailed, UpdateSuccessful, UpdateFailed
	Function string // "" for layer operations
	Layer    string // the layer version ARN, for layer operations
	// Err is the reason of a FunctionFailed or UpdateFailed.
	Err string
}

// Background outcomes reported through OnChange.
const (
	OpFunctionActive   = "FunctionActive"
	OpFunctionFailed   = "FunctionFailed"
	OpUpdateSuccessful = "UpdateSuccessful"
	OpUpdateFailed     = "UpdateFailed"
)

// Option configures a Control.
type Option func(*Control)

// WithInlinePreparation prepares code before a request returns instead of
// in the background: the answer still says Pending (or InProgress), but
// the function is Active by the time the caller sees it. Replays on a
// virtual clock use it, so that no goroutine races the transcript.
func WithInlinePreparation() Option { return func(c *Control) { c.inline = true } }

// Control is the Lambda control plane.
type Control struct {
	svc    *lambda.Service
	deps   Deps
	inline bool

	mu        sync.Mutex
	functions map[string]*function
	closed    bool
	wg        sync.WaitGroup
}

// New returns the control plane over svc. Close waits for background work.
func New(svc *lambda.Service, deps Deps, opts ...Option) *Control {
	if deps.Clock == nil {
		deps.Clock = clock.Wall{}
	}
	if deps.IDs == nil {
		deps.IDs = ids.NewRandom()
	}
	if deps.Region == "" {
		deps.Region = "us-east-1"
	}
	if deps.Account == "" {
		deps.Account = "000000000000"
	}
	c := &Control{svc: svc, deps: deps, functions: map[string]*function{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Close waits for code being prepared; later preparations are refused.
func (c *Control) Close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
}

// Service is the execution service the control plane drives.
func (c *Control) Service() *lambda.Service { return c.svc }

// Region is the lab's region.
func (c *Control) Region() string { return c.deps.Region }

// Account is the lab's account.
func (c *Control) Account() string { return c.deps.Account }

// FunctionARN is the unqualified ARN of a function of this lab.
func (c *Control) FunctionARN(name string) string {
	return arn.Function{Partition: "aws", Region: c.deps.Region, Account: c.deps.Account, Name: name}.String()
}

func (c *Control) qualifiedARN(name, qualifier string) string {
	return arn.Function{Partition: "aws", Region: c.deps.Region, Account: c.deps.Account, Name: name, Qualifier: qualifier}.String()
}

// now is LastModified's time, in Lambda's format.
func (c *Control) now() (time.Time, string) {
	t := c.deps.Clock.Now().UTC()
	return t, t.Format(lastModifiedLayout)
}

// lastModifiedLayout is Lambda's LastModified: 2026-11-29T21:08:21.000+0000.
const lastModifiedLayout = "2006-01-02T15:04:05.000-0700"

// notify reports changes to OnChange; the caller holds no lock.
func (c *Control) notify(ch ...Change) {
	if c.deps.OnChange == nil {
		return
	}
	for _, x := range ch {
		if x.Time.IsZero() {
			x.Time = c.deps.Clock.Now()
		}
		c.deps.OnChange(x)
	}
}

// Names lists the functions, sorted.
func (c *Control) Names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sortedNames()
}

func (c *Control) sortedNames() []string {
	out := make([]string, 0, len(c.functions))
	for n := range c.functions {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// WaitReady blocks until the function's code is prepared (it is no longer
// Pending or InProgress), or ctx ends. A function that does not exist is
// ResourceNotFoundException.
func (c *Control) WaitReady(ctx context.Context, name string) error {
	c.mu.Lock()
	f, ok := c.functions[name]
	var done chan struct{}
	if ok {
		done = f.done
	}
	c.mu.Unlock()
	if !ok {
		return functionNotFound(c.FunctionARN(name))
	}
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ref is a function named in a request: its name and qualifier.
type ref struct {
	Name, Qualifier string
}

// parseName reads the FunctionName of a request: a name, NAME:QUALIFIER,
// a partial ARN (ACCOUNT:function:NAME) or an ARN, and the Qualifier
// parameter, which must agree with the one the name carries.
func (c *Control) parseName(s, qualifier string) (ref, *Error) {
	r, err := c.splitName(s)
	if err != nil {
		return ref{}, err
	}
	if qualifier != "" {
		if r.Qualifier != "" && r.Qualifier != qualifier {
			return ref{}, invalid("The derived qualifier from the function name does not match the specified qualifier.")
		}
		r.Qualifier = qualifier
	}
	if len(r.Name) > 64 || !validName(r.Name) {
		return ref{}, errorf(ErrValidation, "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", s)
	}
	return r, nil
}

func (c *Control) splitName(s string) (ref, *Error) {
	if s == "" {
		return ref{}, errorf(ErrValidation, "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null")
	}
	if strings.HasPrefix(s, "arn:") {
		f, err := arn.ParseFunction(s)
		if err != nil {
			return ref{}, errorf(ErrValidation, "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))? (%v)", s, err)
		}
		if f.Region != c.deps.Region {
			return ref{}, errorf(ErrResourceNotFound, "Functions from '%s' are not reachable in this region ('%s')", f.Region, c.deps.Region)
		}
		if f.Account != c.deps.Account {
			return ref{}, functionNotFound(s)
		}
		return ref{Name: f.Name, Qualifier: f.Qualifier}, nil
	}
	parts := strings.Split(s, ":")
	switch {
	case len(parts) >= 3 && parts[1] == "function": // ACCOUNT:function:NAME[:QUALIFIER]
		if parts[0] != c.deps.Account {
			return ref{}, functionNotFound(s)
		}
		r := ref{Name: parts[2]}
		if len(parts) == 4 {
			r.Qualifier = parts[3]
		}
		return r, nil
	case len(parts) == 2:
		return ref{Name: parts[0], Qualifier: parts[1]}, nil
	}
	return ref{Name: s}, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// lookup finds the function a request names; only $LATEST exists
// (lambdalab publishes no versions). The caller holds c.mu.
func (c *Control) lookup(r ref) (*function, *Error) {
	f, ok := c.functions[r.Name]
	if !ok {
		if r.Qualifier != "" {
			return nil, functionNotFound(c.qualifiedARN(r.Name, r.Qualifier))
		}
		return nil, functionNotFound(c.FunctionARN(r.Name))
	}
	if r.Qualifier != "" && r.Qualifier != arn.Latest {
		return nil, functionNotFound(c.qualifiedARN(r.Name, r.Qualifier))
	}
	return f, nil
}

// find parses a name and looks it up, under c.mu.
func (c *Control) find(name, qualifier string) (*function, *Error) {
	r, err := c.parseName(name, qualifier)
	if err != nil {
		return nil, err
	}
	return c.lookup(r)
}

func (c *Control) revision() string { return c.deps.IDs.UUID() }

// errUnknown wraps an unexpected error for the API.
func errUnknown(what string, err error) *Error {
	return &Error{Type: ErrService, Message: fmt.Sprintf("%s: %v", what, err)}
}
