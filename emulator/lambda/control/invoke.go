package control

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// Invocation types.
const (
	InvocationRequestResponse = "RequestResponse"
	InvocationEvent           = "Event"
	InvocationDryRun          = "DryRun"
)

// MaxSyncPayloadBytes is the largest payload of a synchronous invocation
// (6 MB).
const MaxSyncPayloadBytes = 6291456

// maxLogTail is how much of the log X-Amz-Log-Result carries.
const maxLogTail = 4096

// Invoke invokes a function, as Lambda's Invoke does: RequestResponse runs
// it now and returns its answer (with the last 4 KB of its log when
// LogType is Tail); Event queues it as S3 does (202); DryRun only checks
// (204). A function that is not Active cannot be invoked.
func (c *Control) Invoke(ctx context.Context, in InvokeInput) (InvokeOutput, error) {
	typ := in.InvocationType
	if typ == "" {
		typ = InvocationRequestResponse
	}
	if typ != InvocationRequestResponse && typ != InvocationEvent && typ != InvocationDryRun {
		return InvokeOutput{}, errorf(ErrValidation, "1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", typ)
	}
	if in.LogType != "" && in.LogType != "None" && in.LogType != "Tail" {
		return InvokeOutput{}, errorf(ErrValidation, "1 validation error detected: Value '%s' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]", in.LogType)
	}
	name, err := c.invocable(in.FunctionName, in.Qualifier)
	if err != nil {
		return InvokeOutput{}, err
	}
	if len(in.Payload) > MaxSyncPayloadBytes {
		return InvokeOutput{}, errorf(ErrRequestTooLarge, "Request must be smaller than %d bytes for the InvokeFunction operation", MaxSyncPayloadBytes)
	}
	if err := checkPayload(in.Payload); err != nil {
		return InvokeOutput{}, err
	}
	payload := in.Payload
	if len(strings.TrimSpace(string(payload))) == 0 {
		payload = []byte("{}") // *unverified*: the event a function gets when Invoke sends none
	}
	switch typ {
	case InvocationDryRun:
		return InvokeOutput{StatusCode: http.StatusNoContent}, nil
	case InvocationEvent:
		return c.invokeAsync(name, payload)
	}
	res, ierr := c.svc.Invoke(ctx, name, payload)
	if ierr != nil {
		return InvokeOutput{}, AsError(ierr)
	}
	out := InvokeOutput{StatusCode: http.StatusOK, RequestID: res.RequestID, Payload: res.Payload,
		FunctionError: res.FunctionError, ExecutedVersion: arn.Latest}
	if in.LogType == "Tail" {
		out.LogResult = logTail(res.Log)
	}
	return out, nil
}

// invocable checks that the function exists, at $LATEST, and is Active.
func (c *Control) invocable(name, qualifier string) (string, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.find(name, qualifier)
	if err != nil {
		return "", err
	}
	switch f.conf.State {
	case StatePending:
		return "", inState(StatePending)
	case StateFailed:
		// *unverified*: Lambda's wording for invoking a Failed function;
		// the Pending text, with the state named.
		return "", inState(StateFailed)
	}
	return f.conf.FunctionName, nil
}

// checkPayload refuses a payload that is not JSON, with Lambda's wording
// (the detail after the colon is Go's, not Lambda's Java parser's).
func checkPayload(p []byte) *Error {
	if len(strings.TrimSpace(string(p))) == 0 || json.Valid(p) {
		return nil
	}
	var v any
	err := json.Unmarshal(p, &v)
	return errorf(ErrInvalidRequestContent, "Could not parse request body into json: Could not parse payload into json: %v", err)
}

// invokeAsync queues an event (InvocationType Event): 202, and the event
// is handled as S3's are, with retries and the on-failure destination.
func (c *Control) invokeAsync(name string, payload []byte) (InvokeOutput, error) {
	err := c.svc.InvokeAsync(notify.AsyncInvocation{FunctionARN: c.FunctionARN(name), Payload: payload,
		Source: "Invoke (Event)"})
	if err != nil {
		return InvokeOutput{}, AsError(err)
	}
	return InvokeOutput{StatusCode: http.StatusAccepted}, nil
}

// logTail is X-Amz-Log-Result: the last 4 KB of the invocation's log, in
// base64.
func logTail(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		if !strings.HasSuffix(l, "\n") {
			b.WriteByte('\n')
		}
	}
	s := b.String()
	if len(s) > maxLogTail {
		s = s[len(s)-maxLogTail:]
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}
