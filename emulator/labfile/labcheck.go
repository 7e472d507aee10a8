package labfile

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lambdalab/lambdalab/emulator/labs"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime"
	"github.com/lambdalab/lambdalab/emulator/notify"
	"github.com/lambdalab/lambdalab/emulator/s3"
	"github.com/lambdalab/lambdalab/handler/builtin"
)

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)

// check applies the rules S3 and Lambda would apply to the lab's resources,
// so a bad lab file fails at load time with the position of the mistake.
func (f *File) check() error {
	if f.Region == "" {
		f.Region = DefaultRegion
	} else if !regionPattern.MatchString(f.Region) {
		return f.at("$.region", "region %q is not an AWS region name (like us-east-1)", f.Region)
	}
	if f.AccountConcurrency == 0 {
		f.AccountConcurrency = lambda.DefaultAccountConcurrency
	} else if f.AccountConcurrency < 1 || f.AccountConcurrency > 1000 {
		return f.at("$.accountConcurrency", "accountConcurrency %d: want 1 to 1000", f.AccountConcurrency)
	}
	if c := f.RecursionCeiling; c != nil {
		if c.Invocations < 0 || c.Invocations > 100000 {
			return f.at("$.recursionCeiling.invocations", "recursionCeiling.invocations %d: want 1 to 100000", c.Invocations)
		}
		if c.Duration < 0 {
			return f.at("$.recursionCeiling.duration", "recursionCeiling.duration must be positive")
		}
	}
	var errs []error
	buckets := map[string]bool{}
	for i, b := range f.Buckets {
		p := fmt.Sprintf("$.buckets[%d].name", i)
		if err := s3.ValidateBucketName(b.Name); err != nil {
			errs = append(errs, f.at(p, "%v (S3 answers InvalidBucketName)", err))
		} else if buckets[b.Name] {
			errs = append(errs, f.at(p, "bucket %q is listed twice", b.Name))
		}
		buckets[b.Name] = true
	}
	functions := map[string]bool{}
	roles := map[string]string{}
	for i, fn := range f.Functions {
		errs = append(errs, f.checkFunction(i, fn, buckets, functions)...)
		functions[fn.Name] = true
		if err := f.checkRole(i, roles); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		errs = append(errs, f.checkTriggers(buckets, functions)...)
	}
	return errors.Join(errs...)
}

func (f *File) checkFunction(i int, fn FunctionSpec, buckets, seen map[string]bool) []error {
	p := fmt.Sprintf("$.functions[%d]", i)
	var errs []error
	if seen[fn.Name] {
		errs = append(errs, f.at(p+".name", "function %q is listed twice", fn.Name))
	}
	if fn.Runtime != "" || fn.Code != "" || len(fn.Layers) > 0 {
		errs = append(errs, f.checkCode(p, fn)...)
	} else if fn.Handler == "" {
		errs = append(errs, f.at(p, "function %q has no handler: pick one of %s, or give runtime, handler and code for your own", fn.Name, strings.Join(builtin.Names(), ", ")))
	} else if _, ok := builtin.Lookup(fn.Handler); !ok {
		errs = append(errs, f.at(p+".handler", "unknown handler %q: the built-in handlers are %s (or give runtime and code for your own)", fn.Handler, strings.Join(builtin.Names(), ", ")))
	}
	if err := fn.lambdaConfig().WithDefaults().Validate(f.AccountConcurrency); err != nil {
		errs = append(errs, f.at(p+"."+fieldOf(err), "function %q: %v", fn.Name, err))
	}
	if fn.OnFailure != "" && !buckets[fn.OnFailure] {
		errs = append(errs, f.at(p+".onFailure", "onFailure bucket %q is not a bucket of this lab", fn.OnFailure))
	}
	return errs
}

// fieldOf guesses the lab-file field a Lambda parameter error is about, to
// point at it.
func fieldOf(err error) string {
	msg := err.Error()
	for _, m := range [][2]string{
		{"memorySize", "memory"}, {"timeout", "timeout"}, {"maximumRetryAttempts", "maximumRetryAttempts"},
		{"maximumEventAge", "maximumEventAge"}, {"ReservedConcurrent", "reservedConcurrency"},
		{"reservedConcurrent", "reservedConcurrency"}, {"recursiveLoop", "recursiveLoop"},
		{"environment", "environment"}, {"Reserved keys", "environment"},
	} {
		if strings.Contains(msg, m[0]) {
			return m[1]
		}
	}
	return "name"
}

// checkCode checks a function of its own code: runtime, handler, code and
// layers, with Lambda's wording.
func (f *File) checkCode(p string, fn FunctionSpec) []error {
	var errs []error
	switch {
	case fn.Runtime == "":
		errs = append(errs, f.at(p, "function %q has code but no runtime: add runtime (one of %s)", fn.Name, strings.Join(runtime.Runtimes(), ", ")))
	default:
		if err := runtime.ValidateRuntime(fn.Runtime); err != nil {
			errs = append(errs, f.at(p+".runtime", "function %q: %v", fn.Name, err))
		}
	}
	if fn.Handler == "" {
		if !runtime.IsProvided(fn.Runtime) {
			errs = append(errs, f.at(p, "function %q has no handler (for Python, module.function: lambda_function.lambda_handler)", fn.Name))
		}
	} else if err := runtime.ValidateHandler(fn.Handler); err != nil {
		errs = append(errs, f.at(p+".handler", "function %q: %v", fn.Name, err))
	} else if runtime.IsPython(fn.Runtime) && !strings.Contains(fn.Handler, ".") {
		errs = append(errs, f.at(p+".handler", "function %q: a Python handler is module.function (lambda_function.lambda_handler), not %q", fn.Name, fn.Handler))
	}
	if fn.Code == "" {
		errs = append(errs, f.at(p, "function %q has no code: a folder, a .zip, or (provided.*) a Go main package folder", fn.Name))
	}
	if len(fn.Layers) > runtime.MaxLayers {
		errs = append(errs, f.at(p+".layers", "function %q: Cannot reference more than %d layers.", fn.Name, runtime.MaxLayers))
	}
	return errs
}

// CodePath resolves a path in the lab file (code, a layer) against the
// file's directory.
func (f *File) CodePath(path string) string {
	if path == "" || filepath.IsAbs(path) || strings.HasPrefix(path, "arn:") {
		return path
	}
	return filepath.Join(f.Dir, path)
}

// PrepareLayers makes sure the layer zips the lab's functions name by path
// are there before it deploys (see labs.PrepareLayers): a shipped lab's
// zip made from a program of this machine is built the first time, and
// the report says so; another missing zip is an error naming the command.
func (f *File) PrepareLayers() (report string, err error) {
	var refs []labs.LayerRef
	for _, fn := range f.Functions {
		for _, l := range fn.Layers {
			if !strings.HasPrefix(l, "arn:") {
				refs = append(refs, labs.LayerRef{Function: fn.Name, Ref: l, Path: f.CodePath(l)})
			}
		}
	}
	return labs.PrepareLayers(f.Name, f.Dir, refs)
}

func (fn FunctionSpec) lambdaConfig() lambda.Config {
	return lambda.Config{
		Name:                 fn.Name,
		Runtime:              fn.Runtime,
		Handler:              fn.Handler,
		Memory:               fn.Memory,
		Timeout:              time.Duration(fn.Timeout),
		Environment:          fn.Environment,
		ReservedConcurrency:  fn.ReservedConcurrency,
		MaximumRetryAttempts: fn.MaximumRetryAttempts,
		MaximumEventAge:      time.Duration(fn.MaximumEventAge),
		OnFailure:            fn.OnFailure,
		RecursiveLoop:        fn.RecursiveLoop,
	}
}

// DefaultTriggerEvents are a trigger's events when the lab file names none.
var DefaultTriggerEvents = []string{"s3:ObjectCreated:*"}

// FunctionARN is the ARN of a lab function.
func (f *File) FunctionARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", f.Region, DefaultAccount, name)
}

// Notifications builds each bucket's notification configuration from the
// triggers, in file order.
func (f *File) Notifications() map[string]notify.NotificationConfiguration {
	out := map[string]notify.NotificationConfiguration{}
	for _, t := range f.Triggers {
		cfg := out[t.Bucket]
		events := t.Events
		if len(events) == 0 {
			events = DefaultTriggerEvents
		}
		cfg.LambdaFunctionConfigurations = append(cfg.LambdaFunctionConfigurations, notify.LambdaFunctionConfiguration{
			ID:                t.ID,
			LambdaFunctionArn: f.FunctionARN(t.Function),
			Events:            events,
			Filter:            notify.NewFilter(t.Prefix, t.Suffix),
		})
		out[t.Bucket] = cfg
	}
	return out
}

// checkTriggers validates the triggers as PutBucketNotificationConfiguration
// would, bucket by bucket, pointing at the trigger that broke a rule.
func (f *File) checkTriggers(buckets, functions map[string]bool) []error {
	var errs []error
	for i, t := range f.Triggers {
		p := fmt.Sprintf("$.triggers[%d]", i)
		if !buckets[t.Bucket] {
			errs = append(errs, f.at(p+".bucket", "trigger bucket %q is not a bucket of this lab", t.Bucket))
		}
		if !functions[t.Function] {
			errs = append(errs, f.at(p+".function", "trigger function %q is not a function of this lab", t.Function))
		} else if warning := f.RecursionRisk(t.Bucket, t.Function, nil); warning != "" && !t.AcknowledgeRecursiveInvocation {
			errs = append(errs, f.at(p, "%s\nAdd acknowledgeRecursiveInvocation: true to this trigger to keep it anyway.", warning))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	v := notify.Validator{FunctionExists: func(arn string) bool { return functions[notify.FunctionName(arn)] }}
	configs := f.Notifications()
	for _, bucket := range slices.Sorted(maps.Keys(configs)) {
		cfg := configs[bucket]
		// Validate growing prefixes of the bucket's list, so the error points
		// at the first trigger that makes the configuration invalid.
		var idx []int
		for i, t := range f.Triggers {
			if t.Bucket == bucket {
				idx = append(idx, i)
			}
		}
		for n := 1; n <= len(cfg.LambdaFunctionConfigurations); n++ {
			part := notify.NotificationConfiguration{LambdaFunctionConfigurations: cfg.LambdaFunctionConfigurations[:n]}
			if err := v.Validate(&part); err != nil {
				errs = append(errs, f.at(fmt.Sprintf("$.triggers[%d]", idx[n-1]), "trigger on bucket %q: %v", bucket, err))
				break
			}
		}
	}
	return errs
}

// RecursionRisk returns the console's recursive-invocation warning when
// function writes to bucket: its OUTPUT_BUCKET is the bucket, or wrote
// reports that it has written there in this lab. It returns "" otherwise.
func (f *File) RecursionRisk(bucket, function string, wrote func(function, bucket string) bool) string {
	for _, fn := range f.Functions {
		if fn.Name == function {
			return RecursionRisk(bucket, function, fn.Environment, wrote)
		}
	}
	return ""
}

// RecursionRisk is the warning for a trigger on bucket for a function whose
// environment is env: it writes to the bucket that triggers it (its
// OUTPUT_BUCKET, or objects it has written there, as wrote tells), or ""
// when it does not.
func RecursionRisk(bucket, function string, env map[string]string, wrote func(function, bucket string) bool) string {
	how := ""
	switch {
	case env["OUTPUT_BUCKET"] == bucket:
		how = "its OUTPUT_BUCKET is " + bucket
	case wrote != nil && wrote(function, bucket):
		how = "it has written objects to " + bucket + " in this lab"
	default:
		return ""
	}
	// The first sentences are the Lambda console's own notice.
	return fmt.Sprintf("Recursive invocation: function %s writes to bucket %s (%s), the bucket that triggers it. "+
		"If your function writes objects to an S3 bucket, ensure that you are using different S3 buckets for input and output. "+
		"Writing to the same bucket increases the risk of creating a recursive invocation, which can result in increased Lambda usage and increased costs. "+
		"(Or give the trigger a prefix filter that the output does not match.)",
		function, bucket, how)
}
