// Package printer renders the lab's event bus as log lines, for
// lambdalab serve: one line per S3 request, the S3 events sent to Lambda,
// and each invocation's lines as Lambda writes them, prefixed by the
// function's name.
package printer

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// Printer writes bus events to an io.Writer.
type Printer struct {
	w io.Writer
	// Verbose adds the lab's bookkeeping: environments, queueing, metrics.
	Verbose   bool
	pipelines *Pipelines
}

// New returns a printer writing to w.
func New(w io.Writer) *Printer { return &Printer{w: w, pipelines: NewPipelines()} }

// Run prints every event of sub until its channel closes.
func (p *Printer) Run(sub *bus.Subscription) {
	for ev := range sub.C() {
		p.Print(ev)
	}
}

func stamp(t time.Time) string { return t.UTC().Format("15:04:05.000") }

// object names an object for a log line. A key holding control characters
// is quoted in Go syntax: written raw, a newline would forge a log line
// and an escape sequence would drive the terminal.
func object(bucket, key string) string {
	if key == "" {
		return bucket
	}
	if strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) }) {
		return fmt.Sprintf("%s/%q", bucket, key)
	}
	return bucket + "/" + key
}

// visible writes a function's output line with its control characters
// (but tabs) escaped: raw, an escape sequence would drive the terminal.
func visible(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r != '\t' && (r < 0x20 || (r >= 0x7f && r < 0xa0)) }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r != '\t' && (r < 0x20 || (r >= 0x7f && r < 0xa0)) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Print writes one event (some events print nothing), and after the event
// that ends a pipeline run, the run's summary.
func (p *Printer) Print(ev bus.Event) {
	text := p.format(ev)
	if p.pipelines != nil {
		if s := p.pipelines.Observe(ev); s != "" {
			text = strings.TrimPrefix(text+"\n"+s, "\n")
		}
	}
	if text == "" {
		return
	}
	at := stamp(ev.At())
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(p.w, "%s %s\n", at, line)
	}
}

func (p *Printer) format(ev bus.Event) string {
	switch e := ev.(type) {
	case bus.S3Request:
		return s3Request(e)
	case bus.EventEmitted:
		return fmt.Sprintf("S3 event %s %s → %s (configuration %s)", e.EventName, object(e.Bucket, e.Key), e.Function, e.ConfigurationID)
	case bus.EventUndeliverable:
		return fmt.Sprintf("S3 event to %s not delivered: %s", e.Function, e.Reason)
	case bus.LogLine:
		return logLine(e)
	case bus.RuntimeNotice:
		return fmt.Sprintf("%s ! %s", e.Function, e.Message)
	case bus.InvocationThrottled:
		return fmt.Sprintf("%s ~ throttled (no concurrency left); Lambda tries again in %v", e.Function, e.Retry)
	case bus.InvocationRetryScheduled:
		return fmt.Sprintf("%s ~ attempt %d failed; Lambda retries in %v", e.Function, e.Attempt, e.Delay)
	case bus.InvocationDropped:
		return dropped(e)
	case bus.AccessDenied:
		return fmt.Sprintf("IAM denied %s %s on %s: %s", e.Principal, e.Action, e.Resource, e.Decision)
	case bus.LogsDenied:
		return fmt.Sprintf("%s ~ logs of environment %s are not stored: %s", e.Function, e.Stream, e.Reason)
	case bus.LoopStopped:
		return loopBlock(e)
	case bus.TriggerWarning:
		s := "S3 " + e.Bucket + ": WARNING " + e.Message
		if e.Acknowledged {
			s += " (acknowledged)"
		}
		return s
	case bus.DataRestored:
		s := fmt.Sprintf("data %s: restored %d buckets with their objects, triggers, policies and function settings; %d queued events sent again", e.Dir, e.Buckets, e.Events)
		if e.MadeFrom != e.Lab {
			s += fmt.Sprintf(" (the directory was made from lab %s, not %s: its buckets and triggers are kept)", e.MadeFrom, e.Lab)
		}
		return s
	case bus.BucketCreated:
		return "S3 bucket created: " + e.Bucket
	case bus.BucketDeleted:
		return "S3 bucket deleted: " + e.Bucket
	case bus.NotificationConfigured:
		if len(e.Configurations) == 0 {
			return fmt.Sprintf("S3 %s: notifications removed", e.Bucket)
		}
		return fmt.Sprintf("S3 %s: notification configuration set (%s)", e.Bucket, strings.Join(e.Configurations, ", "))
	}
	if !p.Verbose {
		return ""
	}
	return bookkeeping(ev)
}

// bookkeeping is the lab's own doings, printed when verbose.
func bookkeeping(ev bus.Event) string {
	switch e := ev.(type) {
	case bus.InvocationQueued:
		return fmt.Sprintf("%s ~ event %s queued (%s)", e.Function, e.EventID, e.Source)
	case bus.EnvironmentCreated:
		return fmt.Sprintf("%s ~ new execution environment %s (cold start)", e.Function, e.Stream)
	case bus.EnvironmentEnded:
		return fmt.Sprintf("%s ~ execution environment %s ended: %s", e.Function, e.Stream, e.Reason)
	case bus.ObjectChanged:
		return fmt.Sprintf("S3 %s %s size=%d etag=%s sequencer=%s", e.EventName, object(e.Bucket, e.Key), e.Size, e.ETag, e.Sequencer)
	}
	return ""
}

// s3Request is one request S3 answered, with its error.
func s3Request(e bus.S3Request) string {
	target := object(e.Bucket, e.Key)
	if target == "" {
		target = "/"
	}
	status := fmt.Sprint(e.Status)
	if e.ErrorCode != "" {
		status += " " + e.ErrorCode
		if e.Message != "" {
			status += ": " + e.Message
		}
	}
	return fmt.Sprintf("S3 %s %s %s %s (%s)", e.Method, target, e.Operation, status, e.Principal)
}

// logLine is a function's log event. One CloudWatch event may hold
// several lines (Python's runtime joins a traceback's with \r): each gets
// its own printed line.
func logLine(e bus.LogLine) string {
	var b strings.Builder
	for i, part := range strings.Split(e.Line, "\r") {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s | %s", e.Function, visible(part))
	}
	return b.String()
}

// dropped says why Lambda gave up on an event and where its record went.
func dropped(e bus.InvocationDropped) string {
	s := fmt.Sprintf("%s ~ event dropped: %s after %d attempt(s)", e.Function, e.Condition, e.Attempts)
	switch {
	case e.Error != "":
		s += "; the invocation record could not be written to " + e.Destination + ": " + e.Error
	case e.Destination != "":
		s += "; invocation record written to " + e.Destination
	default:
		s += "; no on-failure destination is configured, so the event is lost"
	}
	return s
}

// loopBlock renders a stopped loop as one block: what ran, the chain, and
// what to change.
func loopBlock(e bus.LoopStopped) string {
	var b strings.Builder
	if e.By == "lab-ceiling" {
		fmt.Fprintf(&b, "%s ■ RECURSIVE LOOP STOPPED BY LAMBDALAB'S CEILING after %d invocations (the function allows loops; AWS would not stop it)\n", e.Function, e.Invocations)
	} else {
		fmt.Fprintf(&b, "%s ■ RECURSIVE LOOP STOPPED by Lambda after %d invocations; the next event was dropped (RecursiveInvocationsDropped)\n", e.Function, e.Invocations)
	}
	fmt.Fprintf(&b, "%s ■ chain: %s\n", e.Function, e.Path)
	fmt.Fprintf(&b, "%s ■ to fix: %s", e.Function, e.Advice)
	return b.String()
}
