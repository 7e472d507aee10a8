package fail

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func TestModes(t *testing.T) {
	h, err := New(env(map[string]string{"FAIL_MESSAGE": "nope"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Handle(context.Background()); err == nil || err.Error() != "nope" {
		t.Errorf("error mode: %v", err)
	}

	h, _ = New(env(map[string]string{"FAIL_MODE": "panic"}))
	func() {
		defer func() {
			if p := recover(); p != DefaultMessage {
				t.Errorf("panic mode panicked with %v", p)
			}
		}()
		h.Handle(context.Background())
	}()

	released := make(chan struct{})
	hang = func() { <-released }
	h, _ = New(env(map[string]string{"FAIL_MODE": "hang"}))
	done := make(chan struct{})
	go func() { h.Handle(context.Background()); close(done) }()
	select {
	case <-done:
		t.Error("hang mode returned")
	case <-time.After(50 * time.Millisecond):
	}
	close(released)
	<-done

	h, _ = New(env(map[string]string{"FAIL_MODE": "alloc"}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := h.Handle(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("alloc mode ended with %v, want the context's error", err)
	}

	if _, err := New(env(map[string]string{"FAIL_MODE": "explode"})); err == nil || !strings.Contains(err.Error(), `"explode"`) {
		t.Errorf("unknown mode: %v", err)
	}
}
