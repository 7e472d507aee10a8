// Package sandbox is what a handler may ask of its execution environment
// beyond the event: a logger whose lines belong to this invocation, and a
// sleep that follows the lab's clock. Under real AWS Lambda (nothing in the
// context) the logger writes to stderr, which Lambda sends to CloudWatch,
// and Sleep is a plain timer, so handler code is the same in both worlds.
package sandbox

import (
	"context"
	"log"
	"os"
	"time"
)

type loggerKey struct{}
type sleeperKey struct{}

// Sleeper waits for d of lab time or until ctx ends.
type Sleeper func(ctx context.Context, d time.Duration) error

var stderr = log.New(os.Stderr, "", log.LstdFlags)

// WithLogger returns a context whose handler logs go to l.
func WithLogger(ctx context.Context, l *log.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// Logger returns the invocation's logger.
func Logger(ctx context.Context) *log.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*log.Logger); ok {
		return l
	}
	return stderr
}

// Logf writes one line to the invocation's log.
func Logf(ctx context.Context, format string, args ...any) {
	Logger(ctx).Printf(format, args...)
}

// WithSleeper returns a context whose Sleep uses s.
func WithSleeper(ctx context.Context, s Sleeper) context.Context {
	return context.WithValue(ctx, sleeperKey{}, s)
}

// Sleep waits for d, or until ctx is done (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	if s, ok := ctx.Value(sleeperKey{}).(Sleeper); ok {
		return s(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
