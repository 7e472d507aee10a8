package iam

import (
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/ids"
)

// Service is IAM for one account: roles with their trust policies and
// inline policies, customer managed policies with versions, and AWS managed
// policies to attach. Its methods are IAM's operations, with IAM's errors
// (*Error); Handler serves them over IAM's Query API. It is safe for
// concurrent use.
type Service struct {
	account, partition string
	clock              clock.Clock
	ids                *ids.Source

	mu       sync.Mutex
	roles    map[string]*role          // by lower-case name: IAM names ignore case
	policies map[string]*managedPolicy // by ARN, AWS managed ones included
	hook     func(Change)
	pending  []Change

	// delivering is held by the goroutine handing pending changes to the
	// hook, so the hook sees them one at a time and in order.
	delivering sync.Mutex
}

// Change is a successful change to IAM's state, as the change hook is told.
type Change struct {
	// Action is the operation that made it, as IAM names it: "PutRolePolicy",
	// "CreatePolicyVersion", … ("Restore" for Restore).
	Action string
	// Roles are the roles the change touched: their permissions, their
	// trust policy, or the roles themselves (created, deleted).
	Roles []string
	// PolicyArn is the managed policy involved, if any.
	PolicyArn string
	// PolicyName is the inline policy involved, if any.
	PolicyName string
}

// Option configures a Service.
type Option func(*Service)

// WithClock stamps CreateDate and UpdateDate with c's time.
func WithClock(c clock.Clock) Option { return func(s *Service) { s.clock = c } }

// WithIDs makes role and policy ids from src, so a seeded lab is replayable.
func WithIDs(src *ids.Source) Option { return func(s *Service) { s.ids = src } }

// WithChangeHook registers f to hear of every change (see SetChangeHook).
func WithChangeHook(f func(Change)) Option { return func(s *Service) { s.hook = f } }

// New returns IAM for account in partition ("aws"), holding the AWS
// managed policies and nothing else.
func New(account, partition string, opts ...Option) *Service {
	s := &Service{account: account, partition: partition, clock: clock.Wall{},
		roles: map[string]*role{}, policies: map[string]*managedPolicy{}}
	for _, o := range opts {
		o(s)
	}
	if s.ids == nil {
		s.ids = ids.NewRandom()
	}
	for _, p := range awsManagedPolicies(partition) {
		s.policies[p.Arn] = p
	}
	return s
}

// Account is the account id the Service was made for.
func (s *Service) Account() string { return s.account }

// Partition is the ARN partition the Service was made for.
func (s *Service) Partition() string { return s.partition }

// SetChangeHook registers f to be called after every change to IAM's
// state, one change at a time, in the order they were made. f may read
// from the Service; a change f makes itself reaches f after f returns.
// When calls race, a change may reach f from another call, just after the
// call that made it has returned: evaluate a role's permissions from the
// Service (Evaluate, Permissions) rather than from a copy the hook keeps.
func (s *Service) SetChangeHook(f func(Change)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = f
}

// changed records a change for the hook. The caller holds s.mu and calls
// s.notify after releasing it.
func (s *Service) changed(c Change) {
	if s.hook != nil {
		s.pending = append(s.pending, c)
	}
}

// notify hands pending changes to the hook outside s.mu, so the hook may
// call the Service. Whoever holds delivering delivers every change made
// meanwhile: it looks again after letting go.
func (s *Service) notify() {
	for {
		if !s.delivering.TryLock() {
			return
		}
		for {
			s.mu.Lock()
			batch, hook := s.pending, s.hook
			s.pending = nil
			s.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			for _, c := range batch {
				if hook != nil {
					hook(c)
				}
			}
		}
		s.delivering.Unlock()
		s.mu.Lock()
		more := len(s.pending) > 0
		s.mu.Unlock()
		if !more {
			return
		}
	}
}

// update runs f, a change, under the lock and then tells the hook.
func (s *Service) update(f func() error) error {
	s.mu.Lock()
	err := f()
	s.mu.Unlock()
	s.notify()
	return err
}

// now is the time IAM stamps, to the second as IAM shows it.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

// uniqueID makes an IAM unique id: a prefix such as AROA (role) or ANPA
// (managed policy) and 17 upper-case characters.
func (s *Service) uniqueID(prefix string) string {
	return prefix + strings.ToUpper(s.ids.Hex(17))
}

func (s *Service) arn(kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:" + s.partition + ":iam::" + s.account + ":" + kind + path + name
}

// size is a policy's size as IAM's quotas count it: white space is free.
func size(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// Tag is a key and value attached to a role or policy.
type Tag struct {
	Key, Value string
}
