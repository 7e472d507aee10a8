package lambda

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// MaxRecursiveInvocations is where Lambda stops an S3 → Lambda → S3 chain:
// the event that would make the 17th invocation is not delivered.
const MaxRecursiveInvocations = 16

// Ceiling is lambdalab's own limit for loops a function allows
// (RecursiveLoop: Allow): not AWS's, a guard so a laptop never melts.
type Ceiling struct {
	Invocations int
	Duration    time.Duration
}

// DefaultCeiling is 1,000 invocations in one chain or 60 s of loop.
var DefaultCeiling = Ceiling{Invocations: 1000, Duration: 60 * time.Second}

// Drop conditions of recursion, as invocation records and the bus name them.
// (The condition string Lambda writes for a recursive drop is unverified.)
const (
	ConditionRecursive  = "RecursiveInvocationDropped"
	ConditionLabCeiling = "LambdalabRecursionCeiling"
	StoppedByLambda     = "lambda"
	StoppedByLabCeiling = "lab-ceiling"
	lineageField        = "Lineage="
	traceSampled        = "Sampled=0"
)

// Lineage is the recursion bookkeeping Lambda keeps in the trace header: the
// chain an invocation belongs to and its number in that chain. The field's
// exact format on AWS is not public; ours is Lineage=<chain>:<count>.
type Lineage struct {
	Chain string
	Count int
}

// Trace is an X-Amzn-Trace-Id.
type Trace struct {
	Root    string
	Parent  string
	Lineage Lineage
}

// String renders the header value.
func (t Trace) String() string {
	return fmt.Sprintf("Root=%s;Parent=%s;%s;%s%s:%d", t.Root, t.Parent, traceSampled, lineageField, t.Lineage.Chain, t.Lineage.Count)
}

// ParseTrace reads an X-Amzn-Trace-Id; ok is false when it has no Root.
func ParseTrace(h string) (t Trace, ok bool) {
	for _, part := range strings.Split(h, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			t.Root = v
		case "Parent":
			t.Parent = v
		case "Lineage":
			chain, count, found := strings.Cut(v, ":")
			if n, err := strconv.Atoi(count); found && err == nil && n >= 0 {
				t.Lineage = Lineage{Chain: chain, Count: n}
			}
		}
	}
	if t.Root == "" {
		return Trace{}, false
	}
	if t.Lineage.Chain == "" {
		t.Lineage.Chain = chainID(t.Root)
	}
	return t, true
}

func chainID(root string) string {
	sum := sha256.Sum256([]byte(root))
	return hex.EncodeToString(sum[:4])
}

// newRoot makes an X-Ray root id: 1-<epoch seconds, 8 hex>-<24 hex>.
func (s *Service) newRoot(at time.Time) string {
	return fmt.Sprintf("1-%08x-%s", at.Unix(), s.ids.Hex(24))
}

// chain is what the service knows of one lineage.
type chain struct {
	id      string
	started time.Time
	seen    time.Time
	path    []string // object, function, object, function, ...
	stopped bool
	// causes maps the trace segment an event's attempts run under (its
	// header's Parent) to the event id: an S3 write under that segment was
	// caused by that event.
	causes map[string]string
}

// maxChainCauses bounds the segments a chain remembers (a fan-out of ten
// thousand).
const maxChainCauses = 10000

// maxChainPath bounds the hops a chain remembers.
const maxChainPath = 64

func (c *chain) hop(object, function string) {
	if len(c.path) < maxChainPath {
		c.path = append(c.path, object, function)
	}
}

// Describe renders the chain for people: the hops, with a repeating cycle
// shown once and counted.
func (c *chain) Describe(invocations int) string {
	if len(c.path) == 0 {
		return ""
	}
	cycle := 2
	for cycle < len(c.path) && !(c.path[cycle] == c.path[0] && c.path[cycle+1] == c.path[1]) {
		cycle += 2
	}
	if cycle >= len(c.path) {
		return strings.Join(c.path, " → ") + " → …"
	}
	return strings.Join(c.path[:cycle], " → ") + " → " + c.path[0] + fmt.Sprintf(" → … (%d invocations)", invocations)
}

// newEvent makes the queued event for inv, continuing the chain of the
// request that caused it (or starting one), and records the hop. The
// caller holds s.mu.
func (s *Service) newEvent(function string, inv notify.AsyncInvocation, now time.Time) (*event, *chain) {
	tr, ok := ParseTrace(inv.Trace)
	if !ok {
		tr = Trace{Root: s.newRoot(now)}
		tr.Lineage = Lineage{Chain: chainID(tr.Root)}
	}
	ch := s.chains[tr.Lineage.Chain]
	if ch == nil {
		s.pruneChains(now)
		ch = &chain{id: tr.Lineage.Chain, started: now, causes: map[string]string{}}
		s.chains[ch.id] = ch
	}
	ch.seen = now
	ch.hop(inv.Object, function)
	depth := tr.Lineage.Count + 1
	next := Trace{Root: tr.Root, Parent: s.ids.Hex(16), Lineage: Lineage{Chain: ch.id, Count: depth}}
	id := s.ids.UUID()
	var cause string
	if ok {
		cause = ch.causes[tr.Parent]
	}
	if len(ch.causes) < maxChainCauses {
		ch.causes[next.Parent] = id
	}
	return &event{
		id:       id,
		cause:    cause,
		inv:      inv,
		payload:  inv.Payload,
		trace:    next.String(),
		source:   inv.Source,
		received: now,
		chain:    ch.id,
		depth:    depth,
	}, ch
}

// stopRecursion drops ev when its chain has gone too far: past 16
// invocations for a function that terminates loops (Lambda's detection), or
// past the lab's ceiling for one that allows them. The caller holds s.mu.
func (s *Service) stopRecursion(fn *Function, ev *event, ch *chain, now time.Time) bool {
	var by, condition string
	switch {
	case fn.cfg.RecursiveLoop != RecursiveLoopAllow && ev.depth > MaxRecursiveInvocations:
		by, condition = StoppedByLambda, ConditionRecursive
		fn.metrics.RecursiveInvocationsDropped++
	case fn.cfg.RecursiveLoop == RecursiveLoopAllow &&
		(ev.depth > s.ceiling.Invocations || now.Sub(ch.started) > s.ceiling.Duration):
		by, condition = StoppedByLabCeiling, ConditionLabCeiling
	default:
		return false
	}
	if !ch.stopped {
		ch.stopped = true
		s.bus.Publish(bus.LoopStopped{
			Header: s.stamp(), Function: fn.cfg.Name, Chain: ch.id, Invocations: ev.depth - 1,
			Path: ch.Describe(ev.depth - 1), By: by, Advice: loopAdvice(by),
		})
	}
	s.drop(fn, ev, condition, now)
	return true
}

func loopAdvice(by string) string {
	if by == StoppedByLabCeiling {
		return "this function allows recursive loops (recursiveLoop: Allow); lambdalab stopped it at its own ceiling, which AWS does not have: on AWS it would run on and bill you"
	}
	return "write the output to a different bucket (OUTPUT_BUCKET), or filter the trigger with a prefix that the output does not match (uploads/ in, resized/ out), or make the handler skip objects it wrote itself (a metadata marker)"
}

// pruneChains forgets chains quiet for ten minutes, once there are many.
func (s *Service) pruneChains(now time.Time) {
	if len(s.chains) < 10000 {
		return
	}
	for id, c := range s.chains {
		if now.Sub(c.seen) > 10*time.Minute {
			delete(s.chains, id)
		}
	}
}
