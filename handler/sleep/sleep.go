// Package sleep waits before it returns: the handler for timeout and
// concurrency lessons.
package sleep

import (
	"context"
	"fmt"
	"time"

	"github.com/lambdalab/lambdalab/handler/sandbox"
)

// DefaultDuration is how long it sleeps when SLEEP is not set.
const DefaultDuration = time.Second

// Handler sleeps for its configured duration.
type Handler struct {
	d time.Duration
}

// New reads SLEEP (a Go duration such as "5s"; a bare number means seconds).
func New(getenv func(string) string) (*Handler, error) {
	s := getenv("SLEEP")
	if s == "" {
		return &Handler{d: DefaultDuration}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		var secs float64
		if _, serr := fmt.Sscanf(s, "%g", &secs); serr != nil {
			return nil, fmt.Errorf("SLEEP=%q: want a duration such as 5s or 1500ms", s)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d < 0 {
		return nil, fmt.Errorf("SLEEP=%q: must not be negative", s)
	}
	return &Handler{d: d}, nil
}

// Handle sleeps, or returns the context's error when the invocation ends first.
func (h *Handler) Handle(ctx context.Context) (string, error) {
	sandbox.Logf(ctx, "sleeping %v", h.d)
	if err := sandbox.Sleep(ctx, h.d); err != nil {
		return "", err
	}
	sandbox.Logf(ctx, "woke up after %v", h.d)
	return fmt.Sprintf("slept %v", h.d), nil
}
