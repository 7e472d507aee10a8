// Package emulator is the lab: an AWS-shaped sandbox holding S3 buckets,
// Lambda functions, triggers and execution roles, wired as AWS wires them.
// Every write enters through the S3 HTTP API; every happening is published
// on the lab's event bus.
package emulator

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/control"
	"github.com/lambdalab/lambdalab/emulator/logs"
	"github.com/lambdalab/lambdalab/emulator/notify"
	"github.com/lambdalab/lambdalab/emulator/s3"
	"github.com/lambdalab/lambdalab/emulator/store"
)

// Lab is a running lab.
type Lab struct {
	file   *labfile.File
	bus    *bus.Bus
	clock  clock.Clock
	ids    *ids.Source
	s3     *s3.Server
	lambda *lambda.Service
	creds  *credentials
	server *httpServer
	// internal serves functions' processes when the lab serves no
	// endpoint of its own (a replay).
	internal *httpServer
	serveMu  sync.Mutex
	procs    *processes
	// builtinBootstrap re-execs lambdalab as a built-in handler's
	// bootstrap (WithBuiltinProcesses).
	builtinBootstrap []string
	writes           *writeLog
	iam              *iam.Service
	control          *control.Control
	keep             *keeper // with a data directory
	logStore         *logs.Store
	door             *door
	data             *store.Data
	closed           sync.Once
	// fileMu guards what of file changes while the lab runs (functions'
	// environments, which UpdateFunction keeps current) against readers on
	// S3 request goroutines.
	fileMu sync.RWMutex
}

// Option configures a lab.
type Option func(*settings)

type settings struct {
	clock       clock.Clock
	ids         *ids.Source
	idleTimeout time.Duration
	backend     gofakes3.Backend
	bus         *bus.Bus
	data        *store.Data
	verifySigs  bool
	cacheDir    string
	// builtinBootstrap: see WithBuiltinProcesses.
	builtinBootstrap []string
	bodyTimeout      time.Duration
}

// WithClock runs the lab on c (a *clock.Virtual for replays, a
// *clock.Scaled for --time-scale).
func WithClock(c clock.Clock) Option { return func(s *settings) { s.clock = c } }

// WithSeed makes every id the lab generates deterministic.
func WithSeed(seed uint64) Option {
	return func(s *settings) { s.ids = ids.NewSeeded(seed, seed^0x9e3779b97f4a7c15) }
}

// WithIdleTimeout sets how long idle execution environments stay warm.
func WithIdleTimeout(d time.Duration) Option { return func(s *settings) { s.idleTimeout = d } }

// WithBus publishes on b, so a subscriber that subscribed before New sees
// the lab being built (buckets created, triggers set, warnings).
func WithBus(b *bus.Bus) Option { return func(s *settings) { s.bus = b } }

// WithSignatureVerification checks the SigV4 signature of every request
// signed with a key the lab issued (the root's, RootAccessKeyID, and the
// functions' role sessions): a wrong secret gets SignatureDoesNotMatch.
func WithSignatureVerification() Option { return func(s *settings) { s.verifySigs = true } }

// WithBodyTimeout sets how long an S3 request body may stay idle before
// the request is answered RequestTimeout (default s3.DefaultBodyTimeout).
func WithBodyTimeout(d time.Duration) Option { return func(s *settings) { s.bodyTimeout = d } }

// New builds a lab from a checked lab file: buckets created, functions
// deployed, triggers configured through the same validation as the S3 API.
func New(f *labfile.File, opts ...Option) (*Lab, error) {
	st := settings{clock: clock.Wall{}, idleTimeout: lambda.DefaultIdleTimeout}
	for _, o := range opts {
		o(&st)
	}
	if st.ids == nil {
		st.ids = ids.NewRandom()
	}
	lambdaData, s3Data := st.dataOptions()
	if st.backend == nil {
		st.backend = s3mem.New(s3mem.WithTimeSource(clock.TimeSource{Clock: clock.Display(st.clock)}))
	}
	if st.bus == nil {
		st.bus = bus.New()
	}
	if st.cacheDir == "" {
		st.cacheDir = labfile.DefaultCacheDir()
	}
	l := &Lab{file: f, bus: st.bus, clock: st.clock, ids: st.ids, writes: newWriteLog(), data: st.data,
		procs: &processes{dir: st.cacheDir, region: f.Region}, builtinBootstrap: st.builtinBootstrap}
	l.iam = iam.New(labfile.DefaultAccount, "aws", iam.WithClock(l.display()), iam.WithIDs(l.ids.Fork()))
	l.creds = newCredentials(l.ids, labfile.DefaultAccount, l.iam)
	l.logStore = logs.New(logs.WithClock(l.display()), logs.WithRegion(f.Region), logs.WithAccount(labfile.DefaultAccount),
		logs.WithPersist(l.keepLog))
	l.lambda = lambda.New(append([]lambda.Option{
		lambda.WithClock(st.clock), lambda.WithBus(l.bus), lambda.WithIDs(st.ids),
		lambda.WithRegion(f.Region, labfile.DefaultAccount), lambda.WithAccountConcurrency(f.AccountConcurrency),
		lambda.WithIdleTimeout(st.idleTimeout), lambda.WithDeliverer(l.deliverRecord),
		lambda.WithCeiling(ceiling(f)), lambda.WithLogAccess(l.logAccess),
		lambda.WithVariables(l.functionVariables), lambda.WithLogStore(l.logStore),
	}, lambdaData...)...)
	store := notify.NewStore()
	dispatcher := &notify.Dispatcher{Store: store, Region: f.Region, OwnerPrincipalID: s3.RootPrincipalID(labfile.DefaultAccount),
		Invoker: l.lambda, Bus: l.bus}
	l.keepNotifications(store)
	s3Opts := append([]s3.Option{
		s3.WithRegion(f.Region, labfile.DefaultAccount), s3.WithBus(l.bus), s3.WithClock(clock.Display(st.clock)), s3.WithIDs(st.ids),
		s3.WithNotifications(store), s3.WithNotifier(l.writes.notifier(dispatcher)), s3.WithFunctionLookup(l.s3CanInvoke),
		s3.WithIdentifier(l.identify),
		s3.WithTriggerRisk(l.TriggerRisk),
	}, s3Data...)
	if st.verifySigs {
		s3Opts = append(s3Opts, s3.WithSignatureCheck(l.creds.secret))
	}
	if st.bodyTimeout > 0 {
		s3Opts = append(s3Opts, s3.WithBodyTimeout(st.bodyTimeout))
	}
	l.s3 = s3.New(st.backend, s3Opts...)
	if err := l.newControl(st.codeDir(l)); err != nil {
		l.Close()
		return nil, err
	}
	if err := l.keepServices(); err != nil {
		l.Close()
		return nil, err
	}
	l.door = l.newDoor()
	if err := l.start(); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func (l *Lab) deploy() error {
	for _, b := range l.file.Buckets {
		if err := l.s3.CreateBucket(b.Name); err != nil {
			return fmt.Errorf("create bucket %s: %w", b.Name, err)
		}
	}
	for _, fn := range l.file.Functions {
		if err := l.AddFunction(fn); err != nil {
			return err
		}
	}
	configs := l.file.Notifications()
	if err := l.allowTriggers(configs); err != nil {
		return err
	}
	for _, bucket := range slices.Sorted(maps.Keys(configs)) {
		// The file was checked: every risky trigger in it is acknowledged.
		opts := s3.NotificationOptions{AcknowledgeRecursion: true}
		if err := l.s3.SetNotificationConfiguration(bucket, configs[bucket], opts); err != nil {
			return fmt.Errorf("triggers of bucket %s: %w", bucket, err)
		}
	}
	return nil
}

// File is the lab file the lab was built from.
func (l *Lab) File() *labfile.File { return l.file }

// Bus is the lab's event bus.
func (l *Lab) Bus() *bus.Bus { return l.bus }

// Clock is the lab's clock: it runs waits (retries, event age, idle
// reclaim). Times shown to users come from clock.Display(Clock()).
func (l *Lab) Clock() clock.Clock { return l.clock }

// S3 is the lab's S3 endpoint handler.
func (l *Lab) S3() *s3.Server { return l.s3 }

// Lambda is the lab's Lambda service.
func (l *Lab) Lambda() *lambda.Service { return l.lambda }

// Handler serves every service of the lab (s3, lambda, logs, iam, sts) on
// one endpoint.
func (l *Lab) Handler() http.Handler { return l.door }

// WaitIdle waits until no event is queued or running. On a virtual clock it
// drives the clock: retries minutes away happen at once.
func (l *Lab) WaitIdle(ctx context.Context) error {
	if v, ok := l.clock.(*clock.Virtual); ok {
		return l.lambda.RunUntilIdle(ctx, v)
	}
	return l.lambda.WaitIdle(ctx)
}

// Close stops serving and stops the functions (and closes the data
// directory). It may be called more than once.
func (l *Lab) Close() { l.closed.Do(l.close) }

func (l *Lab) close() {
	if l.server != nil {
		l.server.close()
	}
	if l.control != nil {
		l.control.Close()
	}
	if l.lambda != nil {
		l.lambda.Close()
	}
	l.procs.close()
	if l.internal != nil {
		l.internal.close()
	}
	l.bus.Close()
	if l.keep != nil {
		_ = l.keep.logs.Close()
	}
	if l.data != nil {
		_ = l.data.Close()
	}
}

// stamp is the header of an event the lab publishes now, stamped with the
// time users see (the wall clock under --time-scale).
func (l *Lab) stamp() bus.Header { return bus.Header{Time: l.display().Now()} }

// display is the clock of the times users see.
func (l *Lab) display() clock.Clock { return clock.Display(l.clock) }

// virtual reports whether the lab runs on a virtual clock (a replay).
func (l *Lab) virtual() bool {
	_, ok := l.clock.(*clock.Virtual)
	return ok
}

// identify is the S3 layer's Identifier. A request from a function's role
// session first lets the function's processes' output catch up, so that
// what the function printed before the request is logged before it.
func (l *Lab) identify(accessKeyID string) (s3.Principal, bool) {
	p, ok := l.creds.lookup(accessKeyID)
	if ok {
		if _, function, found := strings.Cut(p.Name, "/"); found {
			l.lambda.SyncOutput(function)
		}
	}
	return p, ok
}

// codeDir is where the control plane keeps deployment packages: the data
// directory's code/, or a scratch directory of the lab's own that goes
// when it closes.
func (st settings) codeDir(l *Lab) string {
	if st.data != nil {
		return filepath.Join(st.data.Dir(), "code")
	}
	return filepath.Join(l.procs.dir, "code", "lab-"+l.ids.Fork().Hex(16))
}

// keepLog writes a stored log event to the data directory (not those
// replayed from there).
func (l *Lab) keepLog(ev logs.StoredEvent) {
	if l.keep != nil && l.keep.live.Load() {
		l.keep.logs.Keep(ev)
	}
}

// Settle runs what can run in a replay without its virtual clock moving:
// lifecycle for a scenario runner, not a service's internals.
func (l *Lab) Settle(ctx context.Context) error { return l.lambda.Settle(ctx) }

// RunUntilIdle moves a replay's virtual clock until nothing is queued or
// running.
func (l *Lab) RunUntilIdle(ctx context.Context, v *clock.Virtual) error {
	return l.lambda.RunUntilIdle(ctx, v)
}

// RunFor moves a replay's virtual clock by d, running what falls due.
func (l *Lab) RunFor(ctx context.Context, v *clock.Virtual, d time.Duration) error {
	return l.lambda.RunFor(ctx, v, d)
}

// Step moves a replay's virtual clock to the next moment anything happens;
// false when nothing is pending.
func (l *Lab) Step(ctx context.Context, v *clock.Virtual) (bool, error) { return l.lambda.Step(ctx, v) }
