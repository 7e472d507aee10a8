package logs

import "sync"

// Subscription tells a reader about new events as they are stored, without
// polling: Ready fires when events are waiting and Take collects them. A
// Bubble Tea command can wait on Ready and hand Take's batch to Update as
// one message.
//
// Appending never waits for a reader. A reader that falls more than the
// store's per-group cap behind loses the oldest waiting events; Take says
// how many.
type Subscription struct {
	store *Store
	group string // "" for every group

	mu      sync.Mutex
	queue   []StoredEvent
	dropped int
	closed  bool
	ready   chan struct{}
}

// Subscribe returns a subscription to the events appended to group from
// now on (to every group's for ""), in the order each group stored them.
func (s *Store) Subscribe(group string) *Subscription {
	sub := &Subscription{store: s, group: group, ready: make(chan struct{}, 1)}
	s.subMu.Lock()
	defer s.subMu.Unlock()
	var subs []*Subscription
	if p := s.subs.Load(); p != nil {
		subs = append(subs, *p...)
	}
	subs = append(subs, sub)
	s.subs.Store(&subs)
	return sub
}

// Ready receives a value when events are waiting to be taken.
func (sub *Subscription) Ready() <-chan struct{} { return sub.ready }

// Take returns the waiting events, oldest first, and how many were dropped
// before them because the reader fell behind.
func (sub *Subscription) Take() (events []StoredEvent, dropped int) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	events, dropped = sub.queue, sub.dropped
	sub.queue, sub.dropped = nil, 0
	return events, dropped
}

// Close ends the subscription; nothing more is queued.
func (sub *Subscription) Close() {
	s := sub.store
	s.subMu.Lock()
	if p := s.subs.Load(); p != nil {
		subs := make([]*Subscription, 0, len(*p))
		for _, o := range *p {
			if o != sub {
				subs = append(subs, o)
			}
		}
		s.subs.Store(&subs)
	}
	s.subMu.Unlock()
	sub.mu.Lock()
	sub.closed = true
	sub.queue = nil
	sub.mu.Unlock()
}

// publish hands a stored event to the subscribers of its group; the caller
// holds the group's lock, which keeps each group's events in order.
func (s *Store) publish(group, stream string, e *event) {
	p := s.subs.Load()
	if p == nil || len(*p) == 0 {
		return
	}
	var ev StoredEvent
	made := false
	for _, sub := range *p {
		if sub.group != "" && sub.group != group {
			continue
		}
		if !made {
			ev, made = stored(group, stream, e), true
		}
		sub.push(ev, s.maxEvents)
	}
}

func (sub *Subscription) push(ev StoredEvent, limit int) {
	sub.mu.Lock()
	if sub.closed {
		sub.mu.Unlock()
		return
	}
	if len(sub.queue) >= limit {
		sub.queue[0] = StoredEvent{}
		sub.queue = sub.queue[1:]
		sub.dropped++
	}
	sub.queue = append(sub.queue, ev)
	sub.mu.Unlock()
	select {
	case sub.ready <- struct{}{}:
	default: // already signalled
	}
}
