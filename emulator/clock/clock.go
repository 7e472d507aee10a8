// Package clock is the lab's one source of time. Everything that waits or
// stamps a time (retry back-off, event age, idle reclaim, event timestamps)
// asks a Clock, so tests and scenarios can run on a virtual clock instead of
// sleeping.
package clock

import "time"

// Clock tells the time and makes timers.
type Clock interface {
	// Now is the current lab time.
	Now() time.Time
	// NewTimer returns a timer that fires once after d of lab time.
	NewTimer(d time.Duration) Timer
	// AfterFunc calls f once d of lab time has passed. A virtual clock calls
	// it before the Advance that passes d returns.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a one-shot timer made by a Clock.
type Timer interface {
	// C delivers the lab time at which the timer fired.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it was still pending.
	Stop() bool
}

// Wall is the real clock.
type Wall struct{}

// Now returns time.Now().
func (Wall) Now() time.Time { return time.Now() }

// NewTimer wraps time.NewTimer.
func (Wall) NewTimer(d time.Duration) Timer { return wallTimer{time.NewTimer(d)} }

// AfterFunc wraps time.AfterFunc.
func (Wall) AfterFunc(d time.Duration, f func()) Timer { return wallTimer{time.AfterFunc(d, f)} }

type wallTimer struct{ t *time.Timer }

func (w wallTimer) C() <-chan time.Time { return w.t.C }
func (w wallTimer) Stop() bool          { return w.t.Stop() }

// TimeSource adapts a Clock to the TimeSource of gofakes3 and its backends.
type TimeSource struct{ Clock Clock }

// Now is the clock's time.
func (t TimeSource) Now() time.Time { return t.Clock.Now() }

// Since is the clock's time elapsed since at.
func (t TimeSource) Since(at time.Time) time.Duration { return t.Clock.Now().Sub(at) }

// Display is the clock for the times users see (timestamps on events, log
// lines and objects' Last-Modified) when c runs the lab: a scaled clock
// speeds up waits only, so what it stamps is the wall clock's time; a
// virtual clock stamps its own time, so replays stay deterministic.
func Display(c Clock) Clock {
	if _, ok := c.(*Scaled); ok {
		return Wall{}
	}
	return c
}
