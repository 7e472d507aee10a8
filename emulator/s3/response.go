package s3

import (
	"bytes"
	"net/http"
	"strconv"
)

// recorder stands between gofakes3 and the client. It stamps our request ids
// on every response (gofakes3 sets its own), holds back the responses of
// writes until their events are queued (so a client that sees 200 can count
// on the event existing), and holds back error responses so they can be
// rewritten with AWS's messages.
type recorder struct {
	w         http.ResponseWriter
	requestID string
	hostID    string
	hold      bool // hold the whole response until flush
	status    int
	held      bool // the response is being held
	body      bytes.Buffer
	flushed   bool
	// ours is true when the held body is our own error document, which
	// needs no rewriting.
	ours bool
	// fixHeaders, when set, adjusts the response headers before they go out.
	fixHeaders func(http.Header)
	// unversioned hides the version ids gofakes3's memory backend gives
	// objects of buckets without versioning, which S3 never shows.
	unversioned bool
	// precondition, when set, judges a successful answer's headers (a
	// conditional GET or HEAD): an error replaces the answer, and what
	// gofakes3 goes on writing is dropped.
	precondition func(http.Header) *Error
	discard      bool
	method       string
	// cors are the CORS headers of the answer (none unless the bucket's
	// CORS configuration allows the request's origin).
	cors http.Header
}

func newRecorder(w http.ResponseWriter, method, requestID, hostID string, hold bool) *recorder {
	rec := &recorder{w: w, requestID: requestID, hostID: hostID, hold: hold, method: method}
	rec.stampIDs()
	return rec
}

func (r *recorder) stampIDs() {
	h := r.w.Header()
	h.Set("x-amz-request-id", r.requestID)
	h.Set("x-amz-id-2", r.hostID)
	h.Set("Server", "AmazonS3")
	scrubCORS(h)
	for name, v := range r.cors {
		h[name] = v
	}
	if r.unversioned {
		h.Del("x-amz-version-id")
		h.Del("x-amz-copy-source-version-id")
	}
	if r.fixHeaders != nil {
		r.fixHeaders(h)
	}
}

// Header returns the header map of the response.
func (r *recorder) Header() http.Header { return r.w.Header() }

// WriteHeader records the status; it reaches the client now unless the
// response is held.
func (r *recorder) WriteHeader(code int) {
	if r.status != 0 {
		return
	}
	r.status = code
	r.stampIDs()
	if r.precondition != nil && code < 300 {
		if e := r.precondition(r.w.Header()); e != nil {
			r.fail(e, r.method)
			r.discard = true
			return
		}
	}
	if r.hold || code >= 400 {
		r.held = true
		return
	}
	r.w.WriteHeader(code)
}

// Write sends or holds body bytes.
func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if r.discard {
		return len(p), nil
	}
	if r.held {
		return r.body.Write(p)
	}
	return r.w.Write(p)
}

// Status is the response status (200 when nothing was written).
func (r *recorder) Status() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// Held is the held body so far.
func (r *recorder) Held() []byte { return r.body.Bytes() }

// fail replaces whatever was written with one of our errors.
func (r *recorder) fail(e *Error, method string) {
	r.status = e.Status
	r.held = true
	r.ours = true
	r.body.Reset()
	if e.Status == http.StatusNotModified {
		h := r.w.Header()
		for _, name := range []string{"Content-Length", "Content-Type", "Content-Range", "Accept-Ranges"} {
			h.Del(name)
		}
		return
	}
	if method != http.MethodHead {
		r.body.Write(errorBody(e, r.requestID, r.hostID))
		r.w.Header().Set("Content-Type", "application/xml")
	}
}

// replace discards what was written and holds status and body instead.
func (r *recorder) replace(status int, contentType string, body []byte) {
	r.status = status
	r.held = true
	r.ours = true
	r.body.Reset()
	r.body.Write(body)
	r.w.Header().Set("Content-Type", contentType)
}

// ErrorCode returns the S3 error code of a failed response ("" otherwise).
func (r *recorder) ErrorCode() (code, message string) {
	if r.Status() < 300 {
		return "", ""
	}
	doc, ok := decodeErrorDoc(r.body.Bytes())
	if !ok {
		return http.StatusText(r.Status()), ""
	}
	return doc.Code, doc.Message
}

// flush sends a held response, rewriting gofakes3's error documents first.
func (r *recorder) flush(method string) {
	if r.flushed {
		return
	}
	r.flushed = true
	if r.status == 0 {
		// Nothing was written: the response is still ours to send.
		r.status = http.StatusOK
		r.held = true
	}
	if !r.held {
		return
	}
	body := r.body.Bytes()
	if r.status >= 400 && !r.ours {
		// gofakes3 answers 500 for codes it does not know.
		if code, _ := r.ErrorCode(); statuses[code] != 0 {
			r.status = statuses[code]
		}
	}
	if r.status >= 400 && method != http.MethodHead && !r.ours {
		body = fixErrorBody(body, r.requestID, r.hostID)
	}
	r.stampIDs()
	if r.status == http.StatusNotModified {
		r.w.WriteHeader(r.status)
		return
	}
	if method != http.MethodHead || r.status >= 400 {
		r.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	r.w.WriteHeader(r.status)
	if method != http.MethodHead {
		_, _ = r.w.Write(body)
	}
}
