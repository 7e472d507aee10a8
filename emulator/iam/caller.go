package iam

import (
	"context"
	"fmt"
	"net/http"
)

// Caller is who sent an IAM or STS request, as the lab identified it from
// the request's signature. The Query handlers take it from the request's
// context (WithCaller) and never look at credentials themselves.
type Caller struct {
	// Account is the caller's account id.
	Account string
	// ARN is arn:aws:iam::ACCOUNT:root for the account root, or
	// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION for a role session.
	ARN string
	// UserID is the account id for the root, AROA…:SESSION for a session.
	UserID string
	// Role names the role of a role session ("" for the root). A role
	// session may do in IAM only what its role's policies allow.
	Role string
}

type callerKey struct{}

// WithCaller returns a context carrying the caller of a request, for the
// IAM and STS handlers to read.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller a context carries, if any.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// Root is the account root of the Service's account, the caller of a
// request the lab did not attribute to anyone else.
func (s *Service) Root() Caller {
	return Caller{Account: s.account, ARN: "arn:" + s.partition + ":iam::" + s.account + ":root", UserID: s.account}
}

// RoleSession is the caller for a session of role named session, with the
// role's RoleId in its UserID as STS gives it.
func (s *Service) RoleSession(roleName, session string) (Caller, error) {
	r, err := s.GetRole(roleName)
	if err != nil {
		return Caller{}, err
	}
	return Caller{
		Account: s.account,
		ARN:     "arn:" + s.partition + ":sts::" + s.account + ":assumed-role/" + r.RoleName + "/" + session,
		UserID:  r.RoleId + ":" + session,
		Role:    r.RoleName,
	}, nil
}

// authorize checks that a role session may call IAM's action on resource;
// the root may do anything. The denial follows S3's AccessDenied wording
// for IAM (*unverified*).
func (s *Service) authorize(c Caller, action, resource string) error {
	if c.Role == "" {
		return nil
	}
	d, err := s.Evaluate(c.Role, "iam:"+action, resource)
	if err != nil {
		d = Decision{} // the role is gone: nothing allows
	}
	if d.Allowed {
		return nil
	}
	why := "because no identity-based policy allows the iam:" + action + " action"
	if d.ExplicitDeny {
		why = "with an explicit deny in an identity-based policy"
	}
	return &Error{Code: "AccessDenied", Status: http.StatusForbidden,
		Message: fmt.Sprintf("User: %s is not authorized to perform: iam:%s on resource: %s %s", c.ARN, action, resource, why)}
}
