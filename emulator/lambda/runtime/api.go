package runtime

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The Runtime API's states, named as the runtime interface emulator names
// them: its error bodies quote them.
const (
	stateStarted       = "Started"
	stateInitError     = "InitError"
	stateReady         = "Ready"
	stateRunning       = "Running"
	stateResponse      = "InvocationResponse"
	stateErrorResponse = "InvocationErrorResponse"
	stateResponseSent  = "RuntimeResponseSentState"
)

// call is an invocation handed to the runtime, and where its result goes.
type call struct {
	inv  Invocation
	done chan Result // buffered: the API never waits for Invoke
}

// api is one environment's Runtime API, on a loopback port of its own.
type api struct {
	pr   *Process
	addr string
	srv  *http.Server

	pending chan *call    // Invoke → the waiting next
	ready   chan struct{} // closed at the first next
	failed  chan struct{} // closed when the runtime posts init/error
	closed  chan struct{} // closed by Kill: releases a waiting next
	once    sync.Once

	mu      sync.Mutex
	state   string
	cur     *call
	readyAt time.Time
	initErr *FunctionError
}

func newAPI(pr *Process) (*api, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API: %w", err)
	}
	a := &api{pr: pr, addr: ln.Addr().String(), state: stateStarted,
		pending: make(chan *call), ready: make(chan struct{}), failed: make(chan struct{}), closed: make(chan struct{})}
	a.srv = &http.Server{Handler: a, ReadHeaderTimeout: time.Minute}
	go a.srv.Serve(ln)
	return a, nil
}

func (a *api) close() {
	a.once.Do(func() { close(a.closed) })
	a.srv.Close()
}

// ServeHTTP routes the four Runtime API calls; anything else is a 404 or
// 405 as the emulator's router answers it.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case <-a.pr.live: // a fast runtime may call before Start has returned
	case <-a.closed:
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/2018-06-01/runtime/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	method, handle := "", http.HandlerFunc(nil)
	switch {
	case rest == "invocation/next":
		method, handle = http.MethodGet, a.next
	case rest == "init/error":
		method, handle = http.MethodPost, a.initError
	case strings.HasPrefix(rest, "invocation/"):
		id, kind, _ := strings.Cut(strings.TrimPrefix(rest, "invocation/"), "/")
		switch kind {
		case "response":
			method, handle = http.MethodPost, func(w http.ResponseWriter, r *http.Request) { a.response(w, r, id) }
		case "error":
			method, handle = http.MethodPost, func(w http.ResponseWriter, r *http.Request) { a.invocationError(w, r, id) }
		}
	}
	switch {
	case handle == nil:
		http.NotFound(w, r)
	case r.Method != method:
		w.WriteHeader(http.StatusMethodNotAllowed)
	default:
		handle(w, r)
	}
}

// next blocks until Invoke hands over an invocation; the first next ends
// the init phase.
func (a *api) next(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	switch a.state {
	case stateStarted:
		a.state, a.readyAt = stateReady, time.Now()
		close(a.ready)
		a.pr.endInit()
	case stateResponseSent, stateReady:
		a.state = stateReady
	case stateRunning:
		// a runtime that asks again before answering gets the same event
		c := a.cur
		a.mu.Unlock()
		render(w, c.inv)
		return
	default:
		s := a.state
		a.mu.Unlock()
		forbidden(w, s, stateReady)
		return
	}
	a.mu.Unlock()
	select {
	case c := <-a.pending:
		a.mu.Lock()
		a.state, a.cur = stateRunning, c
		a.mu.Unlock()
		render(w, c.inv)
	case <-r.Context().Done():
	case <-a.closed:
	}
}

func render(w http.ResponseWriter, inv Invocation) {
	h := w.Header()
	set := func(k, v string) {
		if v != "" {
			h.Set(k, v)
		}
	}
	set("Lambda-Runtime-Aws-Request-Id", inv.RequestID)
	set("Lambda-Runtime-Trace-Id", inv.Trace)
	set("Lambda-Runtime-Client-Context", inv.ClientContext)
	set("Lambda-Runtime-Cognito-Identity", inv.CognitoIdentity)
	set("Lambda-Runtime-Invoked-Function-Arn", inv.FunctionARN)
	if !inv.Deadline.IsZero() {
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.Deadline.UnixMilli(), 10))
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(inv.Payload)
}

// begin checks that id is the running invocation's and moves to state; it
// answers the runtime itself when not.
func (a *api) begin(w http.ResponseWriter, id, state string) *call {
	a.mu.Lock()
	defer a.mu.Unlock()
	if id == "" || a.cur == nil || id != a.cur.inv.RequestID {
		writeJSON(w, http.StatusBadRequest, FunctionError{Message: "Invalid request ID", Type: "InvalidRequestID"})
		return nil
	}
	if a.state != stateRunning {
		forbidden(w, a.state, state)
		return nil
	}
	a.state = state
	return a.cur
}

// finish delivers res to Invoke once the output written so far is in the
// sink.
func (a *api) finish(c *call, res Result) {
	a.pr.out.drain()
	a.mu.Lock()
	a.state = stateResponseSent
	a.mu.Unlock()
	c.done <- res
}

func (a *api) response(w http.ResponseWriter, r *http.Request, id string) {
	c := a.begin(w, id, stateResponse)
	if c == nil {
		return
	}
	body, size, err := readAtMost(r.Body, MaxResponseBytes)
	res, status := Result{Payload: body}, http.StatusAccepted
	switch {
	case err != nil:
		res = errorResult(&FunctionError{Type: "Runtime.TruncatedResponse", Message: "the runtime's response ended early: " + err.Error()})
		status = http.StatusBadRequest
	case size > MaxResponseBytes:
		res = errorResult(&FunctionError{Type: ErrorTypeResponseTooLarge, Message: fmt.Sprintf(
			"Response payload size (%d bytes) exceeded maximum allowed payload size (%d bytes).", size, MaxResponseBytes)})
		status = http.StatusRequestEntityTooLarge
	case r.Trailer.Get("Lambda-Runtime-Function-Error-Type") != "":
		// aws-lambda-go's way to fail a response it is already streaming
		doc, _ := base64.StdEncoding.DecodeString(r.Trailer.Get("Lambda-Runtime-Function-Error-Body"))
		res = Result{Payload: doc, Err: parseError(doc, r.Trailer.Get("Lambda-Runtime-Function-Error-Type"))}
	}
	a.finish(c, res)
	switch status {
	case http.StatusRequestEntityTooLarge:
		writeJSON(w, status, FunctionError{Type: "RequestEntityTooLarge", Message: fmt.Sprintf(
			"Exceeded maximum allowed payload size (%d bytes).", MaxResponseBytes)})
	case http.StatusBadRequest:
		writeJSON(w, status, FunctionError{Type: "TruncatedHTTPRequest", Message: "HTTP request detected as truncated"})
	default:
		accepted(w)
	}
}

func (a *api) invocationError(w http.ResponseWriter, r *http.Request, id string) {
	c := a.begin(w, id, stateErrorResponse)
	if c == nil {
		return
	}
	body, _, _ := readAtMost(r.Body, MaxResponseBytes)
	a.finish(c, Result{Payload: body, Err: parseError(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"))})
	accepted(w)
}

func (a *api) initError(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	if a.state != stateStarted {
		s := a.state
		a.mu.Unlock()
		forbidden(w, s, stateInitError)
		return
	}
	a.state = stateInitError
	a.mu.Unlock()
	body, _, _ := readAtMost(r.Body, MaxResponseBytes)
	fe := parseError(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"))
	a.pr.out.drain()
	a.mu.Lock()
	a.initErr = fe
	a.mu.Unlock()
	close(a.failed)
	a.pr.endInit()
	accepted(w)
}

// initError is what the runtime posted to /runtime/init/error, if it did.
func (a *api) initFailure() *FunctionError {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.initErr
}

func (a *api) readyTime() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.readyAt
}

// parseError reads a posted error document; a body that is not one is
// typed by the Lambda-Runtime-Function-Error-Type header.
func parseError(body []byte, headerType string) *FunctionError {
	fe := &FunctionError{}
	if json.Unmarshal(body, fe) != nil {
		fe = &FunctionError{}
	}
	if fe.Type == "" {
		fe.Type = headerType
	}
	if fe.Type == "" {
		fe.Type = ErrorTypeUnknown
	}
	return fe
}

// errorResult is a platform-made error, with the document as its payload.
func errorResult(fe *FunctionError) Result {
	doc, _ := json.Marshal(fe)
	return Result{Payload: doc, Err: fe}
}

// readAtMost reads up to limit bytes and returns how long the body really
// was, so an oversized response is reported with its size.
func readAtMost(r io.Reader, limit int64) ([]byte, int64, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	size := int64(len(body))
	if err == nil && size > limit {
		var n int64
		n, err = io.Copy(io.Discard, r)
		size += n
		body = nil
	}
	return body, size, err
}

func forbidden(w http.ResponseWriter, from, to string) {
	writeJSON(w, http.StatusForbidden, FunctionError{Type: "InvalidStateTransition", Message: fmt.Sprintf(
		"State transition from %s to %s failed for runtime. Error: State transition is not allowed", from, to)})
}

func accepted(w http.ResponseWriter) {
	writeJSON(w, http.StatusAccepted, struct {
		Status string `json:"status"`
	}{"OK"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
