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
// clock to the next timer. Timers reacquire their task inside the clock's
// Advance, so no jump can overtake a handler that has just been woken.
//
// On a virtual clock the service is also deterministic: a turnstile lets
// one task at a time run real code, in the order the tasks became ready
// (which the scheduler and the clock decide, not goroutine timing), so a
// replay publishes the same events in the same order with the same ids.

// task is one unit of work: an attempt, or the delivery of a record.
type task struct {
	s     *Service
	mu    sync.Mutex
	held  bool
	ended bool
}

// newTask counts a task busy and, on a virtual clock, queues it for its
// turn. The caller holds s.mu.
func (s *Service) newTask() *task {
	t := &task{s: s, held: true}
	s.busy++
	s.turns.ready(t)
	return t
}

// begin waits for the task's turn (at once on a wall clock).
func (t *task) begin() { t.s.turns.wait(t) }

func (t *task) release() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.held && !t.ended {
		t.held = false
		t.s.addBusy(-1)
		t.s.turns.leave(t)
	}
}

func (t *task) acquire() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.held && !t.ended {
		t.held = true
		t.s.addBusy(1)
		t.s.turns.ready(t)
	}
}

// end marks the task over and reports whether it still holds its busy unit
// (the caller returns it); its turn, if it has one, is given up.
func (t *task) end() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ended = true
	t.s.turns.leave(t)
	return t.held
}

// timer makes an execution-clock timer whose firing reacquires the task.
func (t *task) timer(d time.Duration) (clock.Timer, <-chan struct{}) {
	fired := make(chan struct{})
	tm := t.s.exec.AfterFunc(d, func() {
		t.acquire()
		close(fired)
	})
	return tm, fired
}

// sleep is the handler's sandbox.Sleep: it waits on the execution clock,
// not busy meanwhile.
func (t *task) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	tm, fired := t.timer(d)
	t.release()
	select {
	case <-fired:
		t.begin()
		return nil
	case <-ctx.Done():
		if tm.Stop() {
			t.acquire()
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

// turnstile grants turns in the order tasks became ready. A nil turnstile
// (wall clock) grants every turn at once.
type turnstile struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []*task
	holder *task
	closed bool
}

func newTurnstile() *turnstile {
	t := &turnstile{}
	t.cond = sync.NewCond(&t.mu)
	return t
}

func (ts *turnstile) ready(t *task) {
	if ts == nil {
		return
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.holder != t {
		ts.queue = append(ts.queue, t)
		ts.cond.Broadcast()
	}
}

func (ts *turnstile) wait(t *task) {
	if ts == nil {
		return
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for ts.holder != t && !ts.closed {
		if ts.holder == nil && len(ts.queue) > 0 && ts.queue[0] == t {
			ts.holder = t
			ts.queue = ts.queue[1:]
			break
		}
		ts.cond.Wait()
	}
}

func (ts *turnstile) leave(t *task) {
	if ts == nil {
		return
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.holder == t {
		ts.holder = nil
	}
	for i, q := range ts.queue {
		if q == t && t.ended {
			ts.queue = append(ts.queue[:i], ts.queue[i+1:]...)
			break
		}
	}
	ts.cond.Broadcast()
}

// Settle runs everything that can run without the clock moving: it starts
// what is due and waits until no task is busy, until nothing more starts.
func (s *Service) Settle(ctx context.Context) error {
	for {
		s.schedule()
		if err := s.waitQuiet(ctx); err != nil {
			return err
		}
		s.schedule()
		if !s.isBusy() {
			return nil
		}
	}
}

// RunUntilIdle drives a lab on a virtual clock: it settles, then jumps the
// clock to the next moment anything can happen, until nothing is queued or
// running. It is how a scenario waits for retries two minutes away in no
// time at all.
func (s *Service) RunUntilIdle(ctx context.Context, v *clock.Virtual) error {
	return s.runUntil(ctx, v, time.Time{})
}

// RunFor drives a virtual clock forward by d, settling at every timer on
// the way.
func (s *Service) RunFor(ctx context.Context, v *clock.Virtual, d time.Duration) error {
	return s.runUntil(ctx, v, v.Now().Add(d))
}

// runUntil settles and advances until idle (a zero until) or until the
// clock reaches until.
func (s *Service) runUntil(ctx context.Context, v *clock.Virtual, until time.Time) error {
	for {
		if err := s.Settle(ctx); err != nil {
			return err
		}
		if until.IsZero() && s.Pending() == 0 {
			return nil
		}
		next, ok := s.nextWake()
		if t, has := v.NextTimer(); has && (!ok || t.Before(next)) {
			next, ok = t, true
		}
		switch {
		case !until.IsZero() && (!ok || next.After(until)):
			v.AdvanceTo(until)
			return s.Settle(ctx)
		case !ok:
			return fmt.Errorf("lambda: %d events are pending but nothing will ever move them", s.Pending())
		}
		v.AdvanceTo(next)
	}
}

// nextWake is when the scheduler next has something to do.
func (s *Service) nextWake() (time.Time, bool) { return s.schedule() }

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

// abandon lets every waiting task run, for Close: turns no longer matter.
func (ts *turnstile) abandon() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.queue = nil
	ts.holder = nil
	ts.closed = true
	ts.cond.Broadcast()
}

// Step settles, then moves a virtual clock to the next moment anything can
// happen and settles again. It reports false when nothing is pending.
func (s *Service) Step(ctx context.Context, v *clock.Virtual) (bool, error) {
	if err := s.Settle(ctx); err != nil {
		return false, err
	}
	if s.Pending() == 0 {
		return false, nil
	}
	next, ok := s.nextWake()
	if t, has := v.NextTimer(); has && (!ok || t.Before(next)) {
		next, ok = t, true
	}
	if !ok {
		return false, fmt.Errorf("lambda: %d events are pending but nothing will ever move them", s.Pending())
	}
	v.AdvanceTo(next)
	return true, s.Settle(ctx)
}
