package lambda

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// Deliverer writes an invocation record into the on-failure bucket, as the
// function's execution role.
type Deliverer func(ctx context.Context, function, bucket, key string, body []byte) error

// DefaultAccountConcurrency is the lab account's concurrency limit.
const DefaultAccountConcurrency = 10

// DefaultIdleTimeout is how long an unused execution environment lives.
const DefaultIdleTimeout = 10 * time.Minute

// Service is the lab's Lambda: its functions, their queues and environments.
type Service struct {
	clock        clock.Clock // waits: retries, event age, idle reclaim
	display      clock.Clock // what users see: timestamps of events, logs, records
	exec         clock.Clock // execution: durations, timeouts, handler sleeps
	virtual      bool
	bus          *bus.Bus
	ids          *ids.Source
	region       string
	account      string
	accountLimit int
	idleTimeout  time.Duration
	logs         *LogStore
	deliver      Deliverer
	memory       *memoryMeter
	turns        *turnstile // virtual clock only: one task runs at a time
	ceiling      Ceiling
	logAccess    LogAccess
	journal      Journal
	variables    func(function string) map[string]string
	denials      *denials // IAM's refusals of attempts' calls (denials.go)
	untap        func()

	mu                sync.Mutex
	functions         map[string]*Function
	chains            map[string]*chain
	unreservedRunning int
	pending           int // queued + running attempts + deliveries
	busy              int // attempts running real code + deliveries (busy.go)
	idle              *sync.Cond
	kick              chan struct{}
	done              chan struct{}
	closed            bool
	wg                sync.WaitGroup
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock of waits. A *clock.Virtual also drives execution
// (durations and timeouts), so a replay is deterministic.
func WithClock(c clock.Clock) Option {
	return func(s *Service) {
		s.clock, s.display = c, clock.Display(c)
		if v, ok := c.(*clock.Virtual); ok {
			s.exec, s.virtual = v, true
		}
	}
}

// WithBus publishes everything the service does on b.
func WithBus(b *bus.Bus) Option { return func(s *Service) { s.bus = b } }

// WithIDs sets the source of request and event ids.
func WithIDs(src *ids.Source) Option { return func(s *Service) { s.ids = src } }

// WithRegion sets the region and account in function ARNs.
func WithRegion(region, account string) Option {
	return func(s *Service) { s.region, s.account = region, account }
}

// WithAccountConcurrency sets the account's concurrency limit.
func WithAccountConcurrency(n int) Option { return func(s *Service) { s.accountLimit = n } }

// WithIdleTimeout sets how long an idle environment stays warm.
func WithIdleTimeout(d time.Duration) Option { return func(s *Service) { s.idleTimeout = d } }

// WithDeliverer sets how invocation records reach on-failure buckets.
func WithDeliverer(d Deliverer) Option { return func(s *Service) { s.deliver = d } }

// LogAccess reports whether a function's role lets Lambda write an
// environment's logs to its log group, and if not, why.
type LogAccess func(function, stream string) (ok bool, reason string)

// WithLogAccess checks each new environment's logging permissions; without
// it every environment may log.
func WithLogAccess(f LogAccess) Option { return func(s *Service) { s.logAccess = f } }

// WithVariables adds variables to every new environment of a function,
// beyond its configuration: the role's credentials and the lab's endpoint.
func WithVariables(f func(function string) map[string]string) Option {
	return func(s *Service) { s.variables = f }
}

// WithCeiling sets lambdalab's own limit on loops functions allow.
func WithCeiling(c Ceiling) Option { return func(s *Service) { s.ceiling = c } }

// New returns a running service; Close stops it.
func New(opts ...Option) *Service {
	s := &Service{
		clock:        clock.Wall{},
		display:      clock.Wall{},
		exec:         clock.Wall{},
		region:       "us-east-1",
		account:      "000000000000",
		accountLimit: DefaultAccountConcurrency,
		idleTimeout:  DefaultIdleTimeout,
		functions:    map[string]*Function{},
		chains:       map[string]*chain{},
		ceiling:      DefaultCeiling,
		kick:         make(chan struct{}, 1),
		done:         make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	if s.ids == nil {
		s.ids = ids.NewRandom()
	}
	if s.logs == nil {
		s.logs = NewLogStore(nil)
	}
	s.memory = newMemoryMeter(!s.virtual)
	s.denials = newDenials()
	s.untap = s.bus.Tap(s.denials.observe)
	s.idle = sync.NewCond(&s.mu)
	if s.virtual {
		s.turns = newTurnstile()
	} else {
		go s.loop()
	}
	return s
}

// stamp is the header of an event published now.
func (s *Service) stamp() bus.Header { return bus.Header{Time: s.display.Now()} }

// Logs is the store of the functions' log groups.
func (s *Service) Logs() *LogStore { return s.logs }

// AccountConcurrency is the account's concurrency limit.
func (s *Service) AccountConcurrency() int { return s.accountLimit }

// ARN is the function ARN of name in this lab.
func (s *Service) ARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.region, s.account, name)
}

// Function is one function: its configuration, queue and environments.
type Function struct {
	cfg     Config
	runtime Runtime
	queue   []*event
	running int
	idle    []*environment
	live    map[*environment]struct{}
	metrics counters
	// throttleStreak counts the throttles since an event last got in;
	// nextTry is when the head of the line may be tried again.
	throttleStreak int
	nextTry        time.Time
}

// AddFunction creates a function. Its configuration is checked against
// Lambda's limits; defaults are filled in.
func (s *Service) AddFunction(cfg Config, rt Runtime) error {
	cfg = cfg.WithDefaults()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := cfg.Validate(s.accountLimit); err != nil {
		return err
	}
	if _, ok := s.functions[cfg.Name]; ok {
		return &ParameterError{Type: "ResourceConflictException", Message: "Function already exist: " + cfg.Name}
	}
	if err := s.checkReservations(cfg, ""); err != nil {
		return err
	}
	s.functions[cfg.Name] = &Function{cfg: cfg, runtime: rt, live: map[*environment]struct{}{}}
	return nil
}

// UpdateFunction replaces a function's configuration. As on Lambda, the
// environments built with the old configuration are not reused.
func (s *Service) UpdateFunction(cfg Config) error {
	cfg = cfg.WithDefaults()
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, ok := s.functions[cfg.Name]
	if !ok {
		return notFound(s.ARN(cfg.Name))
	}
	if err := cfg.Validate(s.accountLimit); err != nil {
		return err
	}
	if err := s.checkReservations(cfg, cfg.Name); err != nil {
		return err
	}
	fn.cfg = cfg
	for env := range fn.live {
		env.stale = true
	}
	now := s.clock.Now()
	for _, env := range fn.idle {
		s.endEnvironment(fn, env, "configuration updated", now)
	}
	fn.idle = nil
	s.wake()
	return nil
}

func notFound(arn string) error {
	return &ParameterError{Type: "ResourceNotFoundException", Message: "Function not found: " + arn}
}

// checkReservations keeps the sum of reserved concurrency within the account.
func (s *Service) checkReservations(cfg Config, replacing string) error {
	if cfg.ReservedConcurrency == nil {
		return nil
	}
	total := *cfg.ReservedConcurrency
	for name, fn := range s.functions {
		if name != replacing && fn.cfg.ReservedConcurrency != nil {
			total += *fn.cfg.ReservedConcurrency
		}
	}
	if total > s.accountLimit {
		return &ParameterError{Type: "InvalidParameterValueException", Message: fmt.Sprintf(
			"Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [0]. (Reservations would total %d; the lab's account limit is %d.)",
			total, s.accountLimit)}
	}
	return nil
}

// Config returns a function's configuration.
func (s *Service) Config(name string) (Config, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, ok := s.functions[name]
	if !ok {
		return Config{}, false
	}
	return fn.cfg, true
}

// Names lists the functions, sorted.
func (s *Service) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sortedNames()
}

func (s *Service) sortedNames() []string {
	out := make([]string, 0, len(s.functions))
	for n := range s.functions {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// FunctionExists reports whether arn names a function of this lab, with or
// without the $LATEST qualifier: what S3 checks before accepting a trigger.
func (s *Service) FunctionExists(arn string) bool {
	name, ok := s.nameOf(arn)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok = s.functions[name]
	return ok
}

func (s *Service) nameOf(functionARN string) (string, bool) {
	f, err := arn.ParseFunction(functionARN)
	if err != nil || !f.Latest() || f.Unqualified().String() != s.ARN(f.Name) {
		return "", false
	}
	return f.Name, true
}

// InvokeAsync queues an event for a function, as S3's invocation does
// (InvocationType Event). It returns at once.
func (s *Service) InvokeAsync(inv notify.AsyncInvocation) error {
	name, ok := s.nameOf(inv.FunctionARN)
	if !ok {
		return notFound(inv.FunctionARN)
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, ok := s.functions[name]
	if !ok {
		return notFound(inv.FunctionARN)
	}
	if s.closed {
		return fmt.Errorf("lambda service is shut down")
	}
	ev, ch := s.newEvent(name, inv, now)
	fn.metrics.AsyncEventsReceived++
	s.pending++
	if s.stopRecursion(fn, ev, ch, now) {
		return nil
	}
	if s.journal != nil {
		// The event is durable before S3 answers. The lock is let go
		// meanwhile (the journal syncs to disk); pending keeps WaitIdle
		// waiting, and a lab closed meanwhile delivers it on restart.
		s.mu.Unlock()
		err := s.journal.Accepted(journalEntry(ev))
		s.mu.Lock()
		if err != nil {
			s.done1()
			return fmt.Errorf("lambda could not keep the event: %w", err)
		}
		if s.closed {
			s.done1()
			return nil
		}
	}
	fn.queue = append(fn.queue, ev)
	s.bus.Publish(bus.InvocationQueued{Header: s.stamp(), Function: name, EventID: ev.id, Source: inv.Source,
		Chain: ev.chain, Depth: ev.depth, Cause: ev.cause, Payload: ev.payload})
	s.wake()
	return nil
}

// wake asks the scheduler to look at the queues again. On a virtual clock
// the driver schedules (Settle, RunUntilIdle).
func (s *Service) wake() {
	if s.virtual {
		return
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// DeleteFunction removes a function, as Lambda's DeleteFunction does:
// events still queued for it are lost (Lambda cannot run them any more),
// idle environments end now and running ones when their attempt ends.
func (s *Service) DeleteFunction(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, ok := s.functions[name]
	if !ok {
		return notFound(s.ARN(name))
	}
	delete(s.functions, name)
	now := s.clock.Now()
	for _, ev := range fn.queue {
		s.bus.Publish(bus.EventUndeliverable{Header: s.stamp(), Function: name,
			Reason: "the function was deleted while the event waited in its queue"})
		s.eventDone(ev)
	}
	fn.queue = nil
	for env := range fn.live {
		env.stale = true
	}
	for _, env := range fn.idle {
		s.endEnvironment(fn, env, "function deleted", now)
	}
	fn.idle = nil
	return nil
}

// SyncOutput delivers every line a function's processes wrote so far, so
// that what the function printed before it sent a request is logged before
// the request itself. The lab calls it when a function's request arrives.
func (s *Service) SyncOutput(function string) {
	s.mu.Lock()
	var envs []*processEnv
	if fn, ok := s.functions[function]; ok {
		for env := range fn.live {
			if pe, ok := env.code.(*processEnv); ok {
				envs = append(envs, pe)
			}
		}
	}
	s.mu.Unlock()
	for _, pe := range envs {
		pe.sync()
	}
}

// SetRuntime replaces a function's code: environments made from now on run
// rt; the others are retired when they next finish or are next taken.
func (s *Service) SetRuntime(name string, rt Runtime) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, ok := s.functions[name]
	if !ok {
		return notFound(s.ARN(name))
	}
	fn.runtime = rt
	for env := range fn.live {
		env.stale = true
	}
	now := s.clock.Now()
	for _, env := range fn.idle {
		s.endEnvironment(fn, env, "code updated", now)
	}
	fn.idle = nil
	return nil
}

// Pending is the number of events queued or running and records being
// delivered.
func (s *Service) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}

// WaitIdle blocks until nothing is queued or running, or ctx ends.
func (s *Service) WaitIdle(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.idle.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.pending > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.idle.Wait()
	}
	return nil
}

// Close stops the scheduler and waits for running attempts to end. Queued
// events are left undelivered.
func (s *Service) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	s.untap()
	// Running environments are stopped: a process never outlives the lab.
	for _, fn := range s.functions {
		for env := range fn.live {
			env.code.Stop()
		}
	}
	s.mu.Unlock()
	if s.turns != nil {
		s.turns.abandon()
	}
	s.wg.Wait()
	s.memory.stop()
}
