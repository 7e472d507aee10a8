package iam

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is an IAM API error: the code, message and HTTP status IAM answers
// with. The Service's methods return it so that Go callers (the console,
// scenarios) and the Query API see the same errors.
type Error struct {
	Code    string
	Message string
	Status  int
}

// Error says the code and the message, as the aws CLI shows them.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Type is the ErrorResponse's Type: Receiver for IAM's own failures,
// Sender for everything the request got wrong.
func (e *Error) Type() string {
	if e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// ErrorCode returns the IAM error code of err ("" when err is not an
// *Error), so callers never match on message text.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func newError(code string, status int, format string, args ...any) *Error {
	return &Error{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

func noSuchRole(name string) *Error {
	return newError("NoSuchEntity", http.StatusNotFound, "The role with name %s cannot be found.", name)
}

func noSuchRolePolicy(name string) *Error {
	return newError("NoSuchEntity", http.StatusNotFound, "The role policy with name %s cannot be found.", name)
}

// noSuchPolicy is GetPolicy's and friends' answer for an unknown ARN
// (*unverified* for DetachRolePolicy of a policy that is not attached).
func noSuchPolicy(arn string) *Error {
	return newError("NoSuchEntity", http.StatusNotFound, "Policy %s was not found.", arn)
}

// notAttachable is AttachRolePolicy's answer for an unknown ARN.
func notAttachable(arn string) *Error {
	return newError("NoSuchEntity", http.StatusNotFound, "Policy %s does not exist or is not attachable.", arn)
}

func deleteConflict(msg string) *Error {
	return newError("DeleteConflict", http.StatusConflict, "%s", msg)
}

func limitExceeded(format string, args ...any) *Error {
	return newError("LimitExceeded", http.StatusConflict, format, args...)
}

func invalidInput(format string, args ...any) *Error {
	return newError("InvalidInput", http.StatusBadRequest, format, args...)
}

// accessDenied is IAM's answer to changing an AWS managed policy; the
// messages per operation are *unverified* against AWS.
func accessDenied(format string, args ...any) *Error {
	return newError("AccessDenied", http.StatusForbidden, format, args...)
}

// malformed turns a policy parse error into MalformedPolicyDocument: the
// reason as policy.go words it, with its position in the document.
func malformed(err error) *Error {
	var se *SyntaxError
	if errors.As(err, &se) {
		return newError("MalformedPolicyDocument", http.StatusBadRequest, "%s", se.Reason())
	}
	return newError("MalformedPolicyDocument", http.StatusBadRequest, "%s", err.Error())
}

// Reason is the mistake with its position, as the MalformedPolicyDocument
// message carries it: "Syntax errors in policy: … (line 3, column 18)".
func (e *SyntaxError) Reason() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("%s (line %d, column %d)", e.Msg, e.Line, e.Col)
}

// validation collects constraint violations the way IAM reports them: one
// ValidationError whose message counts and lists every violation.
type validation []string

func (v *validation) add(format string, args ...any) {
	*v = append(*v, fmt.Sprintf(format, args...))
}

// required records a missing parameter ("Value null at 'roleName' …").
func (v *validation) required(field, value string) bool {
	if value == "" {
		v.add("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
		return false
	}
	return true
}

func (v validation) err() error {
	if len(v) == 0 {
		return nil
	}
	noun := "error"
	if len(v) > 1 {
		noun = "errors"
	}
	return newError("ValidationError", http.StatusBadRequest, "%d validation %s detected: %s", len(v), noun, strings.Join(v, "; "))
}
