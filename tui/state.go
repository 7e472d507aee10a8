package tui

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/bus"
)

// objectRow is one object as the Objects pane lists it.
type objectRow struct {
	Key      string
	Size     int64
	Modified time.Time
	ETag     string
}

// bucketState is what the UI knows of a bucket: its objects, sorted by key,
// kept current from the bus after one listing, and its triggers.
type bucketState struct {
	Name     string
	Objects  []objectRow
	Triggers []triggerRow
	// triggersAsked numbers the last reload of the triggers asked for; an
	// older answer that lands later is dropped.
	triggersAsked int
}

// triggerRow is one Lambda configuration of a bucket's notification
// configuration. Every view of triggers (the Lab pane's λ, a function's
// Triggers, the remove dialog) reads these rows, parsed once.
type triggerRow struct {
	ID        string
	ARN       string
	Function  string // the function's name; "" when ARN is not a function ARN
	Qualifier string // $LATEST, a version or an alias; "" when unqualified
	Events    []string
	Prefix    string
	Suffix    string
}

// newTriggerRow reads a configuration as S3 returns it.
func newTriggerRow(l types.LambdaFunctionConfiguration) triggerRow {
	t := triggerRow{ID: aws.ToString(l.Id), ARN: aws.ToString(l.LambdaFunctionArn)}
	if fn, err := arn.ParseFunction(t.ARN); err == nil {
		t.Function, t.Qualifier = fn.Name, fn.Qualifier
	}
	for _, e := range l.Events {
		t.Events = append(t.Events, string(e))
	}
	if l.Filter != nil && l.Filter.Key != nil {
		for _, r := range l.Filter.Key.FilterRules {
			switch strings.ToLower(string(r.Name)) {
			case "prefix":
				t.Prefix = aws.ToString(r.Value)
			case "suffix":
				t.Suffix = aws.ToString(r.Value)
			}
		}
	}
	return t
}

// filter is the trigger's key filter as the console reads it, e.g.
// " (prefix uploads/, suffix .jpg)", or "" without one.
func (t triggerRow) filter() string {
	var parts []string
	if t.Prefix != "" {
		parts = append(parts, "prefix "+printable(t.Prefix))
	}
	if t.Suffix != "" {
		parts = append(parts, "suffix "+printable(t.Suffix))
	}
	if parts == nil {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// target is the function a trigger invokes, as a user reads it: the name,
// its qualifier, or the ARN as written when it names no function.
func (t triggerRow) target() string {
	switch {
	case t.Function == "":
		return t.ARN
	case t.Qualifier != "":
		return t.Function + ":" + t.Qualifier
	}
	return t.Function
}

func (b *bucketState) find(key string) (int, bool) {
	i := sort.Search(len(b.Objects), func(i int) bool { return b.Objects[i].Key >= key })
	return i, i < len(b.Objects) && b.Objects[i].Key == key
}

func (b *bucketState) upsert(o objectRow) {
	i, ok := b.find(o.Key)
	if ok {
		b.Objects[i] = o
		return
	}
	b.Objects = append(b.Objects, objectRow{})
	copy(b.Objects[i+1:], b.Objects[i:])
	b.Objects[i] = o
}

func (b *bucketState) remove(key string) {
	if i, ok := b.find(key); ok {
		b.Objects = append(b.Objects[:i], b.Objects[i+1:]...)
	}
}

// invocation is one row of the Invocations pane: an attempt, or an event
// waiting for one.
type invocation struct {
	EventID   string
	RequestID string
	Function  string
	Time      time.Time
	Status    string
	Attempt   int
	Duration  time.Duration
	Depth     int
	Chain     string
	Source    string
	Payload   []byte
	Error     string
	Logs      []string
	Waiting   bool        // queued, throttled or waiting for a retry
	Denied    *bus.Denial // the IAM refusal it failed on, if it did
	// Cause is the event whose invocation wrote the object that queued
	// this one ("" for a write from outside): the pipeline tree's edges.
	Cause string
	// The lab times of the attempt's life, for the pipeline views: when it
	// began to wait (queued, or its retry scheduled), started and ended
	// (or was dropped), and the throttles it met while it waited.
	Queued, Started, Ended time.Time
	Throttles              []time.Time // the first maxThrottleTimes
	Throttled              int
	// startSeq and endSeq are the bus order of the start and end: on a
	// virtual clock many happen at one instant, and only their order says
	// which attempts ran at once.
	startSeq, endSeq int
	retry            bool      // the row of a retry, which its failed attempt scheduled
	due              time.Time // when a retry's back-off ends
	// initAt and initSeq are when a cold attempt's execution environment
	// was created: from then on the attempt held its slot, initialising.
	initAt  time.Time
	initSeq int
}

// maxThrottleTimes bounds the throttle times kept per attempt; Throttled
// counts them all.
const maxThrottleTimes = 64

// maxInvocations bounds the history; older rows are dropped and counted.
const maxInvocations = 10000

// history is the Invocations pane's data, fed by the bus.
type history struct {
	rows      []*invocation
	dropped   int
	byRequest map[string]*invocation
	waiting   map[string]*invocation // event id → row waiting for an attempt
	events    map[string]*invocation // event id → latest row
	durations map[string][]time.Duration
	loops     []bus.LoopStopped
	// early are the lines an attempt logs before it starts (its init
	// phase: the runtime's errors, INIT_REPORT), by request id.
	early map[string][]string
	// seq numbers the events applied; latest is the newest one's lab time
	// (what "now" is to a view of a virtual clock).
	seq    int
	latest time.Time
	// envs are the execution environments created and not yet used by an
	// attempt, by log stream: a cold attempt's init began there.
	envs map[string]envCreated
}

// envCreated is when an execution environment was created.
type envCreated struct {
	at  time.Time
	seq int
}

// maxEnvs bounds the environments remembered before their first attempt.
const maxEnvs = 1000

func newHistory() *history {
	return &history{byRequest: map[string]*invocation{}, waiting: map[string]*invocation{},
		events: map[string]*invocation{}, durations: map[string][]time.Duration{}, early: map[string][]string{},
		envs: map[string]envCreated{}}
}

// maxEarly bounds the init lines kept for attempts not started yet.
const maxEarly = 200

func (h *history) add(inv *invocation) {
	if len(h.rows) >= maxInvocations {
		n := maxInvocations / 10
		for _, old := range h.rows[:n] {
			delete(h.byRequest, old.RequestID)
			if h.events[old.EventID] == old {
				delete(h.events, old.EventID)
			}
			if h.waiting[old.EventID] == old {
				delete(h.waiting, old.EventID)
			}
		}
		h.rows = append(h.rows[:0], h.rows[n:]...)
		h.dropped += n
	}
	h.rows = append(h.rows, inv)
	h.events[inv.EventID] = inv
	if inv.Waiting {
		h.waiting[inv.EventID] = inv
	}
}

// accessDenied is the status of an attempt that failed on an IAM refusal.
const accessDenied = "access-denied"

// apply folds one bus event into the history; it reports whether anything
// changed.
func (h *history) apply(ev bus.Event) bool {
	h.seq++
	if t := ev.At(); t.After(h.latest) {
		h.latest = t
	}
	if e, ok := ev.(bus.EnvironmentCreated); ok {
		if len(h.envs) >= maxEnvs {
			clear(h.envs) // environments whose attempt never started
		}
		h.envs[e.Stream] = envCreated{e.Time, h.seq}
	}
	switch e := ev.(type) {
	case bus.InvocationQueued:
		h.add(&invocation{EventID: e.EventID, Function: e.Function, Time: e.Time, Status: "queued", Attempt: 1,
			Depth: e.Depth, Chain: e.Chain, Source: e.Source, Payload: e.Payload, Waiting: true, Cause: e.Cause, Queued: e.Time})
	case bus.InvocationThrottled:
		if w := h.waiting[e.EventID]; w != nil {
			w.Status = "throttled"
			w.Throttled++
			if len(w.Throttles) < maxThrottleTimes {
				w.Throttles = append(w.Throttles, e.Time)
			}
		}
	case bus.InvocationStarted:
		h.started(e)
	case bus.LogLine:
		h.logLine(e)
	case bus.InvocationEnded:
		return h.ended(e)
	case bus.InvocationRetryScheduled:
		prev := h.events[e.EventID]
		inv := &invocation{EventID: e.EventID, Function: e.Function, Time: e.Time.Add(e.Delay),
			Status: "retry " + strconv.Itoa(e.Attempt), Attempt: e.Attempt + 1, Waiting: true, Queued: e.Time, retry: true, due: e.Time.Add(e.Delay)}
		if prev != nil {
			inv.Depth, inv.Chain, inv.Source, inv.Payload, inv.Cause = prev.Depth, prev.Chain, prev.Source, prev.Payload, prev.Cause
		}
		h.add(inv)
	case bus.InvocationDropped:
		h.drop(e)
	case bus.LoopStopped:
		h.loops = append(h.loops, e)
	default:
		return false
	}
	return true
}

// started turns the row waiting for the event into its attempt.
func (h *history) started(e bus.InvocationStarted) {
	inv := h.waiting[e.EventID]
	if inv == nil {
		inv = &invocation{EventID: e.EventID, Function: e.Function, Depth: e.Depth, Chain: e.Chain, Queued: e.Time}
		h.add(inv)
	}
	delete(h.waiting, e.EventID)
	inv.Waiting = false
	inv.RequestID, inv.Time, inv.Attempt, inv.Status = e.RequestID, e.Time, e.Attempt, "running"
	inv.Started, inv.startSeq = e.Time, h.seq
	if env, ok := h.envs[e.Environment]; ok && e.Cold {
		inv.initAt, inv.initSeq = env.at, env.seq
	}
	delete(h.envs, e.Environment)
	inv.Logs = append(h.early[e.RequestID], inv.Logs...)
	delete(h.early, e.RequestID)
	h.byRequest[e.RequestID] = inv
}

// ended records how an attempt ended; it reports false for an attempt
// the history does not know.
func (h *history) ended(e bus.InvocationEnded) bool {
	inv := h.byRequest[e.RequestID]
	if inv == nil {
		return false
	}
	inv.Status, inv.Duration, inv.Error, inv.Denied = e.Status, e.Duration, e.Error, e.Denied
	inv.Ended, inv.endSeq = e.Time, h.seq
	if e.Denied != nil {
		inv.Status = accessDenied
	}
	d := append(h.durations[e.Function], e.Duration)
	if len(d) > 60 {
		d = d[len(d)-60:]
	}
	h.durations[e.Function] = d
	return true
}

// logLine adds a log line to its attempt. A line before the attempt
// started (its environment's init) waits for it; a retry's attempt has the
// request id of the one before, which has ended.
func (h *history) logLine(e bus.LogLine) {
	lines := logLines(e.Line)
	if inv := h.byRequest[e.RequestID]; inv != nil && inv.Status == "running" {
		inv.Logs = append(inv.Logs, lines...)
		return
	}
	if len(h.early) > maxEarly {
		clear(h.early) // attempts that never started
	}
	if len(h.early[e.RequestID]) < maxEarly {
		h.early[e.RequestID] = append(h.early[e.RequestID], lines...)
	}
}

// logLines are the lines of one log event, shown safely: Lambda's Python
// runtime writes a traceback as one event whose lines end in \r.
func logLines(event string) []string {
	event = strings.ReplaceAll(event, "\r\n", "\n")
	var out []string
	for _, l := range strings.FieldsFunc(event, func(r rune) bool { return r == '\r' || r == '\n' }) {
		out = append(out, printable(l))
	}
	if len(out) == 0 {
		out = append(out, "")
	}
	return out
}

// drop marks the row waiting for a dropped event, or adds one: an event
// dropped as it arrived (a loop's) never had a row.
func (h *history) drop(e bus.InvocationDropped) {
	status := "dropped"
	if e.Recursive {
		status = "dropped-loop"
	}
	if inv := h.waiting[e.EventID]; inv != nil {
		inv.Status, inv.Waiting, inv.Error = status, false, e.Condition
		inv.Ended, inv.endSeq = e.Time, h.seq
		delete(h.waiting, e.EventID)
		return
	}
	prev := h.events[e.EventID]
	inv := &invocation{EventID: e.EventID, Function: e.Function, Time: e.Time, Status: status, Error: e.Condition,
		Depth: e.Depth, Chain: e.Chain, Source: e.Source, Payload: e.Payload, Attempt: e.Attempts,
		Queued: e.Time, Ended: e.Time, endSeq: h.seq}
	if prev != nil {
		inv.Depth, inv.Chain, inv.Source, inv.Payload, inv.Attempt = prev.Depth, prev.Chain, prev.Source, prev.Payload, prev.Attempt
		inv.Cause = prev.Cause
	}
	h.add(inv)
}

// loopOf returns the stop of a chain, if it was stopped.
func (h *history) loopOf(chain string) (bus.LoopStopped, bool) {
	for _, l := range h.loops {
		if l.Chain == chain {
			return l, true
		}
	}
	return bus.LoopStopped{}, false
}
