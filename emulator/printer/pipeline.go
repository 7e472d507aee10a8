package printer

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// Pipelines recognises pipeline runs among the invocations on the bus and
// sums each one up when it is over: a video split into chunks, encoded
// chunk by chunk and merged, or any other fan-out and fan-in of functions
// that trigger each other through S3.
//
// A run is a recursion chain. Lambda carries a chain's lineage in the
// trace header: an upload from outside starts a chain (its event has depth
// 1), and every event caused by a function's S3 write continues its
// cause's chain one level deeper. The events of one level are one stage.
// A chain is a pipeline run when it fans out (some stage has more than one
// event), so a lone invocation or a loop of one event per level is not
// summed up. It is over when none of its events is queued, running or
// waiting for a retry: every one ended ok or was dropped. A function's
// writes reach Lambda before the function ends (S3 queues the event before
// it answers the PUT), so a run is never taken for over between a stage
// and the next.
//
// Concurrency is Lambda's count, from the functions' metrics: how many
// executions of the run's functions were going at once (those of another
// run of the same functions at the same time count too, as they share the
// concurrency).
type Pipelines struct {
	runs    map[string]*pipelineRun // by chain
	events  map[string]*pipelineRun // by event id
	running map[string]int          // function → executions now
}

// pipelineRun is what is known of one chain so far.
type pipelineRun struct {
	chain       string
	source      string // the object whose event started it
	started     time.Time
	stages      map[int]map[string]int // depth → function → events
	outstanding int                    // events not yet ok or dropped
	maxRunning  int
	throttles   int
	retries     int
	dropped     int
}

// NewPipelines returns a tracker with no runs.
func NewPipelines() *Pipelines {
	return &Pipelines{runs: map[string]*pipelineRun{}, events: map[string]*pipelineRun{}, running: map[string]int{}}
}

// Observe takes the next bus event and returns the summary line of the
// run it ends, or "".
func (p *Pipelines) Observe(ev bus.Event) string {
	switch e := ev.(type) {
	case bus.InvocationQueued:
		p.queued(e)
	case bus.FunctionMetrics:
		p.concurrency(e)
	case bus.InvocationEnded:
		if p.events[e.EventID] != nil && e.Status == "ok" {
			return p.settle(e.EventID, e.At())
		}
	case bus.InvocationThrottled:
		if r := p.events[e.EventID]; r != nil {
			r.throttles++
		}
	case bus.InvocationRetryScheduled:
		if r := p.events[e.EventID]; r != nil {
			r.retries++
		}
	case bus.InvocationDropped:
		if r := p.events[e.EventID]; r != nil {
			r.dropped++
			return p.settle(e.EventID, e.At())
		}
	}
	return ""
}

// queued counts a new event into its chain's run. An event queued again
// (a lab restarted on its data directory) is not counted twice.
func (p *Pipelines) queued(e bus.InvocationQueued) {
	if e.Chain == "" || p.events[e.EventID] != nil {
		return
	}
	r := p.runs[e.Chain]
	if r == nil {
		if e.Depth != 1 {
			return // a chain that began before we were listening
		}
		source, _, _ := strings.Cut(strings.TrimPrefix(e.Source, "s3:"), " ")
		r = &pipelineRun{chain: e.Chain, source: source, started: e.At(), stages: map[int]map[string]int{}}
		p.runs[e.Chain] = r
	}
	if r.stages[e.Depth] == nil {
		r.stages[e.Depth] = map[string]int{}
	}
	r.stages[e.Depth][e.Function]++
	r.outstanding++
	p.events[e.EventID] = r
}

// concurrency notes a function's executions now, and the most each run
// of it has seen.
func (p *Pipelines) concurrency(e bus.FunctionMetrics) {
	p.running[e.Function] = e.Metrics.ConcurrentExecutions
	for _, r := range p.runs {
		if !r.uses(e.Function) {
			continue
		}
		counted := map[string]bool{} // a function may serve several stages
		n := 0
		for _, fns := range r.stages {
			for fn := range fns {
				if !counted[fn] {
					counted[fn] = true
					n += p.running[fn]
				}
			}
		}
		r.maxRunning = max(r.maxRunning, n)
	}
}

func (r *pipelineRun) uses(function string) bool {
	for _, fns := range r.stages {
		if fns[function] > 0 {
			return true
		}
	}
	return false
}

// settle marks an event done; when it was its run's last, the run is
// forgotten and, if it fanned out, summed up.
func (p *Pipelines) settle(eventID string, at time.Time) string {
	r := p.events[eventID]
	delete(p.events, eventID)
	r.outstanding--
	if r.outstanding > 0 {
		return ""
	}
	delete(p.runs, r.chain)
	if !r.fannedOut() {
		return ""
	}
	return r.summary(at)
}

func (r *pipelineRun) fannedOut() bool {
	for _, fns := range r.stages {
		n := 0
		for _, c := range fns {
			n += c
		}
		if n > 1 {
			return true
		}
	}
	return false
}

// summary says the run in one line: its stages, how long it took on the
// lab's clock, and what held it back.
func (r *pipelineRun) summary(end time.Time) string {
	var stages []string
	total := 0
	for _, depth := range slices.Sorted(maps.Keys(r.stages)) {
		var fns []string
		for _, fn := range slices.Sorted(maps.Keys(r.stages[depth])) {
			fns = append(fns, fmt.Sprintf("%s ×%d", fn, r.stages[depth][fn]))
			total += r.stages[depth][fn]
		}
		stages = append(stages, strings.Join(fns, " + "))
	}
	s := fmt.Sprintf("pipeline %s: %s: %d invocations in %v (lab time), at most %d at once, %s, %s",
		r.source, strings.Join(stages, " → "), total, end.Sub(r.started).Round(time.Millisecond), r.maxRunning,
		plural(r.throttles, "throttle"), plural(r.retries, "retry", "retries"))
	if r.dropped > 0 {
		s += fmt.Sprintf(", %s DROPPED", plural(r.dropped, "event"))
	}
	return s
}

// plural says n things: "1 throttle", "3 throttles", "2 retries".
func plural(n int, one string, many ...string) string {
	if n == 1 {
		return "1 " + one
	}
	if len(many) > 0 {
		return fmt.Sprintf("%d %s", n, many[0])
	}
	return fmt.Sprintf("%d %ss", n, one)
}
