package lambda

import (
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// Retry timing of asynchronous invocations, from the Lambda developer guide:
// function errors are retried after about 1 minute, then about 2; throttles
// back off exponentially from 1 second up to 5 minutes.
var (
	retryDelays        = []time.Duration{time.Minute, 2 * time.Minute}
	throttleFirstDelay = time.Second
	throttleMaxDelay   = 5 * time.Minute
)

// event is one asynchronous event in a function's queue.
type event struct {
	id        string
	inv       notify.AsyncInvocation
	payload   []byte
	trace     string
	source    string
	received  time.Time
	attempts  int
	notBefore time.Time // a retry after a function error waits until then
	// reply is set for a synchronous invocation: its one attempt's result
	// goes there, with no retry and no destination; tail gets its lines.
	reply     chan result
	tail      *[]string
	lastError *FunctionError
	chain     string
	depth     int
	cause     string // the event whose invocation's S3 write queued this one
}

func throttleDelay(n int) time.Duration {
	d := throttleFirstDelay
	for i := 1; i < n && d < throttleMaxDelay; i++ {
		d *= 2
	}
	return min(d, throttleMaxDelay)
}

// loop runs the scheduler until Close: it wakes on new events, finished
// attempts and due timers. (On a virtual clock there is no loop: whoever
// drives the clock also schedules, through Settle and RunUntilIdle.)
func (s *Service) loop() {
	for {
		next, ok := s.schedule()
		var timer <-chan time.Time
		var t interface{ Stop() bool }
		if ok {
			ct := s.clock.NewTimer(next.Sub(s.clock.Now()))
			timer, t = ct.C(), ct
		}
		select {
		case <-s.kick:
		case <-timer:
		case <-s.done:
			if t != nil {
				t.Stop()
			}
			return
		}
		if t != nil {
			t.Stop()
		}
	}
}

// schedule starts every event that may start now and returns when it must
// look again.
func (s *Service) schedule() (next time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return time.Time{}, false
	}
	now := s.clock.Now()
	later := func(t time.Time) {
		if !ok || t.Before(next) {
			next, ok = t, true
		}
	}
	for _, name := range s.sortedNames() {
		fn := s.functions[name]
		s.reclaimIdle(fn, now, later)
		s.scheduleQueue(fn, now, later)
	}
	return next, ok
}

// scheduleQueue runs through a function's queue in arrival order. Events
// flow into free slots the moment they free. A pass that finds the
// function full and started nothing tries the event at the head of the
// line, which is throttled; the line then backs off as Lambda's async
// queue does (1 s, doubling while nothing gets in, at most 5 minutes),
// and the events behind the head wait without being tried. (Lambda's
// pollers try more often under a backlog, so its Throttles metric runs
// higher; what a student sees, that no slot stays idle while events wait
// and that a function kept full backs off, is the same.) An event waiting
// for a retry after a function error keeps its place but is not in line
// until it is due. The caller holds s.mu.
func (s *Service) scheduleQueue(fn *Function, now time.Time, later func(time.Time)) {
	blocked, started := false, false
	kept := fn.queue[:0]
	for _, ev := range fn.queue {
		expires := ev.received.Add(fn.cfg.MaximumEventAge)
		switch {
		case now.After(expires):
			s.drop(fn, ev, "EventAgeExceeded", now)
			continue
		case ev.notBefore.After(now):
			later(ev.notBefore)
		case s.slotFree(fn):
			s.start(fn, ev, now)
			started, fn.throttleStreak = true, 0
			continue
		case !blocked:
			blocked = true
			if !started && !now.Before(fn.nextTry) {
				s.throttle(fn, ev, now)
			}
			if fn.nextTry.After(now) {
				later(fn.nextTry)
			}
		}
		later(expires.Add(time.Nanosecond))
		kept = append(kept, ev)
	}
	clear(fn.queue[len(kept):])
	fn.queue = kept
}

// throttle books a throttled try of ev, the head of fn's line, and the
// line's back-off. The caller holds s.mu.
func (s *Service) throttle(fn *Function, ev *event, now time.Time) {
	fn.throttleStreak++
	delay := throttleDelay(fn.throttleStreak)
	fn.nextTry = now.Add(delay)
	fn.metrics.Throttles++
	s.bus.Publish(bus.InvocationThrottled{Header: s.stamp(), Function: fn.cfg.Name, EventID: ev.id, Retry: delay})
	s.publishMetrics(fn.cfg.Name, fn, now)
}

// slotFree reports whether fn may run one more environment now.
func (s *Service) slotFree(fn *Function) bool {
	if r := fn.cfg.ReservedConcurrency; r != nil {
		return fn.running < *r
	}
	reserved := 0
	for _, f := range s.functions {
		if f.cfg.ReservedConcurrency != nil {
			reserved += *f.cfg.ReservedConcurrency
		}
	}
	return s.unreservedRunning < s.accountLimit-reserved
}

func (s *Service) start(fn *Function, ev *event, now time.Time) {
	fn.running++
	if fn.cfg.ReservedConcurrency == nil {
		s.unreservedRunning++
	}
	fn.metrics.noteConcurrency(fn.running)
	fn.metrics.AsyncEventAge = now.Sub(ev.received)
	// Said at once, so a subscriber sees concurrency rise as Lambda counts
	// it, when the event is handed to an environment; InvocationStarted
	// comes later (after the init phase; in a replay, in the lab's turn).
	s.publishMetrics(fn.cfg.Name, fn, now)
	env, cold := s.acquire(fn, now)
	ev.attempts++
	cfg := fn.cfg
	t := s.newTask()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t.begin()
		res := s.attempt(cfg, env, cold, ev, t)
		s.finish(fn, env, ev, res, t.end())
	}()
}

// finish books an attempt's outcome: the environment goes back to the warm
// pool or away, and the event succeeds, waits for a retry, or is dropped.
func (s *Service) finish(fn *Function, env *environment, ev *event, res result, busy bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if busy {
		s.busy--
		defer s.idle.Broadcast()
	}
	now := s.clock.Now()
	name := fn.cfg.Name
	fn.running--
	if fn.cfg.ReservedConcurrency == nil {
		s.unreservedRunning--
	}
	s.publishEnd(name, ev, res)
	fn.metrics.Invocations++
	fn.metrics.addDuration(res.duration)
	if res.err != nil {
		fn.metrics.Errors++
	}
	if res.endEnvironment != "" || env.stale || s.closed {
		reason := res.endEnvironment
		switch {
		case reason != "":
		case s.closed:
			reason = "shutdown"
		default:
			reason = "configuration updated"
		}
		s.endEnvironment(fn, env, reason, now)
	} else {
		env.lastUsed = now
		fn.idle = append(fn.idle, env)
	}
	switch {
	case ev.reply != nil:
		ev.reply <- res
		s.done1()
	case s.closed:
		// Shutting down: the attempt was cut short, not the event's fault.
		// A journal keeps the event as it was, for the next start.
		s.done1()
	case res.err == nil:
		s.eventDone(ev)
	case ev.attempts <= *fn.cfg.MaximumRetryAttempts:
		ev.lastError = res.err
		delay := retryDelays[min(ev.attempts-1, len(retryDelays)-1)]
		ev.notBefore = now.Add(delay)
		fn.queue = append(fn.queue, ev)
		if s.journal != nil {
			s.journal.Attempted(ev.id, ev.attempts)
		}
		s.bus.Publish(bus.InvocationRetryScheduled{Header: s.stamp(), Function: name, EventID: ev.id, Attempt: ev.attempts, Delay: delay})
	default:
		ev.lastError = res.err
		s.drop(fn, ev, "RetriesExhausted", now)
	}
	s.publishMetrics(name, fn, now)
	s.wake()
}

// done1 marks one unit of pending work finished.
func (s *Service) done1() {
	s.pending--
	if s.pending == 0 {
		s.idle.Broadcast()
	}
}

// environment is one execution environment of a function.
type environment struct {
	stream   string
	created  time.Time
	lastUsed time.Time
	code     Environment
	stale    bool
	// noLogs is true when the role may not write the environment's logs:
	// its lines never reach the log group.
	noLogs bool
}

// acquire takes a warm environment (the most recently used) or makes a new,
// cold one; its init phase runs in the attempt.
func (s *Service) acquire(fn *Function, now time.Time) (*environment, bool) {
	for n := len(fn.idle); n > 0; n = len(fn.idle) {
		env := fn.idle[n-1]
		fn.idle = fn.idle[:n-1]
		if pe, ok := env.code.(*processEnv); ok && pe.stale() {
			// Lambda deploys new code to new environments.
			s.endEnvironment(fn, env, "code changed", now)
			continue
		}
		return env, false
	}
	env := &environment{stream: LogStreamName(now, s.ids.Hex(32)), created: now}
	env.code = fn.runtime.NewEnvironment(s.environ(fn, env))
	if ip, ok := env.code.(*inProcessEnv); ok {
		ip.meter = s.memory
	}
	fn.live[env] = struct{}{}
	s.bus.Publish(bus.EnvironmentCreated{Header: s.stamp(), Function: fn.cfg.Name, Stream: env.stream})
	if s.logAccess != nil {
		if ok, reason := s.logAccess(fn.cfg.Name, env.stream); !ok {
			env.noLogs = true
			s.bus.Publish(bus.LogsDenied{Header: s.stamp(), Function: fn.cfg.Name, Stream: env.stream, Reason: reason})
		}
	}
	return env, true
}

func (s *Service) endEnvironment(fn *Function, env *environment, reason string, now time.Time) {
	if _, ok := fn.live[env]; !ok {
		return
	}
	delete(fn.live, env)
	env.code.Stop()
	s.bus.Publish(bus.EnvironmentEnded{Header: s.stamp(), Function: fn.cfg.Name, Stream: env.stream, Reason: reason})
}

// reclaimIdle ends environments unused for the idle timeout.
func (s *Service) reclaimIdle(fn *Function, now time.Time, later func(time.Time)) {
	kept := fn.idle[:0]
	for _, env := range fn.idle {
		expiry := env.lastUsed.Add(s.idleTimeout)
		if !now.Before(expiry) {
			s.endEnvironment(fn, env, "idle", now)
			continue
		}
		later(expiry)
		kept = append(kept, env)
	}
	clear(fn.idle[len(kept):])
	fn.idle = kept
}

func (s *Service) publishMetrics(name string, fn *Function, now time.Time) {
	m := fn.metrics.snapshot()
	m.ConcurrentExecutions = fn.running
	s.bus.Publish(bus.FunctionMetrics{Header: s.stamp(), Function: name, Metrics: m})
}

// Metrics returns a function's metrics.
func (s *Service) Metrics(name string) (bus.Metrics, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, ok := s.functions[name]
	if !ok {
		return bus.Metrics{}, false
	}
	m := fn.metrics.snapshot()
	m.ConcurrentExecutions = fn.running
	return m, true
}
