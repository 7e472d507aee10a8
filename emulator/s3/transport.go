package s3

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// Transport is an http.RoundTripper that hands requests straight to an
// http.Handler in the same process: the S3 client of a built-in handler
// talks to the lab without a socket, yet through the same middleware,
// checks and events as any other client.
type Transport struct {
	Handler http.Handler
}

// RoundTrip serves req in-process. The response body streams from the
// handler as it writes.
func (t Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	sr := req.Clone(req.Context())
	sr.RemoteAddr = "127.0.0.1:0"
	sr.RequestURI = req.URL.RequestURI()
	if sr.Host == "" {
		sr.Host = req.URL.Host
	}
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	// A server sees Content-Length as a header; a client request keeps it in
	// a field.
	if req.ContentLength > 0 || (req.ContentLength == 0 && (req.Method == http.MethodPut || req.Method == http.MethodPost)) {
		sr.Header.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
	}
	pr, pw := io.Pipe()
	w := &pipeResponse{header: http.Header{}, body: pw, ready: make(chan struct{})}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				w.fail(fmt.Errorf("s3 handler panic: %v", p))
				return
			}
			w.WriteHeader(http.StatusOK) // no-op when already written
			w.readyOnce()
			pw.Close()
		}()
		t.Handler.ServeHTTP(w, sr)
	}()
	select {
	case <-w.ready:
	case <-req.Context().Done():
		pr.CloseWithError(req.Context().Err())
		return nil, req.Context().Err()
	}
	if w.err != nil {
		return nil, w.err
	}
	resp := &http.Response{
		Status:        fmt.Sprintf("%d %s", w.status, http.StatusText(w.status)),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.sent,
		Body:          pr,
		ContentLength: -1,
		Request:       req,
	}
	if n, err := strconv.ParseInt(w.sent.Get("Content-Length"), 10, 64); err == nil {
		resp.ContentLength = n
	}
	if req.Method == http.MethodHead {
		resp.Body = http.NoBody
		go func() { _, _ = io.Copy(io.Discard, pr) }()
	}
	return resp, nil
}

// pipeResponse is the ResponseWriter of an in-process request.
type pipeResponse struct {
	header http.Header
	sent   http.Header
	status int
	body   *io.PipeWriter
	ready  chan struct{}
	once   sync.Once
	err    error
}

func (p *pipeResponse) Header() http.Header { return p.header }

func (p *pipeResponse) WriteHeader(code int) {
	if p.status != 0 {
		return
	}
	p.status = code
	p.sent = p.header.Clone()
	p.readyOnce()
}

func (p *pipeResponse) readyOnce() { p.once.Do(func() { close(p.ready) }) }

func (p *pipeResponse) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return p.body.Write(b)
}

func (p *pipeResponse) fail(err error) {
	if p.status == 0 {
		p.err = err
	}
	p.readyOnce()
	p.body.CloseWithError(err)
}
