package logs

import "fmt"

// Error is a CloudWatch Logs error as AWS answers it: the code that becomes
// the JSON body's __type and its message. Every operation of the store
// returns one, so the lab's own callers see the same errors as an SDK client.
type Error struct {
	Code    string
	Message string
}

// Error renders the code and message, as the SDKs print API errors.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// The error codes CloudWatch Logs answers that lambdalab can produce.
const (
	CodeResourceNotFound      = "ResourceNotFoundException"
	CodeResourceAlreadyExists = "ResourceAlreadyExistsException"
	CodeInvalidParameter      = "InvalidParameterException"
	CodeUnknownOperation      = "UnknownOperationException"
	CodeSerialization         = "SerializationException"
)

func errGroupNotFound() *Error {
	return &Error{CodeResourceNotFound, "The specified log group does not exist."}
}

func errStreamNotFound() *Error {
	return &Error{CodeResourceNotFound, "The specified log stream does not exist."}
}

// AWS's texts for an existing group or stream have no final period.
func errGroupExists() *Error {
	return &Error{CodeResourceAlreadyExists, "The specified log group already exists"}
}

func errStreamExists() *Error {
	return &Error{CodeResourceAlreadyExists, "The specified log stream already exists"}
}

func errInvalid(format string, args ...any) *Error {
	return &Error{CodeInvalidParameter, fmt.Sprintf(format, args...)}
}

// errConstraint is the validation message AWS's request validation writes
// for a member that breaks the API model's constraints.
func errConstraint(value any, member, constraint string) *Error {
	return errInvalid("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

func errNull(member string) *Error {
	return errInvalid("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

func errBadToken() *Error {
	return errInvalid("The specified nextToken is invalid.")
}
