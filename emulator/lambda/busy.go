package lambda

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/lambdalab/lambdalab/emulator/clock"
)

// The service counts "busy" work: attempts whose handler is running real
// code, and invocation records being written. An attempt whose handler
// sleeps on the lab clock is not busy. When nothing is busy and nothing is
// due, only the clock can move the lab on: RunUntilIdle then jumps a virtual
// clock to the next timer. Timers reacquire their attempt inside the clock's
// Advance, so no jump can overtake a handler that has just been woken.

// attemptState tracks whether an attempt holds a busy unit.
type attemptState struct {
	s     *Service
	mu    sync.Mutex
	held  bool
	ended bool
}

func (s *Service) newAttemptState() *attemptState {
	return &attemptState{s: s, held: true} // start() counted it busy
}

func (a *attemptState) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.held && !a.ended {
		a.held = false
		a.s.addBusy(-1)
	}
}

func (a *attemptState) acquire() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.held && !a.ended {
		a.held = true
		a.s.addBusy(1)
	}
}

// end marks the attempt over and reports whether it still holds its unit
// (finish then returns it).
func (a *attemptState) end() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ended = true
	return a.held
}

// timer makes an execution-clock timer whose firing reacquires the attempt.
func (a *attemptState) timer(d time.Duration) (clock.Timer, <-chan struct{}) {
	fired := make(chan struct{})
	t := a.s.exec.AfterFunc(d, func() {
		a.acquire()
		close(fired)
	})
	return t, fired
}

// sleep is the handler's sandbox.Sleep: it waits on the execution clock,
// not busy meanwhile.
func (a *attemptState) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, fired := a.timer(d)
	a.release()
	select {
	case <-fired:
		return nil
	case <-ctx.Done():
		if t.Stop() {
			a.acquire()
		}
		return ctx.Err()
	}
}

func (s *Service) addBusy(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy += n
	if s.busy == 0 {
		s.idle.Broadcast()
	}
}

// RunUntilIdle drives a lab on a virtual clock: it starts what is due, waits
// until no handler is running real code, and jumps the clock to the next
// timer, until nothing is queued or running. It is how a scenario waits for
// retries two minutes away in no time at all.
func (s *Service) RunUntilIdle(ctx context.Context, v *clock.Virtual) error {
	for {
		s.schedule()
		if err := s.waitQuiet(ctx); err != nil {
			return err
		}
		if s.Pending() == 0 {
			return nil
		}
		// The next moment anything can happen: the scheduler's own next
		// wake-up (a retry, a throttled event, an expiring event) or a timer
		// of a sleeping handler.
		next, ok := s.schedule()
		if s.isBusy() {
			continue // that schedule started something: let it run first
		}
		if t, has := v.NextTimer(); has && (!ok || t.Before(next)) {
			next, ok = t, true
		}
		if !ok {
			return fmt.Errorf("lambda: %d events are pending but nothing will ever move them", s.Pending())
		}
		v.AdvanceTo(next)
	}
}

func (s *Service) isBusy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.busy > 0
}

// waitQuiet waits until nothing is busy.
func (s *Service) waitQuiet(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.idle.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.busy > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.idle.Wait()
	}
	return nil
}
