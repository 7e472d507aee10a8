// Package fail fails on purpose: the handler for lessons on retries, crashes,
// timeouts and memory. FAIL_MODE picks how:
//
//	error  return the error FAIL_MESSAGE (the default)
//	panic  panic with FAIL_MESSAGE: the runtime crashes (Runtime.ExitError)
//	hang   block forever, ignoring the context: the function times out
//	alloc  allocate 8 MiB every millisecond until the context ends: the
//	       function is killed for its memory (Runtime.ExitError, signal: killed)
package fail

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/lambdalab/lambdalab/handler/sandbox"
)

// DefaultMessage is the error when FAIL_MESSAGE is not set.
const DefaultMessage = "this function always fails (FAIL_MESSAGE)"

// Modes are the values FAIL_MODE accepts.
var Modes = []string{"error", "panic", "hang", "alloc"}

// Handler fails in its configured way.
type Handler struct {
	msg  string
	mode string
}

// New reads FAIL_MESSAGE and FAIL_MODE. An unknown mode is an init error,
// as a misconfigured function's init phase fails on Lambda.
func New(getenv func(string) string) (*Handler, error) {
	h := &Handler{msg: getenv("FAIL_MESSAGE"), mode: getenv("FAIL_MODE")}
	if h.msg == "" {
		h.msg = DefaultMessage
	}
	if h.mode == "" {
		h.mode = "error"
	}
	for _, m := range Modes {
		if h.mode == m {
			return h, nil
		}
	}
	return nil, fmt.Errorf("FAIL_MODE=%q: want one of %v", h.mode, Modes)
}

// hang blocks forever; a variable so that tests of this package can end it.
var hang = func() { select {} }

// Handle fails.
func (h *Handler) Handle(ctx context.Context) error {
	sandbox.Logf(ctx, "failing on purpose (%s): %s", h.mode, h.msg)
	switch h.mode {
	case "panic":
		panic(h.msg)
	case "hang":
		hang()
	case "alloc":
		return allocate(ctx)
	}
	return errors.New(h.msg)
}

// allocate grows the heap until ctx ends, then lets it all go.
func allocate(ctx context.Context) error {
	var held [][]byte
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			runtime.KeepAlive(held)
			return ctx.Err()
		case <-tick.C:
			chunk := make([]byte, 8<<20)
			for i := 0; i < len(chunk); i += 4096 {
				chunk[i] = 1 // touch every page: resident, not just reserved
			}
			held = append(held, chunk)
		}
	}
}
