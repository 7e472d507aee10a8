package lambda

import (
	"fmt"
	"math"
	"sort"
	"sync"
	"time"
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

// LogEvent is one stored log line.
type LogEvent struct {
	Time      time.Time
	Message   string
	RequestID string
}

// maxStreamEvents bounds what one stream keeps; older lines are dropped and
// counted.
const maxStreamEvents = 10000

// LogStream is the log of one execution environment.
type LogStream struct {
	Name    string
	Created time.Time
	Events  []LogEvent
	Dropped int
}

// LogStore keeps the lab's log groups: /aws/lambda/NAME, one stream per
// execution environment. It is safe for concurrent use.
type LogStore struct {
	mu     sync.Mutex
	groups map[string]map[string]*LogStream
}

// NewLogStore returns an empty store.
func NewLogStore() *LogStore {
	return &LogStore{groups: map[string]map[string]*LogStream{}}
}

// Append adds a line to group/stream, creating both as needed.
func (s *LogStore) Append(group, stream string, ev LogEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[group]
	if g == nil {
		g = map[string]*LogStream{}
		s.groups[group] = g
	}
	st := g[stream]
	if st == nil {
		st = &LogStream{Name: stream, Created: ev.Time}
		g[stream] = st
	}
	if len(st.Events) >= maxStreamEvents {
		n := len(st.Events) / 10
		st.Events = append(st.Events[:0], st.Events[n:]...)
		st.Dropped += n
	}
	st.Events = append(st.Events, ev)
}

// Groups lists the log group names, sorted.
func (s *LogStore) Groups() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.groups))
	for g := range s.groups {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

// Streams returns copies of a group's streams, oldest first.
func (s *LogStore) Streams(group string) []LogStream {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]LogStream, 0, len(s.groups[group]))
	for _, st := range s.groups[group] {
		c := *st
		c.Events = append([]LogEvent(nil), st.Events...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Created.Equal(out[j].Created) {
			return out[i].Name < out[j].Name
		}
		return out[i].Created.Before(out[j].Created)
	})
	return out
}

// Invocation returns the stored lines of one request id, in order.
func (s *LogStore) Invocation(group, requestID string) []LogEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []LogEvent
	for _, st := range s.groups[group] {
		for _, ev := range st.Events {
			if ev.RequestID == requestID {
				out = append(out, ev)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}
