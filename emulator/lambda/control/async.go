package control

import (
	"strings"

	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/lambda"
)

// PutFunctionEventInvokeConfig sets the function's asynchronous-invocation
// configuration, replacing the one before (members left out take their
// defaults); UpdateFunctionEventInvokeConfig (merge) changes only the
// members given. lambdalab delivers on-failure records to S3 buckets only.
func (c *Control) PutFunctionEventInvokeConfig(in EventInvokeConfigInput, merge bool) (FunctionEventInvokeConfig, error) {
	if in.MaximumRetryAttempts == nil && in.MaximumEventAgeInSeconds == nil && in.DestinationConfig == nil {
		return FunctionEventInvokeConfig{}, invalid("You must specify at least one of error handling or destination setting.")
	}
	if err := c.checkDestinations(in); err != nil {
		return FunctionEventInvokeConfig{}, err
	}
	c.mu.Lock()
	f, err := c.invokeConfigTarget(in.FunctionName, in.Qualifier)
	if err != nil {
		c.mu.Unlock()
		return FunctionEventInvokeConfig{}, err
	}
	next := FunctionEventInvokeConfig{FunctionArn: c.qualifiedARN(f.conf.FunctionName, arn.Latest)}
	if merge {
		if f.invoke == nil {
			c.mu.Unlock()
			return FunctionEventInvokeConfig{}, noInvokeConfig(next.FunctionArn)
		}
		next = *f.invoke
	}
	if in.MaximumRetryAttempts != nil {
		next.MaximumRetryAttempts = in.MaximumRetryAttempts
	}
	if in.MaximumEventAgeInSeconds != nil {
		next.MaximumEventAgeInSeconds = in.MaximumEventAgeInSeconds
	}
	if d := in.DestinationConfig; d != nil {
		if d.OnFailure != nil {
			next.DestinationConfig.OnFailure = d.OnFailure
		}
		if d.OnSuccess != nil {
			next.DestinationConfig.OnSuccess = d.OnSuccess
		}
	}
	t, _ := c.now()
	next.LastModified = float64(t.UnixMilli()) / 1000
	trial := *f
	trial.invoke = &next
	if verr := trial.serviceConfig().Validate(c.svc.AccountConcurrency()); verr != nil {
		c.mu.Unlock()
		return FunctionEventInvokeConfig{}, AsError(verr)
	}
	if err := c.reconfigure(f, func(f *function) { f.invoke = &next }); err != nil {
		c.mu.Unlock()
		return FunctionEventInvokeConfig{}, err
	}
	out := next.view()
	c.mu.Unlock()
	c.notify(Change{Op: map[bool]string{false: "PutFunctionEventInvokeConfig", true: "UpdateFunctionEventInvokeConfig"}[merge], Function: f.conf.FunctionName})
	return out, nil
}

// view fills the destinations Lambda always returns, possibly empty.
func (ic FunctionEventInvokeConfig) view() FunctionEventInvokeConfig {
	out := ic
	if out.DestinationConfig.OnFailure == nil {
		out.DestinationConfig.OnFailure = &Destination{}
	}
	if out.DestinationConfig.OnSuccess == nil {
		out.DestinationConfig.OnSuccess = &Destination{}
	}
	return out
}

// checkDestinations accepts an S3 bucket ARN as the on-failure destination:
// the one kind of destination lambdalab can deliver to.
func (c *Control) checkDestinations(in EventInvokeConfigInput) *Error {
	d := in.DestinationConfig
	if d == nil {
		return nil
	}
	if d.OnSuccess != nil && d.OnSuccess.Destination != "" {
		return invalid("lambdalab delivers asynchronous-invocation records only on failure, to an S3 bucket (arn:aws:s3:::BUCKET); it has no on-success destination %s.", d.OnSuccess.Destination)
	}
	if d.OnFailure == nil || d.OnFailure.Destination == "" {
		return nil
	}
	dest := d.OnFailure.Destination
	a, err := arn.Parse(dest)
	if err != nil {
		return errorf(ErrValidation, "1 validation error detected: Value '%s' at 'destinationConfig.onFailure.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: ^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)", dest)
	}
	switch a.Service {
	case "s3":
		b, err := arn.ParseS3(dest)
		if err != nil || b.IsObject() || (c.deps.BucketExists != nil && !c.deps.BucketExists(b.Bucket)) {
			// *unverified* for S3: the wording Lambda uses for a Lambda destination that does not exist.
			return invalid("The destination ARN %s is invalid.", dest)
		}
		return nil
	case "sqs", "sns", "lambda", "events":
		return invalid("lambdalab delivers on-failure records only to S3 buckets (arn:aws:s3:::BUCKET), not to %s destinations such as %s.", strings.ToUpper(a.Service), dest)
	}
	return invalid("The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=%s)) is invalid.", dest)
}

// invokeConfigTarget finds the function an event-invoke-config request
// names, with Lambda's wording for one that does not exist. The caller
// holds c.mu.
func (c *Control) invokeConfigTarget(name, qualifier string) (*function, *Error) {
	r, err := c.parseName(name, qualifier)
	if err != nil {
		return nil, err
	}
	f, ok := c.functions[r.Name]
	if !ok || (r.Qualifier != "" && r.Qualifier != arn.Latest) {
		return nil, errorf(ErrResourceNotFound, "The function doesn't exist.")
	}
	return f, nil
}

func noInvokeConfig(qualifiedARN string) *Error {
	return errorf(ErrResourceNotFound, "The function %s doesn't have an EventInvokeConfig", qualifiedARN)
}

// GetFunctionEventInvokeConfig returns the function's configuration for
// asynchronous invocation.
func (c *Control) GetFunctionEventInvokeConfig(name, qualifier string) (FunctionEventInvokeConfig, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, r, err := c.invokeConfigOf(name, qualifier)
	if err != nil {
		return FunctionEventInvokeConfig{}, err
	}
	if f == nil || f.invoke == nil {
		return FunctionEventInvokeConfig{}, noInvokeConfig(c.qualifiedARN(r.Name, qualifierOr(r.Qualifier)))
	}
	return f.invoke.view(), nil
}

// invokeConfigOf finds the function of a Get or Delete request (nil when it
// does not exist: Lambda then says the config does not exist).
func (c *Control) invokeConfigOf(name, qualifier string) (*function, ref, *Error) {
	r, err := c.parseName(name, qualifier)
	if err != nil {
		return nil, r, err
	}
	f, ok := c.functions[r.Name]
	if !ok || (r.Qualifier != "" && r.Qualifier != arn.Latest) {
		return nil, r, nil
	}
	return f, r, nil
}

func qualifierOr(q string) string {
	if q == "" {
		return arn.Latest
	}
	return q
}

// DeleteFunctionEventInvokeConfig removes the configuration: the defaults
// (two retries, six hours, no destination) apply again.
func (c *Control) DeleteFunctionEventInvokeConfig(name, qualifier string) error {
	c.mu.Lock()
	f, r, err := c.invokeConfigOf(name, qualifier)
	if err == nil && (f == nil || f.invoke == nil) {
		err = noInvokeConfig(c.qualifiedARN(r.Name, qualifierOr(r.Qualifier)))
	}
	if err == nil {
		err = c.reconfigure(f, func(f *function) { f.invoke = nil })
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.notify(Change{Op: "DeleteFunctionEventInvokeConfig", Function: r.Name})
	return nil
}

// reconfigure changes a setting the execution service holds and passes
// it on at once (a function still Pending gets it when it is added). The
// caller holds c.mu.
func (c *Control) reconfigure(f *function, change func(*function)) *Error {
	trial := *f
	change(&trial)
	if f.inService {
		if err := c.svc.UpdateFunction(trial.serviceConfig()); err != nil {
			return AsError(err)
		}
	}
	change(f)
	return nil
}

// PutFunctionRecursionConfig sets what Lambda does with a recursive loop
// of the function: Terminate (the default) or Allow.
func (c *Control) PutFunctionRecursionConfig(name, loop string) (RecursionConfig, error) {
	if loop != lambda.RecursiveLoopAllow && loop != lambda.RecursiveLoopTerminate {
		return RecursionConfig{}, errorf(ErrValidation, "1 validation error detected: Value '%s' at 'recursiveLoop' failed to satisfy constraint: Member must satisfy enum value set: [Terminate, Allow]", loop)
	}
	c.mu.Lock()
	f, err := c.unqualified(name)
	if err == nil {
		err = c.reconfigure(f, func(f *function) { f.recursion = loop })
	}
	c.mu.Unlock()
	if err != nil {
		return RecursionConfig{}, err
	}
	c.notify(Change{Op: "PutFunctionRecursionConfig", Function: f.conf.FunctionName})
	return RecursionConfig{RecursiveLoop: loop}, nil
}

// GetFunctionRecursionConfig returns the function's recursive-loop setting.
func (c *Control) GetFunctionRecursionConfig(name string) (RecursionConfig, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.unqualified(name)
	if err != nil {
		return RecursionConfig{}, err
	}
	return RecursionConfig{RecursiveLoop: f.recursion}, nil
}

// unqualified finds the function of an operation that takes no version or
// alias. The caller holds c.mu.
func (c *Control) unqualified(name string) (*function, *Error) {
	r, err := c.parseName(name, "")
	if err != nil {
		return nil, err
	}
	if r.Qualifier != "" {
		return nil, invalid("This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.")
	}
	f, ok := c.functions[r.Name]
	if !ok {
		return nil, functionNotFound(c.FunctionARN(r.Name))
	}
	return f, nil
}

// PutFunctionConcurrency reserves concurrency for the function: at most
// n environments at once, and n kept from the others.
func (c *Control) PutFunctionConcurrency(name string, n *int) (Concurrency, error) {
	if n == nil {
		return Concurrency{}, errorf(ErrValidation, "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null")
	}
	if *n < 0 {
		return Concurrency{}, errorf(ErrValidation, "1 validation error detected: Value '%d' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0", *n)
	}
	v := *n
	c.mu.Lock()
	f, err := c.unqualified(name)
	if err != nil && err.Type == ErrResourceNotFound {
		// Lambda names $LATEST here.
		if r, perr := c.parseName(name, ""); perr == nil {
			err = functionNotFound(c.qualifiedARN(r.Name, arn.Latest))
		}
	}
	if err == nil {
		err = c.checkReservation(f.conf.FunctionName, &v)
	}
	if err == nil {
		err = c.reconfigure(f, func(f *function) { f.reserved = &v })
	}
	c.mu.Unlock()
	if err != nil {
		return Concurrency{}, err
	}
	c.notify(Change{Op: "PutFunctionConcurrency", Function: f.conf.FunctionName})
	return Concurrency{ReservedConcurrentExecutions: &v}, nil
}

// GetFunctionConcurrency returns the function's reservation ({} for none).
func (c *Control) GetFunctionConcurrency(name string) (Concurrency, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.unqualified(name)
	if err != nil {
		return Concurrency{}, err
	}
	if f.reserved == nil {
		return Concurrency{}, nil
	}
	v := *f.reserved
	return Concurrency{ReservedConcurrentExecutions: &v}, nil
}

// DeleteFunctionConcurrency removes the reservation: the function shares
// the account's unreserved pool again.
func (c *Control) DeleteFunctionConcurrency(name string) error {
	c.mu.Lock()
	f, err := c.unqualified(name)
	if err == nil {
		err = c.reconfigure(f, func(f *function) { f.reserved = nil })
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.notify(Change{Op: "DeleteFunctionConcurrency", Function: f.conf.FunctionName})
	return nil
}

// GetAccountSettings returns the lab account's limits and usage.
func (c *Control) GetAccountSettings() AccountSettings {
	c.mu.Lock()
	defer c.mu.Unlock()
	limit := c.svc.AccountConcurrency()
	out := AccountSettings{
		AccountLimit: AccountLimit{TotalCodeSize: TotalCodeSize, CodeSizeUnzipped: 262144000, CodeSizeZipped: MaxZippedBytes,
			ConcurrentExecutions: limit, UnreservedConcurrentExecutions: limit},
		AccountUsage: AccountUsage{FunctionCount: len(c.functions)},
	}
	for _, f := range c.functions {
		out.AccountUsage.TotalCodeSize += f.conf.CodeSize
		if f.reserved != nil {
			out.AccountLimit.UnreservedConcurrentExecutions -= *f.reserved
		}
	}
	if c.deps.Layers != nil {
		for _, l := range c.deps.Layers.Latest() {
			for _, v := range c.deps.Layers.Versions(l.Name) {
				out.AccountUsage.TotalCodeSize += v.CodeSize
			}
		}
	}
	return out
}
