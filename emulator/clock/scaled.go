package clock

import (
	"fmt"
	"time"
)

// Scaled is a wall clock whose lab time runs Factor times faster than real
// time: a retry due in one lab minute comes after 60/Factor real seconds.
// It is what --time-scale uses. Handler durations are measured in real time
// elsewhere, so REPORT lines still show Lambda time.
type Scaled struct {
	factor    float64
	wallStart time.Time
	labStart  time.Time
}

// NewScaled returns a clock starting at the current time, running factor
// times faster (factor ≥ 1).
func NewScaled(factor float64) (*Scaled, error) {
	if factor < 1 || factor > 1e6 {
		return nil, fmt.Errorf("time scale %g: want a number from 1 to 1000000", factor)
	}
	now := time.Now()
	return &Scaled{factor: factor, wallStart: now, labStart: now}, nil
}

// Factor is how much faster than real time the clock runs.
func (s *Scaled) Factor() float64 { return s.factor }

// Now returns the lab time.
func (s *Scaled) Now() time.Time {
	elapsed := time.Since(s.wallStart)
	return s.labStart.Add(time.Duration(float64(elapsed) * s.factor))
}

// NewTimer fires after d of lab time, that is d/Factor of real time.
func (s *Scaled) NewTimer(d time.Duration) Timer {
	st := &scaledTimer{c: make(chan time.Time, 1)}
	st.t = time.AfterFunc(time.Duration(float64(d)/s.factor), func() { st.c <- s.Now() })
	return st
}

// AfterFunc calls f after d of lab time.
func (s *Scaled) AfterFunc(d time.Duration, f func()) Timer {
	return &scaledTimer{t: time.AfterFunc(time.Duration(float64(d)/s.factor), f)}
}

type scaledTimer struct {
	t *time.Timer
	c chan time.Time
}

func (s *scaledTimer) C() <-chan time.Time { return s.c }
func (s *scaledTimer) Stop() bool          { return s.t.Stop() }
