package runtime

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Runtime identifiers lambdalab runs, as Lambda spells them.
const (
	Python310      = "python3.10"
	Python311      = "python3.11"
	Python312      = "python3.12"
	Python313      = "python3.13"
	ProvidedAL2023 = "provided.al2023"
	ProvidedAL2    = "provided.al2"
)

// Lambda's size limits for code and responses.
const (
	// MaxUnzippedBytes caps a function's code and layers together, unzipped.
	MaxUnzippedBytes = 262144000
	// MaxLayers is how many layers a function may reference.
	MaxLayers = 5
	// MaxResponseBytes is the largest response a runtime may post (6 MiB
	// plus the 100 bytes of slack the Runtime API allows).
	MaxResponseBytes = 6*1024*1024 + 100
	// maxHandlerLength is the handler field's length limit in CreateFunction.
	maxHandlerLength = 128
)

// supported lists the runtimes in the order error messages name them.
var supported = []string{Python310, Python311, Python312, Python313, ProvidedAL2023, ProvidedAL2}

// Deprecation is where a runtime is in Lambda's runtime deprecation
// policy: after Deprecated it gets no patches, after BlockCreate AWS
// refuses new functions of it, after BlockUpdate changes to existing ones.
type Deprecation struct {
	Deprecated, BlockCreate, BlockUpdate string // dates, YYYY-MM-DD
}

// deprecations are the supported runtimes AWS has scheduled, as Lambda's
// runtime support policy (and cfn-lint's E2533) lists them.
var deprecations = map[string]Deprecation{
	Python310: {Deprecated: "2026-06-30", BlockCreate: "2026-07-31", BlockUpdate: "2026-08-31"},
}

// DeprecationOf says whether AWS has scheduled runtime's deprecation, and
// when.
func DeprecationOf(runtime string) (Deprecation, bool) {
	d, ok := deprecations[runtime]
	return d, ok
}

// Runtimes returns the runtime identifiers lambdalab supports.
func Runtimes() []string { return slices.Clone(supported) }

// IsPython reports whether runtime is one of the Python runtimes.
func IsPython(runtime string) bool {
	return strings.HasPrefix(runtime, "python3.") && slices.Contains(supported, runtime)
}

// IsProvided reports whether runtime is an OS-only runtime that runs a bootstrap.
func IsProvided(runtime string) bool {
	return runtime == ProvidedAL2023 || runtime == ProvidedAL2
}

// ValidateRuntime checks runtime against the supported list with the
// CreateFunction error AWS gives for an unknown value.
func ValidateRuntime(runtime string) error {
	if slices.Contains(supported, runtime) {
		return nil
	}
	return &ParameterError{Type: "InvalidParameterValueException", Message: fmt.Sprintf(
		"Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [%s] or be a valid ARN",
		runtime, strings.Join(supported, ", "))}
}

// ValidateHandler checks a handler string against CreateFunction's
// constraints: at most 128 characters matching [^\s]+. CreateFunction
// accepts any such string for every runtime; a Python handler that is not
// module.function fails later, at init, with the runtime client's
// Runtime.MalformedHandlerName.
func ValidateHandler(handler string) error {
	if len(handler) > maxHandlerLength {
		return &ParameterError{Type: "ValidationException", Message: fmt.Sprintf(
			"1 validation error detected: Value '%s' at 'handler' failed to satisfy constraint: Member must have length less than or equal to %d",
			handler, maxHandlerLength)}
	}
	if handler == "" || strings.IndexFunc(handler, unicode.IsSpace) >= 0 {
		return &ParameterError{Type: "ValidationException", Message: fmt.Sprintf(
			"1 validation error detected: Value '%s' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+",
			handler)}
	}
	return nil
}

// ParameterError is Lambda's answer to a bad function setting, with AWS's
// error code in Type (InvalidParameterValueException, ValidationException)
// and AWS's wording in Message. It has the shape of lambda.ParameterError.
type ParameterError struct {
	Type    string
	Message string
}

func (e *ParameterError) Error() string { return e.Type + ": " + e.Message }

// FunctionError is the error document a runtime posts (to
// /runtime/invocation/{id}/error or /runtime/init/error) or that the
// platform makes for it. StackTrace stays raw JSON because runtimes
// disagree on its shape: aws-lambda-go posts frame objects, Python strings.
type FunctionError struct {
	Message    string          `json:"errorMessage"`
	Type       string          `json:"errorType"`
	StackTrace json.RawMessage `json:"stackTrace,omitempty"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// ExitError reports a runtime process that ended by itself or was killed.
// Status is Go's ProcessState wording, which is what Lambda prints.
type ExitError struct {
	Status      string // "exit status 1", "signal: killed"
	OutOfMemory bool   // killed for going past the function's memory
}

func (e *ExitError) Error() string { return "Runtime exited with error: " + e.Status }

// Error types the platform reports for a runtime process.
const (
	ErrorTypeExit              = "Runtime.ExitError"
	ErrorTypeInvalidEntrypoint = "Runtime.InvalidEntrypoint"
	ErrorTypeResponseTooLarge  = "Function.ResponseSizeTooLarge"
	ErrorTypeUnknown           = "Runtime.Unknown"
)
