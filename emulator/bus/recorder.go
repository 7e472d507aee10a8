package bus

// Recorder keeps every event of a bus for later reading: the scenario
// transcript and tests use it. All returns exactly the events published
// before the call, in order (the bus delivers asynchronously; All publishes
// a marker and reads up to it).
type Recorder struct {
	bus    *Bus
	events chan Event
	all    []Event
	marks  int
}

// marker is published by All to learn that everything before it arrived.
type marker struct {
	Header
	n int
}

// Record subscribes to b and keeps what it publishes.
func Record(b *Bus) *Recorder {
	r := &Recorder{bus: b, events: make(chan Event, 1<<16)}
	sub := b.Subscribe()
	go func() {
		for ev := range sub.C() {
			r.events <- ev
		}
		close(r.events)
	}()
	return r
}

func (r *Recorder) keep(ev Event) {
	if _, ok := ev.(marker); !ok {
		r.all = append(r.all, ev)
	}
}

// All returns every event published before the call. It waits for them
// however long the bus takes (a stalled bus hangs the caller rather than
// answer with part of the events, which would let an assertion that
// something did not happen pass). It is not safe for concurrent use.
func (r *Recorder) All() []Event {
	r.marks++
	want := r.marks
	r.bus.Publish(marker{n: want})
	for ev := range r.events {
		r.keep(ev)
		if m, is := ev.(marker); is && m.n == want {
			return r.all
		}
	}
	// The bus closed: everything it ever published has been read.
	return r.all
}

// Poll returns the events that have arrived so far, without waiting.
func (r *Recorder) Poll() []Event {
	for {
		select {
		case ev, ok := <-r.events:
			if !ok {
				return r.all
			}
			r.keep(ev)
		default:
			return r.all
		}
	}
}
