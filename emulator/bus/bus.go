// Package bus is the lab's event bus: every observable happening (a bucket
// created, an object written, an event emitted, an invocation started, logged
// or ended) is published here as one typed event. The serve log printer, the
// TUI and the scenario transcript are subscribers; none of them reaches into
// the emulator's internals.
package bus

import "sync"

// Bus fans events out to subscribers. Publishing never blocks and never drops:
// each subscriber has its own unbounded queue, so a slow reader delays only
// itself.
type Bus struct {
	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	taps   map[*tap]struct{}
	closed bool
}

// tap is one Tap's function.
type tap struct{ f func(Event) }

// New returns an empty bus.
func New() *Bus {
	return &Bus{subs: map[*Subscription]struct{}{}, taps: map[*tap]struct{}{}}
}

// Publish delivers e to every current subscriber, in publication order.
func (b *Bus) Publish(e Event) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	for t := range b.taps {
		t.f(e)
	}
	for s := range b.subs {
		s.push(e)
	}
}

// Tap calls f with every event published from now on, inside Publish:
// when Publish returns, f has seen the event. A subscription delivers
// later, on its own goroutine; a service that must know what another
// published before its own next step (Lambda, the S3 refusals of an
// attempt's calls before the attempt ends) taps instead. f runs under the
// bus's lock: it must be quick and must not publish. untap stops it.
func (b *Bus) Tap(f func(Event)) (untap func()) {
	if b == nil {
		return func() {}
	}
	t := &tap{f: f}
	b.mu.Lock()
	b.taps[t] = struct{}{}
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.taps, t)
		b.mu.Unlock()
	}
}

// Subscribe returns a subscription that receives every event published from
// now on.
func (b *Bus) Subscribe() *Subscription {
	s := &Subscription{bus: b, out: make(chan Event), done: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	b.mu.Lock()
	if b.closed {
		s.draining = true
	} else {
		b.subs[s] = struct{}{}
	}
	b.mu.Unlock()
	go s.run()
	return s
}

// Close stops publication. Every subscription delivers what it has queued
// and then closes its channel.
func (b *Bus) Close() {
	b.mu.Lock()
	subs := b.subs
	b.subs = map[*Subscription]struct{}{}
	b.closed = true
	b.mu.Unlock()
	for s := range subs {
		s.drain()
	}
}

// Subscription is one reader's view of the bus.
type Subscription struct {
	bus      *Bus
	mu       sync.Mutex
	cond     *sync.Cond
	queue    []Event
	draining bool
	out      chan Event
	done     chan struct{}
	once     sync.Once
}

// C is the channel of events. It is closed after Close, or after the bus is
// closed and everything queued has been delivered.
func (s *Subscription) C() <-chan Event { return s.out }

// Close abandons the subscription: queued events are discarded and C closes.
func (s *Subscription) Close() {
	s.bus.mu.Lock()
	delete(s.bus.subs, s)
	s.bus.mu.Unlock()
	s.once.Do(func() { close(s.done) })
	s.mu.Lock()
	s.cond.Broadcast()
	s.mu.Unlock()
}

func (s *Subscription) push(e Event) {
	s.mu.Lock()
	s.queue = append(s.queue, e)
	s.cond.Signal()
	s.mu.Unlock()
}

func (s *Subscription) drain() {
	s.mu.Lock()
	s.draining = true
	s.cond.Broadcast()
	s.mu.Unlock()
}

func (s *Subscription) abandoned() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func (s *Subscription) run() {
	defer close(s.out)
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.draining && !s.abandoned() {
			s.cond.Wait()
		}
		if s.abandoned() || len(s.queue) == 0 {
			s.mu.Unlock()
			return
		}
		e := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()
		select {
		case s.out <- e:
		case <-s.done:
			return
		}
	}
}
