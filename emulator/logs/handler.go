package logs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/ids"
)

// TargetPrefix starts every X-Amz-Target of the CloudWatch Logs API.
const TargetPrefix = "Logs_20140328."

// ContentType is the media type of the API's requests and answers.
const ContentType = "application/x-amz-json-1.1"

// maxBody bounds a request body: a full PutLogEvents batch (1 MiB of
// messages) escaped as JSON fits well within it.
const maxBody = 8 << 20

// Handler serves the CloudWatch Logs API (JSON 1.1, POST / with
// X-Amz-Target: Logs_20140328.<Operation>) over a Store. It does not
// authenticate: the lab authorizes each request's Action first.
type Handler struct {
	store     *Store
	requestID func() string
}

// HandlerOption configures a Handler.
type HandlerOption func(*Handler)

// WithRequestIDs sets where x-amzn-RequestId values come from (seeded ids
// keep a replayed lab byte-identical).
func WithRequestIDs(next func() string) HandlerOption {
	return func(h *Handler) { h.requestID = next }
}

// NewHandler returns the API over s.
func NewHandler(s *Store, opts ...HandlerOption) *Handler {
	h := &Handler{store: s, requestID: ids.NewRandom().UUID}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Operation returns the operation a request names in its X-Amz-Target
// ("PutLogEvents"), whether or not lambdalab serves it.
func Operation(r *http.Request) (string, bool) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	return op, ok && op != ""
}

// Action returns the IAM action of a request ("logs:PutLogEvents").
func Action(r *http.Request) (string, bool) {
	op, ok := Operation(r)
	return "logs:" + op, ok
}

// operation decodes a request body and runs it on the store.
type operation func(s *Store, body []byte) (any, error)

// op adapts a store method taking AWS's input shape.
func op[I, O any](f func(*Store, I) (O, error)) operation {
	return func(s *Store, body []byte) (any, error) {
		var in I
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &in); err != nil {
				return nil, &Error{CodeSerialization, "The request body could not be read as JSON: " + err.Error()} // *unverified* text
			}
		}
		return f(s, in)
	}
}

// empty marks an answer with no members, sent as an empty body.
type empty struct{}

var operations = map[string]operation{
	"CreateLogGroup":        op(createLogGroup),
	"DeleteLogGroup":        op(deleteLogGroup),
	"DescribeLogGroups":     op((*Store).DescribeLogGroups),
	"CreateLogStream":       op(createLogStream),
	"DeleteLogStream":       op(deleteLogStream),
	"DescribeLogStreams":    op((*Store).DescribeLogStreams),
	"PutLogEvents":          op((*Store).PutLogEvents),
	"GetLogEvents":          op((*Store).GetLogEvents),
	"FilterLogEvents":       op((*Store).FilterLogEvents),
	"PutRetentionPolicy":    op(putRetentionPolicy),
	"DeleteRetentionPolicy": op(deleteRetentionPolicy),
}

// Operations lists the operations the handler serves, sorted.
func Operations() []string {
	out := make([]string, 0, len(operations))
	for name := range operations {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// ServeHTTP answers one API request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", h.requestID())
	name, _ := Operation(r)
	run := operations[name]
	if r.Method != http.MethodPost || run == nil {
		writeError(w, &Error{CodeUnknownOperation, fmt.Sprintf("lambdalab's CloudWatch Logs does not serve %q (X-Amz-Target %q, method %s).", name, r.Header.Get("X-Amz-Target"), r.Method)})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeError(w, &Error{CodeSerialization, "The request body could not be read: " + err.Error()})
		return
	}
	if len(body) > maxBody {
		writeError(w, errInvalid("Upload too large: the request body exceeds %d bytes", maxBody))
		return
	}
	out, err := run(h.store, body)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	if _, ok := out.(empty); ok {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeError(w, err)
		return
	}
	// A length, as AWS sends, rather than chunks: a client that stops
	// reading at the end of the JSON document leaves nothing unread.
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// writeError answers an error in AWS's JSON shape: 400 for the client's
// mistakes, 500 for lambdalab's own.
func writeError(w http.ResponseWriter, err error) {
	var e *Error
	status := http.StatusBadRequest
	if !errors.As(err, &e) {
		e, status = &Error{"ServiceUnavailableException", err.Error()}, http.StatusInternalServerError
	}
	b, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Code, e.Message})
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("x-amzn-ErrorType", e.Code)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// The inputs of the operations that take a name or two.

// CreateLogGroupInput is CreateLogGroup's request; KMS keys, tags and log
// classes are accepted and ignored.
type CreateLogGroupInput struct {
	LogGroupName string `json:"logGroupName"`
}

// DeleteLogGroupInput is DeleteLogGroup's request.
type DeleteLogGroupInput struct {
	LogGroupName string `json:"logGroupName"`
}

// CreateLogStreamInput is CreateLogStream's request.
type CreateLogStreamInput struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

// DeleteLogStreamInput is DeleteLogStream's request.
type DeleteLogStreamInput struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

// PutRetentionPolicyInput is PutRetentionPolicy's request.
type PutRetentionPolicyInput struct {
	LogGroupName    string `json:"logGroupName"`
	RetentionInDays *int   `json:"retentionInDays"`
}

// DeleteRetentionPolicyInput is DeleteRetentionPolicy's request.
type DeleteRetentionPolicyInput struct {
	LogGroupName string `json:"logGroupName"`
}

func createLogGroup(s *Store, in CreateLogGroupInput) (empty, error) {
	return empty{}, s.CreateLogGroup(in.LogGroupName)
}

func deleteLogGroup(s *Store, in DeleteLogGroupInput) (empty, error) {
	return empty{}, s.DeleteLogGroup(in.LogGroupName)
}

func createLogStream(s *Store, in CreateLogStreamInput) (empty, error) {
	return empty{}, s.CreateLogStream(in.LogGroupName, in.LogStreamName)
}

func deleteLogStream(s *Store, in DeleteLogStreamInput) (empty, error) {
	return empty{}, s.DeleteLogStream(in.LogGroupName, in.LogStreamName)
}

func putRetentionPolicy(s *Store, in PutRetentionPolicyInput) (empty, error) {
	if in.RetentionInDays == nil {
		return empty{}, errNull("retentionInDays")
	}
	return empty{}, s.PutRetentionPolicy(in.LogGroupName, *in.RetentionInDays)
}

func deleteRetentionPolicy(s *Store, in DeleteRetentionPolicyInput) (empty, error) {
	return empty{}, s.DeleteRetentionPolicy(in.LogGroupName)
}
