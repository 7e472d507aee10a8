package clock

import (
	"container/heap"
	"sync"
	"time"
)

// Virtual is a clock that moves only when told to. Timers fire, in deadline
// order, as Advance or AdvanceToNext passes them: a retry two minutes away
// takes no wall time at all.
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	timers timerHeap
	seq    uint64
}

// NewVirtual returns a virtual clock showing start.
func NewVirtual(start time.Time) *Virtual {
	return &Virtual{now: start}
}

// Now returns the virtual time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// NewTimer returns a timer firing when the clock reaches now+d.
func (v *Virtual) NewTimer(d time.Duration) Timer {
	return v.add(d, nil)
}

// AfterFunc calls f when the clock reaches now+d, inside the Advance that
// gets there (at once when d ≤ 0).
func (v *Virtual) AfterFunc(d time.Duration, f func()) Timer {
	return v.add(d, f)
}

func (v *Virtual) add(d time.Duration, f func()) *vtimer {
	v.mu.Lock()
	t := &vtimer{clock: v, c: make(chan time.Time, 1), f: f, at: v.now.Add(d), index: -1}
	if d <= 0 {
		now := v.now
		v.mu.Unlock()
		t.fire(now)
		return t
	}
	v.seq++
	t.seq = v.seq
	heap.Push(&v.timers, t)
	v.mu.Unlock()
	return t
}

// Advance moves the clock forward by d, firing every timer due on the way.
func (v *Virtual) Advance(d time.Duration) {
	v.AdvanceTo(v.Now().Add(d))
}

// AdvanceTo moves the clock to t (if t is later), firing due timers in
// order; each timer fires with the clock showing its deadline.
func (v *Virtual) AdvanceTo(t time.Time) {
	for {
		v.mu.Lock()
		if len(v.timers) == 0 || v.timers[0].at.After(t) {
			if t.After(v.now) {
				v.now = t
			}
			v.mu.Unlock()
			return
		}
		next := heap.Pop(&v.timers).(*vtimer)
		if next.at.After(v.now) {
			v.now = next.at
		}
		now := v.now
		v.mu.Unlock()
		next.fire(now)
	}
}

// NextTimer returns the deadline of the earliest pending timer.
func (v *Virtual) NextTimer() (time.Time, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.timers) == 0 {
		return time.Time{}, false
	}
	return v.timers[0].at, true
}

// AdvanceToNext jumps to the earliest pending timer and fires it (and any
// due at the same instant). It reports false when no timer is pending.
func (v *Virtual) AdvanceToNext() bool {
	at, ok := v.NextTimer()
	if !ok {
		return false
	}
	v.AdvanceTo(at)
	return true
}

type vtimer struct {
	clock *Virtual
	c     chan time.Time
	f     func()
	at    time.Time
	seq   uint64
	index int
}

func (t *vtimer) fire(now time.Time) {
	if t.f != nil {
		t.f()
		return
	}
	t.c <- now
}

func (t *vtimer) C() <-chan time.Time { return t.c }

func (t *vtimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&t.clock.timers, t.index)
	return true
}

type timerHeap []*vtimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*vtimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
