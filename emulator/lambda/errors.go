package lambda

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Error types the platform reports, as Lambda names them.
const (
	ErrorTypeTimeout = "Sandbox.Timedout"
	ErrorTypeExit    = "Runtime.ExitError"
)

// FunctionError is Lambda's error document: the JSON a failed invocation
// returns, logs and puts in invocation records. Runtimes differ in what
// they put in it: aws-lambda-go's stack is a list of frames, Python's a
// list of strings, and Python adds the request id; it is kept as it came.
type FunctionError struct {
	Message    string          `json:"errorMessage"`
	Type       string          `json:"errorType"`
	RequestID  string          `json:"requestId,omitempty"`
	StackTrace json.RawMessage `json:"stackTrace,omitempty"`
}

// fromGo converts aws-lambda-go's error document.
func fromGo(e messages.InvokeResponse_Error) FunctionError {
	fe := FunctionError{Message: e.Message, Type: e.Type}
	if len(e.StackTrace) > 0 {
		fe.StackTrace, _ = json.Marshal(e.StackTrace)
	}
	return fe
}

// errorTypeOf names an error's Go type as aws-lambda-go does: the type's
// name without package or pointer (errors.New gives "errorString").
func errorTypeOf(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return "nil"
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// handlerError turns an error returned by lambda.Handler.Invoke into
// Lambda's document. The handler wraps the function's error in
// messages.InvokeResponse_Error already when it built it; other errors are
// named by their type.
func handlerError(err error) FunctionError {
	var ive messages.InvokeResponse_Error
	if errors.As(err, &ive) {
		return fromGo(ive)
	}
	var ivp *messages.InvokeResponse_Error
	if errors.As(err, &ivp) && ivp != nil {
		return fromGo(*ivp)
	}
	return FunctionError{Message: err.Error(), Type: errorTypeOf(err)}
}

// panicError turns a recovered panic into Lambda's document with the stack,
// as aws-lambda-go reports a panicking handler.
func panicError(v any, skip int) FunctionError {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(skip, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var stack []*messages.InvokeResponse_Error_StackFrame
	for {
		f, more := frames.Next()
		label := f.Function[strings.LastIndex(f.Function, "/")+1:]
		label = label[strings.Index(label, ".")+1:]
		stack = append(stack, &messages.InvokeResponse_Error_StackFrame{
			Path: shortPath(f.File), Line: int32(f.Line), Label: label,
		})
		if !more {
			break
		}
	}
	return fromGo(messages.InvokeResponse_Error{Message: fmt.Sprint(v), Type: errorTypeOf(v), StackTrace: stack})
}

func shortPath(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) > 3 {
		parts = parts[len(parts)-3:]
	}
	return strings.Join(parts, "/")
}

// errorJSON renders the document on one line, as Lambda logs it.
func errorJSON(e FunctionError) string {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Sprintf(`{"errorMessage":%q,"errorType":%q}`, e.Message, e.Type)
	}
	return string(b)
}
