package control

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime"
)

// Error is a Lambda API error as Lambda answers it: the type that becomes
// the x-amzn-ErrorType header, AWS's message, and for a throttle its
// Reason. Every operation of the control plane returns one, so the lab's
// own callers see the errors an SDK client sees.
type Error struct {
	Type    string
	Message string
	// Reason is set on TooManyRequestsException
	// (ReservedFunctionConcurrentInvocationLimitExceeded, …).
	Reason string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Error types lambdalab answers, as Lambda names them.
const (
	ErrResourceNotFound      = "ResourceNotFoundException"
	ErrResourceConflict      = "ResourceConflictException"
	ErrInvalidParameterValue = "InvalidParameterValueException"
	ErrValidation            = "ValidationException"
	ErrPreconditionFailed    = "PreconditionFailedException"
	ErrRequestEntityTooLarge = "RequestEntityTooLargeException"
	ErrRequestTooLarge       = "RequestTooLargeException"
	ErrTooManyRequests       = "TooManyRequestsException"
	ErrInvalidRequestContent = "InvalidRequestContentException"
	ErrAccessDenied          = "AccessDeniedException"
	ErrService               = "ServiceException"
	ErrUnsupportedMediaType  = "UnsupportedMediaTypeException"
)

// Status is the HTTP status Lambda answers the error with.
func (e *Error) Status() int {
	switch e.Type {
	case ErrResourceNotFound:
		return http.StatusNotFound
	case ErrResourceConflict:
		return http.StatusConflict
	case ErrPreconditionFailed:
		return http.StatusPreconditionFailed
	case ErrRequestEntityTooLarge, ErrRequestTooLarge:
		return http.StatusRequestEntityTooLarge
	case ErrTooManyRequests:
		return http.StatusTooManyRequests
	case ErrAccessDenied:
		return http.StatusForbidden
	case ErrUnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case ErrService:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

func errorf(typ, format string, args ...any) *Error {
	return &Error{Type: typ, Message: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) *Error {
	return errorf(ErrInvalidParameterValue, format, args...)
}

// AsError converts the errors of the packages the control plane calls (the
// execution service, the runtime, the layer registry) into an *Error; any
// other error is a ServiceException.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	var lp *lambda.ParameterError
	var rp *runtime.ParameterError
	var yp *layers.ParameterError
	var tm *lambda.TooManyRequestsError
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &lp):
		return &Error{Type: lp.Type, Message: lp.Message}
	case errors.As(err, &rp):
		return &Error{Type: rp.Type, Message: rp.Message}
	case errors.As(err, &yp):
		return &Error{Type: yp.Type, Message: yp.Message}
	case errors.As(err, &tm):
		return &Error{Type: ErrTooManyRequests, Message: "Rate Exceeded.", Reason: tm.Reason}
	}
	return &Error{Type: ErrService, Message: err.Error()}
}

// functionNotFound is Lambda's answer for a function (or a qualified
// version of it) that does not exist.
func functionNotFound(functionARN string) *Error {
	return errorf(ErrResourceNotFound, "Function not found: %s", functionARN)
}

// resourceNotFound is the generic text Lambda answers GetPolicy and
// GetLayerVersion with when there is nothing to return.
func resourceNotFound() *Error {
	return errorf(ErrResourceNotFound, "The resource you requested does not exist.")
}

// revisionMismatch is PreconditionFailedException; which API it names
// depends on the operation.
func revisionMismatch(api string) *Error {
	return errorf(ErrPreconditionFailed,
		"The Revision Id provided does not match the latest Revision Id. Call the %s API to retrieve the latest Revision Id", api)
}

func updateInProgress(functionARN string) *Error {
	return errorf(ErrResourceConflict,
		"The operation cannot be performed at this time. An update is in progress for resource: %s", functionARN)
}

func inState(state string) *Error {
	return errorf(ErrResourceConflict,
		"The operation cannot be performed at this time. The function is currently in the following state: %s", state)
}
