// Package api serves Lambda's REST JSON API over the control plane
// (package control): the routes, with their date prefixes, that the aws
// CLI and the SDKs call, and errors as Lambda sends them (a JSON body with
// the message, the type in x-amzn-ErrorType, and the status). It does not
// authenticate: the lab's router checks the caller's signature and
// authorizes the request's Action first.
package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/lambda/control"
)

// Handler serves the Lambda API.
type Handler struct {
	c         *control.Control
	requestID func() string
}

// Option configures a Handler.
type Option func(*Handler)

// WithRequestIDs sets where x-amzn-RequestId values come from (seeded ids
// keep a replayed lab byte-identical).
func WithRequestIDs(next func() string) Option { return func(h *Handler) { h.requestID = next } }

// NewHandler returns the API over c.
func NewHandler(c *control.Control, opts ...Option) *Handler {
	h := &Handler{c: c, requestID: ids.NewRandom().UUID}
	for _, o := range opts {
		o(h)
	}
	return h
}

// ServeHTTP answers one API request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, ps := match(r)
	if rt == nil {
		w.Header().Set("x-amzn-RequestId", h.requestID())
		writeError(w, &control.Error{Type: "UnknownOperationException", Message: fmt.Sprintf(
			"lambdalab's Lambda API has no operation at %s %s.", r.Method, r.URL.Path)}, http.StatusNotFound)
		return
	}
	if rt.op != "Invoke" {
		w.Header().Set("x-amzn-RequestId", h.requestID())
	}
	if err := rt.serve(h, w, r, ps); err != nil {
		e := control.AsError(err)
		if w.Header().Get("x-amzn-RequestId") == "" {
			w.Header().Set("x-amzn-RequestId", h.requestID())
		}
		writeError(w, e, e.Status())
	}
}

// errorBody is Lambda's error document.
type errorBody struct {
	Type    string `json:"Type"`
	Message string `json:"message"`
	Reason  string `json:"Reason,omitempty"`
}

func writeError(w http.ResponseWriter, e *control.Error, status int) {
	w.Header().Set("x-amzn-ErrorType", e.Type)
	if e.Type == control.ErrTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	body, _ := json.Marshal(errorBody{Type: "User", Message: e.Message, Reason: e.Reason})
	if status >= 500 {
		body, _ = json.Marshal(errorBody{Type: "Service", Message: e.Message})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(body)
	return err
}

// noContent answers 204.
func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// readBody reads a request body of at most limit bytes; past it, op's
// RequestEntityTooLargeException.
func readBody(r *http.Request, limit int64, op string) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, &control.Error{Type: control.ErrInvalidRequestContent, Message: "The request body could not be read: " + err.Error()}
	}
	if int64(len(b)) > limit {
		return nil, &control.Error{Type: control.ErrRequestEntityTooLarge, Message: fmt.Sprintf(
			"Request must be smaller than %d bytes for the %s operation", limit, op)}
	}
	return b, nil
}

// maxBody bounds the body of requests other than CreateFunction and
// Invoke: a PublishLayerVersion or UpdateFunctionCode with a 50 MB zip in
// base64 fits.
const maxBody = control.MaxCreateRequestBytes

// decode reads a JSON body into v.
func decode(r *http.Request, op string, v any) error {
	b, err := readBody(r, maxBody, op)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		// *unverified*: Lambda's wording for a body that is not JSON.
		return &control.Error{Type: control.ErrInvalidRequestContent, Message: "Could not parse request body into json: " + err.Error()}
	}
	return nil
}

// Action returns the IAM action of a request ("lambda:CreateFunction") and
// the name of the function it addresses ("" for none, such as layer and
// account operations), for the lab to authorize it. An unknown route gives
// "". CreateFunction names its function in the body, which Action reads
// and puts back.
func Action(r *http.Request) (action, functionName string) {
	rt, ps := match(r)
	if rt == nil {
		return "", ""
	}
	if name, ok := ps["name"]; ok {
		return actionOf(rt.op), FunctionName(name)
	}
	if rt.op == "CreateFunction" && r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, control.MaxCreateRequestBytes+1))
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(b))
		if err == nil {
			var in struct{ FunctionName string }
			_ = json.Unmarshal(b, &in)
			return actionOf(rt.op), in.FunctionName
		}
	}
	return actionOf(rt.op), ""
}

// FunctionName is the function's name in a FunctionName member: a name,
// NAME:QUALIFIER, a partial ARN (ACCOUNT:function:NAME) or an ARN.
func FunctionName(s string) string {
	if i := strings.Index(s, "function:"); i >= 0 && (i == 0 || s[i-1] == ':') {
		s = s[i+len("function:"):]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return s
}
