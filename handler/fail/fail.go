// Package fail always fails: the handler for retry and on-failure lessons.
package fail

import (
	"context"
	"errors"

	"github.com/lambdalab/lambdalab/handler/sandbox"
)

// DefaultMessage is the error when FAIL_MESSAGE is not set.
const DefaultMessage = "this function always fails (FAIL_MESSAGE)"

// Handler returns its configured error.
type Handler struct {
	msg string
}

// New reads FAIL_MESSAGE.
func New(getenv func(string) string) *Handler {
	msg := getenv("FAIL_MESSAGE")
	if msg == "" {
		msg = DefaultMessage
	}
	return &Handler{msg: msg}
}

// Handle logs and returns the error.
func (h *Handler) Handle(ctx context.Context) error {
	sandbox.Logf(ctx, "failing on purpose: %s", h.msg)
	return errors.New(h.msg)
}
