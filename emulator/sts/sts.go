// Package sts is the lab's AWS Security Token Service: GetCallerIdentity,
// which tells a caller who the lab takes them to be, and AssumeRole for
// role sessions. It serves STS's Query API (Version 2011-06-15, XML
// answers) and, like package iam, takes the caller from the request's
// context (iam.WithCaller): authentication is the lab's business.
package sts

import (
	"net/http"
	"time"

	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/ids"
)

// APIVersion is the Version STS's Query API answers to.
const APIVersion = "2011-06-15"

// namespace is the xmlns of STS's answers.
const namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// Credentials are temporary security credentials for a role session.
type Credentials struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
}

// Issuer makes the credentials of a role session that AssumeRole grants,
// valid until expires. The lab's credential store implements it, so that
// requests signed with them are known to be that session's.
type Issuer func(role iam.Role, session string, expires time.Time) (Credentials, error)

// Service is STS for the account of an IAM Service.
type Service struct {
	iam    *iam.Service
	ids    *ids.Source
	clock  clock.Clock
	issuer Issuer
}

// Option configures a Service.
type Option func(*Service)

// WithIDs makes request ids from src, so a seeded lab is replayable.
func WithIDs(src *ids.Source) Option { return func(s *Service) { s.ids = src } }

// WithClock dates credentials' expiry by c.
func WithClock(c clock.Clock) Option { return func(s *Service) { s.clock = c } }

// WithIssuer lets AssumeRole grant credentials made by f; without an
// issuer AssumeRole is refused.
func WithIssuer(f Issuer) Option { return func(s *Service) { s.issuer = f } }

// New returns STS for the account of roles.
func New(roles *iam.Service, opts ...Option) *Service {
	s := &Service{iam: roles, clock: clock.Wall{}}
	for _, o := range opts {
		o(s)
	}
	if s.ids == nil {
		s.ids = ids.NewRandom()
	}
	return s
}

// CallerIdentity is GetCallerIdentity's answer.
type CallerIdentity struct {
	Arn     string
	UserId  string
	Account string
}

// GetCallerIdentity says who caller is: its ARN, user id and account.
// Anyone may ask; no policy is needed.
func (s *Service) GetCallerIdentity(caller iam.Caller) CallerIdentity {
	return CallerIdentity{Arn: caller.ARN, UserId: caller.UserID, Account: caller.Account}
}

// Handler serves STS's Query API.
func (s *Service) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Service) serveHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := s.ids.UUID()
	if err := r.ParseForm(); err != nil {
		iam.WriteError(w, namespace, requestID, &iam.Error{Code: "InvalidInput", Status: http.StatusBadRequest,
			Message: "The request's parameters cannot be read: " + err.Error()})
		return
	}
	caller, ok := iam.CallerFrom(r.Context())
	if !ok {
		caller = s.iam.Root()
	}
	action, version := r.Form.Get("Action"), r.Form.Get("Version")
	var result any
	var err error
	switch {
	case version != APIVersion:
		err = invalidAction(action, version)
	case action == "GetCallerIdentity":
		result = s.GetCallerIdentity(caller)
	case action == "AssumeRole":
		result, err = s.assumeRole(caller, r.Form)
	default:
		err = invalidAction(action, version)
	}
	if err != nil {
		iam.WriteError(w, namespace, requestID, err)
		return
	}
	iam.WriteResult(w, namespace, action, requestID, result)
}

func invalidAction(action, version string) error {
	if version == "" {
		version = "NO_VERSION_SPECIFIED"
	}
	return &iam.Error{Code: "InvalidAction", Status: http.StatusBadRequest,
		Message: "Could not find operation " + action + " for version " + version}
}
