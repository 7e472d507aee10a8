package lambda

import (
	"bytes"
	"strings"
	"sync"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// invocationLog collects one invocation's lines: the platform's (START,
// END, REPORT, errors) and the handler's own, which arrive through a logger
// in the handler's context. Each line is stored in the environment's stream
// and published on the bus at once, so a handler's lines stay between its
// own START and END however many invocations run together. After END it is
// closed: a handler goroutine still running after a timeout logs nothing.
type invocationLog struct {
	s         *Service
	function  string
	group     string
	stream    string
	requestID string
	// stored is false when the role may not write logs: nothing reaches
	// the log group (or the bus), as nothing would reach CloudWatch.
	stored bool

	mu      sync.Mutex
	partial bytes.Buffer
	closed  bool
	// tail keeps every line for a synchronous invoke's LogResult, which
	// Lambda returns whatever the role may write to CloudWatch.
	tail *[]string
}

// newInvocationLog returns the log of one invocation in env.
func (s *Service) newInvocationLog(function string, env *environment, requestID string, tail *[]string) *invocationLog {
	return &invocationLog{s: s, function: function, group: LogGroupName(function), stream: env.stream,
		requestID: requestID, stored: !env.noLogs, tail: tail}
}

// platform writes one line of Lambda's own.
func (l *invocationLog) platform(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushPartial()
	l.emit(line)
}

// emit stores and publishes a line; the caller holds l.mu.
func (l *invocationLog) emit(line string) {
	if l.closed {
		return
	}
	if l.tail != nil {
		*l.tail = append(*l.tail, line)
	}
	if !l.stored {
		return
	}
	now := l.s.display.Now()
	l.s.logs.Append(l.group, l.stream, LogEvent{Time: now, Message: line, RequestID: l.requestID})
	l.s.bus.Publish(bus.LogLine{Header: bus.Header{Time: now}, Function: l.function, RequestID: l.requestID, Stream: l.stream, Line: line})
}

// Write takes the handler's output and emits each complete line.
func (l *invocationLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return len(p), nil
	}
	l.partial.Write(p)
	for {
		data := l.partial.Bytes()
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(data[:i]), "\r")
		l.partial.Next(i + 1)
		l.emit(line)
	}
	return len(p), nil
}

func (l *invocationLog) flushPartial() {
	if l.partial.Len() > 0 {
		line := l.partial.String()
		l.partial.Reset()
		l.emit(line)
	}
}

func (l *invocationLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushPartial()
	l.closed = true
}
