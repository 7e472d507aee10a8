// Package logs is the lab's CloudWatch Logs: a store of log groups, streams
// and events that the Lambda service appends to as functions run, and the
// CloudWatch Logs API (JSON 1.1) in front of it, so the aws CLI
// (`aws logs tail --follow`), the SDKs and the lab's console all read the
// same logs through the same operations.
//
// Memory is bounded: each group keeps at most a configurable number of
// events (WithMaxEventsPerGroup); past it, the group's oldest event (the
// earliest timestamp, as retention would expire it) is dropped for each new
// one and counted in LogGroup.DroppedEvents.
package logs

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells the time used for ingestion times and for PutLogEvents' time
// window; the lab passes its display clock, tests a fixed one.
type Clock interface {
	Now() time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// DefaultMaxEventsPerGroup is how many events a group keeps unless
// WithMaxEventsPerGroup says otherwise: a day of a busy exercise, a few MB.
const DefaultMaxEventsPerGroup = 10000

// Store holds the lab's log groups. It is safe for concurrent use: each
// group has its own lock, so functions logging to different groups do not
// wait for each other.
type Store struct {
	clock     Clock
	region    string
	account   string
	maxEvents int
	persist   func(StoredEvent)

	seq atomic.Uint64 // the last event's sequence number

	mu     sync.RWMutex
	groups map[string]*group

	subMu sync.Mutex
	subs  atomic.Pointer[[]*Subscription]
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock that stamps ingestion times.
func WithClock(c Clock) Option { return func(s *Store) { s.clock = c } }

// WithMaxEventsPerGroup bounds the events a group keeps (n ≥ 1).
func WithMaxEventsPerGroup(n int) Option { return func(s *Store) { s.maxEvents = max(n, 1) } }

// WithPersist hands every event the store takes (appended, or put through
// PutLogEvents) to keep, as it is stored: the lab writes them to its data
// directory. keep runs under the group's lock, in the order of the group's
// events; it must be quick.
func WithPersist(keep func(StoredEvent)) Option { return func(s *Store) { s.persist = keep } }

// WithRegion sets the region in the ARNs the store reports.
func WithRegion(r string) Option { return func(s *Store) { s.region = r } }

// WithAccount sets the account id in the ARNs the store reports.
func WithAccount(a string) Option { return func(s *Store) { s.account = a } }

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{clock: wallClock{}, region: "us-east-1", account: "000000000000",
		maxEvents: DefaultMaxEventsPerGroup, groups: map[string]*group{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// group is one log group.
type group struct {
	mu        sync.RWMutex
	name      string
	created   int64
	retention int // days; 0 never expires
	streams   map[string]*stream
	count     int
	bytes     int64
	dropped   int64
	oldest    oldestFirst
	deleted   bool // set under mu when DeleteLogGroup removed it
}

func newGroup(name string, created int64) *group {
	return &group{name: name, created: created, streams: map[string]*stream{}}
}

// LogEvent is one line the lab appends: when it happened, what it says and
// the request id of the invocation that wrote it (metadata CloudWatch does
// not have, which lets the console show one invocation's lines).
type LogEvent struct {
	Time      time.Time
	Message   string
	RequestID string
}

// Append adds a line to group/stream, creating both as needed, as Lambda
// does for a function's log group and its environments' streams. Times are
// kept to the millisecond, CloudWatch's resolution.
func (s *Store) Append(group, stream string, ev LogEvent) {
	now := s.clock.Now().UnixMilli()
	e := event{ts: max(ev.Time.UnixMilli(), 0), ingest: now, msg: ev.Message, reqID: ev.RequestID}
	for {
		g := s.groupOrCreate(group, now)
		g.mu.Lock()
		if g.deleted { // deleted between lookup and lock: make it anew
			g.mu.Unlock()
			continue
		}
		st := g.streams[stream]
		if st == nil {
			st = newStream(stream, now)
			g.streams[stream] = st
		}
		st.uploads++
		st.lastIngest = now
		e.seq = s.seq.Add(1)
		s.add(g, st, e)
		g.mu.Unlock()
		return
	}
}

// add stores e in st and publishes it; the caller holds g.mu.
func (s *Store) add(g *group, st *stream, e event) {
	if st.insert(e) {
		g.oldest.update(st)
	}
	g.count++
	g.bytes += int64(len(e.msg))
	g.trim(s.maxEvents)
	if s.persist != nil {
		s.persist(StoredEvent{Group: g.name, Stream: st.name, Time: time.UnixMilli(e.ts).UTC(),
			Ingestion: time.UnixMilli(e.ingest).UTC(), Message: e.msg, RequestID: e.reqID, seq: e.seq})
	}
	s.publish(g.name, st.name, &e)
}

// trim drops the group's oldest events until it holds at most limit.
func (g *group) trim(limit int) {
	for g.count > limit {
		old := g.oldest[0]
		d := old.dropFirst()
		g.oldest.update(old)
		g.count--
		g.bytes -= int64(len(d.msg))
		g.dropped++
	}
}

func (s *Store) groupOrCreate(name string, now int64) *group {
	s.mu.RLock()
	g := s.groups[name]
	s.mu.RUnlock()
	if g != nil {
		return g
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if g = s.groups[name]; g == nil {
		g = newGroup(name, now)
		s.groups[name] = g
	}
	return g
}

func (s *Store) group(name string) (*group, error) {
	s.mu.RLock()
	g := s.groups[name]
	s.mu.RUnlock()
	if g == nil {
		return nil, errGroupNotFound()
	}
	return g, nil
}

// CreateLogGroup creates an empty group.
func (s *Store) CreateLogGroup(name string) error {
	if err := validGroupName(name, "logGroupName"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups[name] != nil {
		return errGroupExists()
	}
	s.groups[name] = newGroup(name, s.clock.Now().UnixMilli())
	return nil
}

// DeleteLogGroup deletes a group with its streams and events.
func (s *Store) DeleteLogGroup(name string) error {
	if err := validGroupName(name, "logGroupName"); err != nil {
		return err
	}
	s.mu.Lock()
	g := s.groups[name]
	delete(s.groups, name)
	s.mu.Unlock()
	if g == nil {
		return errGroupNotFound()
	}
	g.mu.Lock()
	g.deleted = true
	g.mu.Unlock()
	return nil
}

// CreateLogStream creates an empty stream in an existing group.
func (s *Store) CreateLogStream(groupName, name string) error {
	if err := validGroupName(groupName, "logGroupName"); err != nil {
		return err
	}
	if err := validStreamName(name, "logStreamName"); err != nil {
		return err
	}
	g, err := s.group(groupName)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.streams[name] != nil {
		return errStreamExists()
	}
	g.streams[name] = newStream(name, s.clock.Now().UnixMilli())
	return nil
}

// DeleteLogStream deletes a stream and its events.
func (s *Store) DeleteLogStream(groupName, name string) error {
	if err := validGroupName(groupName, "logGroupName"); err != nil {
		return err
	}
	g, err := s.group(groupName)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.streams[name]
	if st == nil {
		return errStreamNotFound()
	}
	delete(g.streams, name)
	for _, e := range st.events {
		g.bytes -= int64(len(e.msg))
	}
	g.count -= len(st.events)
	st.events, st.base = nil, nil
	g.oldest.update(st)
	return nil
}

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// PutRetentionPolicy sets how long the group's events are kept. lambdalab
// records it (DescribeLogGroups shows it, PutLogEvents rejects events older
// than it) but does not expire stored events: the per-group cap bounds them.
func (s *Store) PutRetentionPolicy(groupName string, days int) error {
	if err := validGroupName(groupName, "logGroupName"); err != nil {
		return err
	}
	i := sort.SearchInts(retentionDays, days)
	if i == len(retentionDays) || retentionDays[i] != days {
		return errConstraint(days, "retentionInDays", "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")
	}
	return s.setRetention(groupName, days)
}

// DeleteRetentionPolicy makes the group's events never expire.
func (s *Store) DeleteRetentionPolicy(groupName string) error {
	if err := validGroupName(groupName, "logGroupName"); err != nil {
		return err
	}
	return s.setRetention(groupName, 0)
}

func (s *Store) setRetention(groupName string, days int) error {
	g, err := s.group(groupName)
	if err != nil {
		return err
	}
	g.mu.Lock()
	g.retention = days
	g.mu.Unlock()
	return nil
}
