// Package lambda runs functions the way AWS Lambda runs them for S3: events
// arrive asynchronously into a per-function queue; execution environments
// are created (cold, with an init phase) and reused (warm) up to the
// function's concurrency; each attempt logs START, the handler's lines, END
// and REPORT; failures are retried after about one and two minutes,
// throttled events back off up to the maximum event age, and an event that
// gives up goes to the on-failure destination as an invocation record.
package lambda

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// Function configuration limits and defaults, as documented for Lambda.
const (
	DefaultMemory          = 128
	MinMemory              = 128
	MaxMemory              = 10240
	DefaultTimeout         = 3 * time.Second
	MinTimeout             = time.Second
	MaxTimeout             = 900 * time.Second
	DefaultRetryAttempts   = 2
	MaxRetryAttempts       = 2
	DefaultMaximumEventAge = 6 * time.Hour
	MinMaximumEventAge     = 60 * time.Second
	MaxMaximumEventAge     = 6 * time.Hour
)

// RecursiveLoop settings.
const (
	RecursiveLoopTerminate = "Terminate"
	RecursiveLoopAllow     = "Allow"
)

// Config is a function's configuration.
type Config struct {
	Name string
	// Runtime is the runtime of a function of its own code ("" for a
	// built-in handler).
	Runtime     string
	Handler     string // the built-in handler's name, or Lambda's handler string; the _HANDLER variable
	Memory      int    // MB
	Timeout     time.Duration
	Environment map[string]string
	// ReservedConcurrency caps (and guarantees) the function's concurrent
	// environments; nil shares the account's unreserved pool.
	ReservedConcurrency *int
	// MaximumRetryAttempts after a function error; nil means 2.
	MaximumRetryAttempts *int
	MaximumEventAge      time.Duration
	// OnFailure is a bucket of the lab that receives invocation records of
	// events that gave up ("" for none).
	OnFailure     string
	RecursiveLoop string
}

// ParameterError is Lambda's answer to an out-of-range setting, with AWS's
// wording (ValidationException or InvalidParameterValueException).
type ParameterError struct {
	Type    string
	Message string
}

func (e *ParameterError) Error() string { return e.Type + ": " + e.Message }

func constraint(value any, field string, ge bool, bound int64) *ParameterError {
	rel := "less than or equal to"
	if ge {
		rel = "greater than or equal to"
	}
	return &ParameterError{
		Type: "ValidationException",
		Message: fmt.Sprintf("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: Member must have value %s %d",
			value, field, rel, bound),
	}
}

// WithDefaults returns c with Lambda's defaults filled in.
func (c Config) WithDefaults() Config {
	if c.Memory == 0 {
		c.Memory = DefaultMemory
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaximumRetryAttempts == nil {
		n := DefaultRetryAttempts
		c.MaximumRetryAttempts = &n
	}
	if c.MaximumEventAge == 0 {
		c.MaximumEventAge = DefaultMaximumEventAge
	}
	if c.RecursiveLoop == "" {
		c.RecursiveLoop = RecursiveLoopTerminate
	}
	return c
}

// Validate checks the configuration against Lambda's limits; accountLimit is
// the lab's account concurrency.
func (c Config) Validate(accountLimit int) error {
	if c.Name == "" {
		return &ParameterError{Type: "ValidationException", Message: "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null"}
	}
	if len(c.Name) > 64 || !validFunctionName(c.Name) {
		return &ParameterError{Type: "ValidationException", Message: fmt.Sprintf(
			"1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]{1,64}", c.Name)}
	}
	switch {
	case c.Memory < MinMemory:
		return constraint(c.Memory, "memorySize", true, MinMemory)
	case c.Memory > MaxMemory:
		return constraint(c.Memory, "memorySize", false, MaxMemory)
	case c.Timeout < MinTimeout:
		return constraint(seconds(c.Timeout), "timeout", true, 1)
	case c.Timeout > MaxTimeout:
		return constraint(seconds(c.Timeout), "timeout", false, 900)
	case c.Timeout%time.Second != 0:
		return &ParameterError{Type: "InvalidParameterValueException", Message: fmt.Sprintf("timeout %v: Lambda timeouts are whole seconds", c.Timeout)}
	}
	if r := c.MaximumRetryAttempts; r != nil && *r < 0 {
		return constraint(*r, "maximumRetryAttempts", true, 0)
	} else if r != nil && *r > MaxRetryAttempts {
		return constraint(*r, "maximumRetryAttempts", false, MaxRetryAttempts)
	}
	if a := c.MaximumEventAge; a < MinMaximumEventAge {
		return constraint(seconds(a), "maximumEventAgeInSeconds", true, 60)
	} else if a > MaxMaximumEventAge {
		return constraint(seconds(a), "maximumEventAgeInSeconds", false, 21600)
	} else if a%time.Second != 0 {
		return &ParameterError{Type: "InvalidParameterValueException", Message: fmt.Sprintf("maximum event age %v: must be whole seconds", a)}
	}
	if r := c.ReservedConcurrency; r != nil {
		if *r < 0 {
			return constraint(*r, "reservedConcurrentExecutions", true, 0)
		}
		if *r > accountLimit {
			return &ParameterError{Type: "InvalidParameterValueException", Message: fmt.Sprintf(
				"Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [0]. (The lab's account concurrency limit is %d.)", accountLimit)}
		}
	}
	if c.RecursiveLoop != RecursiveLoopTerminate && c.RecursiveLoop != RecursiveLoopAllow {
		return &ParameterError{Type: "ValidationException", Message: fmt.Sprintf(
			"1 validation error detected: Value '%s' at 'recursiveLoop' failed to satisfy constraint: Member must satisfy enum value set: [Terminate, Allow]", c.RecursiveLoop)}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Environment)) { // sorted: the same error every time
		if !validEnvName(k) {
			return &ParameterError{Type: "ValidationException", Message: fmt.Sprintf(
				"1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+] (key %q)", k)}
		}
		if reservedEnv[k] {
			return &ParameterError{Type: "InvalidParameterValueException", Message: fmt.Sprintf(
				"Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", k)}
		}
	}
	return nil
}

func seconds(d time.Duration) any {
	if d%time.Second == 0 {
		return int64(d / time.Second)
	}
	return d.Seconds()
}

func validFunctionName(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func validEnvName(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i, c := range s {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !letter || !(letter || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// reservedEnv are the variables Lambda sets and refuses to let users set.
var reservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true,
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}
