package s3

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
)

// serve routes the request and turns what went wrong into S3's answer: a
// body that stopped arriving is RequestTimeout whoever read it, and a panic
// is an InternalError for this request alone, logged on the bus.
func (s *Server) serve(c *call) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		c.detail = panicDetail(p)
		if c.rec.status != 0 && !c.rec.held {
			// The answer is already on its way: cut it off.
			s.publishRequest(c)
			panic(http.ErrAbortHandler)
		}
		c.rec.fail(NewError("InternalError", ""), c.r.Method)
	}()
	err := s.route(c)
	if c.body.timedOut {
		err = NewError("RequestTimeout", msgRequestTimeout)
	}
	if err != nil {
		c.rec.fail(asError(err), c.r.Method)
	}
}

// panicDetail describes a recovered panic in one line: its value and where
// it happened.
func panicDetail(p any) string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	where := ""
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") {
			where = fmt.Sprintf(" at %s (%s:%d)", f.Function, f.File, f.Line)
			break
		}
		if !more {
			break
		}
	}
	return fmt.Sprintf("the lab failed on this request: panic: %v%s", p, where)
}
