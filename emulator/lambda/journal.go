package lambda

import (
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// Journal keeps the events Lambda accepted durable until they are done, so
// that a lab restarted from its data directory still delivers them (at least
// once, as Lambda's own queue does).
//
// Accepted is called once per event, before InvokeAsync returns (and so
// before S3 answers the write that caused the event); an error refuses the
// event. Attempted and Done may be recorded lazily: an event whose Done was
// lost in a crash is delivered again.
type Journal interface {
	Accepted(e JournalEntry) error
	Attempted(id string, attempts int)
	Done(id string)
}

// JournalEntry is one accepted event as the journal keeps it.
type JournalEntry struct {
	ID         string                 `json:"id"`
	Invocation notify.AsyncInvocation `json:"invocation"`
	Received   time.Time              `json:"received"`
	Attempts   int                    `json:"attempts,omitempty"`
}

// WithJournal keeps accepted events in j until they are done.
func WithJournal(j Journal) Option { return func(s *Service) { s.journal = j } }

// journalEntry returns ev as the journal keeps it.
func journalEntry(ev *event) JournalEntry {
	return JournalEntry{ID: ev.id, Invocation: ev.inv, Received: ev.received, Attempts: ev.attempts}
}

// eventDone marks ev finished: delivered, or given up on. The caller holds
// s.mu.
func (s *Service) eventDone(ev *event) {
	if s.journal != nil {
		s.journal.Done(ev.id)
	}
	s.done1()
}

// Restore queues events a journal kept from an earlier run, with their ids,
// receipt times and attempt counts: the event age counts from when S3 first
// sent them. Events of functions the lab no longer has are reported
// undeliverable and marked done.
func (s *Service) Restore(entries []JournalEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		name, ok := s.nameOf(e.Invocation.FunctionARN)
		fn := s.functions[name]
		if !ok || fn == nil || s.closed {
			s.bus.Publish(bus.EventUndeliverable{Header: s.stamp(), Function: notify.FunctionName(e.Invocation.FunctionARN),
				Reason: "restored event for a function this lab does not have"})
			if s.journal != nil {
				s.journal.Done(e.ID)
			}
			continue
		}
		ev, _ := s.newEvent(name, e.Invocation, e.Received)
		ev.id, ev.attempts = e.ID, e.Attempts
		fn.metrics.AsyncEventsReceived++
		s.pending++
		fn.queue = append(fn.queue, ev)
		s.bus.Publish(bus.InvocationQueued{Header: s.stamp(), Function: name, EventID: ev.id,
			Source: e.Invocation.Source + " (restored)", Chain: ev.chain, Depth: ev.depth, Payload: ev.payload})
	}
	s.wake()
}
