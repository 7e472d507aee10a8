package tui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// inboxSize is how many messages may wait for the UI before senders block
// (the bus forwarder) or drop (upload progress, which the next report
// supersedes).
const inboxSize = 1024

// Inbox carries the outside world into the program: the lab's bus events
// and upload progress. Several goroutines send into it, so it is never
// closed; Close ends it instead, after which every send is dropped and every
// sender and reader returns.
type Inbox struct {
	c      chan tea.Msg
	ctx    context.Context
	cancel context.CancelFunc
}

// NewInbox returns an open inbox.
func NewInbox() *Inbox {
	ctx, cancel := context.WithCancel(context.Background())
	return &Inbox{c: make(chan tea.Msg, inboxSize), ctx: ctx, cancel: cancel}
}

// Close ends the inbox; it is safe to call more than once, and from any
// goroutine.
func (in *Inbox) Close() {
	if in != nil {
		in.cancel()
	}
}

// Context is cancelled when the inbox closes: work started for the UI
// (an upload) stops with it.
func (in *Inbox) Context() context.Context {
	if in == nil {
		return context.Background()
	}
	return in.ctx
}

// send delivers msg, waiting for room; it reports false once the inbox is
// closed.
func (in *Inbox) send(msg tea.Msg) bool {
	if in == nil {
		return false
	}
	select {
	case <-in.ctx.Done():
		return false
	default:
	}
	select {
	case in.c <- msg:
		return true
	case <-in.ctx.Done():
		return false
	}
}

// offer delivers msg if there is room now, and drops it otherwise.
func (in *Inbox) offer(msg tea.Msg) {
	if in == nil || in.ctx.Err() != nil {
		return
	}
	select {
	case in.c <- msg:
	default: // the UI is behind; it will see the next report
	}
}

// wait is the command that delivers the next message (nil for no inbox:
// tests feed the bus in themselves, and nil after Close).
func (in *Inbox) wait() tea.Cmd {
	if in == nil {
		return nil
	}
	return func() tea.Msg {
		if in.ctx.Err() != nil {
			return nil
		}
		select {
		case msg := <-in.c:
			return msg
		case <-in.ctx.Done():
			return nil
		}
	}
}

// Forward copies a bus subscription into the inbox until either ends; when
// the subscription ends first, the UI is told that the lab is gone.
func Forward(sub *bus.Subscription, in *Inbox) {
	for ev := range sub.C() {
		if !in.send(busMsg{ev}) {
			return
		}
	}
	in.send(labClosedMsg{})
}
