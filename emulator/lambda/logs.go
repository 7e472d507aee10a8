package lambda

import (
	"fmt"
	"math"
	"time"

	"github.com/lambdalab/lambdalab/emulator/logs"
)

// The platform's log lines, in Lambda's exact formats.

// StartLine is the first line of an invocation.
func StartLine(requestID string) string {
	return fmt.Sprintf("START RequestId: %s Version: $LATEST", requestID)
}

// EndLine closes an invocation.
func EndLine(requestID string) string {
	return fmt.Sprintf("END RequestId: %s", requestID)
}

// Report is what a REPORT line says.
type Report struct {
	RequestID     string
	Duration      time.Duration
	MemorySize    int // MB
	MaxMemoryUsed int // MB
	// InitDuration is set on the first invocation of an environment.
	InitDuration time.Duration
	Cold         bool
}

// BilledDuration is the duration rounded up to the next millisecond, as
// Lambda bills it, and at least 1 ms.
func BilledDuration(d time.Duration) time.Duration {
	return max(time.Duration(math.Ceil(float64(d)/float64(time.Millisecond)))*time.Millisecond, time.Millisecond)
}

// ms renders a duration as Lambda does: milliseconds with two decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// Line renders the REPORT line (tab-separated, as Lambda writes it).
func (r Report) Line() string {
	s := fmt.Sprintf("REPORT RequestId: %s\tDuration: %s\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		r.RequestID, ms(r.Duration), BilledDuration(r.Duration)/time.Millisecond, r.MemorySize, r.MaxMemoryUsed)
	if r.Cold {
		s += "\tInit Duration: " + ms(r.InitDuration)
	}
	return s
}

// TimeoutLine is the platform's line when an invocation runs out of time.
func TimeoutLine(at time.Time, requestID string, timeout time.Duration) string {
	return fmt.Sprintf("%s %s Task timed out after %.2f seconds", at.UTC().Format("2006-01-02T15:04:05.000Z"), requestID, timeout.Seconds())
}

// TimeoutMessage is the errorMessage of a timed-out invocation.
func TimeoutMessage(timeout time.Duration) string {
	return fmt.Sprintf("Task timed out after %.2f seconds", timeout.Seconds())
}

// LogGroupName is the CloudWatch log group of a function.
func LogGroupName(function string) string { return "/aws/lambda/" + function }

// LogStreamName names an environment's stream as Lambda does:
// YYYY/MM/DD/[$LATEST]<32 hex digits>.
func LogStreamName(at time.Time, hex32 string) string {
	return at.UTC().Format("2006/01/02") + "/[$LATEST]" + hex32
}

// LogEvent is one line of a log stream.
type LogEvent struct {
	Time      time.Time
	Message   string
	RequestID string
}

// LogStream is the log of one execution environment.
type LogStream struct {
	Name    string
	Created time.Time
	Events  []LogEvent
}

// LogStore is the Lambda service's view of CloudWatch Logs: it writes each
// environment's lines to the lab's log store (the one the Logs API serves)
// and reads them back for the console and scenarios.
type LogStore struct {
	store *logs.Store
}

// NewLogStore returns a view of store (a new one when nil).
func NewLogStore(store *logs.Store) *LogStore {
	if store == nil {
		store = logs.New()
	}
	return &LogStore{store: store}
}

// WithLogStore writes the functions' logs to store.
func WithLogStore(store *logs.Store) Option { return func(s *Service) { s.logs = NewLogStore(store) } }

// Store is the CloudWatch Logs store behind the view.
func (s *LogStore) Store() *logs.Store { return s.store }

// Append adds a line to group/stream, creating both as needed.
func (s *LogStore) Append(group, stream string, ev LogEvent) {
	s.store.Append(group, stream, logs.LogEvent{Time: ev.Time, Message: ev.Message, RequestID: ev.RequestID})
}

// Groups lists the log group names, sorted.
func (s *LogStore) Groups() []string {
	var out []string
	for _, g := range s.store.Groups() {
		out = append(out, g.LogGroupName)
	}
	return out
}

// Streams lists a group's streams, oldest first, with their lines.
func (s *LogStore) Streams(group string) []LogStream {
	streams, err := s.store.Streams(group)
	if err != nil {
		return nil
	}
	out := make([]LogStream, 0, len(streams))
	for _, st := range streams {
		ls := LogStream{Name: st.LogStreamName, Created: time.UnixMilli(st.CreationTime).UTC()}
		for _, ev := range s.store.Events(group, st.LogStreamName) {
			ls.Events = append(ls.Events, LogEvent{Time: ev.Time, Message: ev.Message, RequestID: ev.RequestID})
		}
		out = append(out, ls)
	}
	return out
}

// Invocation returns the stored lines of one request id, in order.
func (s *LogStore) Invocation(group, requestID string) []LogEvent {
	var out []LogEvent
	for _, ev := range s.store.Invocation(group, requestID) {
		out = append(out, LogEvent{Time: ev.Time, Message: ev.Message, RequestID: ev.RequestID})
	}
	return out
}
