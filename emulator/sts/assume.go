package sts

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lambdalab/lambdalab/emulator/iam"
)

// AssumeRoleInput is AssumeRole's request.
type AssumeRoleInput struct {
	RoleArn         string
	RoleSessionName string
	// DurationSeconds defaults to 3600.
	DurationSeconds int32
}

// AssumedRole is what AssumeRole grants: a session of the role and its
// credentials.
type AssumedRole struct {
	Credentials Credentials
	Expiration  time.Time
	// AssumedRoleId is ROLEID:SESSION; Arn is the session's ARN.
	AssumedRoleId string
	Arn           string
}

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]*$`)

// AssumeRole grants caller a session of a role whose trust policy trusts
// it. The account root may not assume roles, as on AWS; a role session
// may, for at most an hour (role chaining), when the trust policy names
// its role or session, or names the account and the caller's own policies
// allow sts:AssumeRole on the role.
func (s *Service) AssumeRole(caller iam.Caller, in AssumeRoleInput) (AssumedRole, error) {
	if err := validate(in); err != nil {
		return AssumedRole{}, err
	}
	if s.issuer == nil {
		return AssumedRole{}, &iam.Error{Code: "NotImplemented", Status: http.StatusNotImplemented, Message: "this lab issues no credentials through AssumeRole"}
	}
	if caller.Role == "" {
		return AssumedRole{}, accessDenied("Roles may not be assumed by root accounts.")
	}
	denied := accessDenied(fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.ARN, in.RoleArn))
	role, ok := s.role(in.RoleArn)
	if !ok || !s.trusts(caller, role) {
		return AssumedRole{}, denied
	}
	d := time.Duration(cmpOr(in.DurationSeconds, 3600)) * time.Second
	switch {
	case d > time.Hour:
		return AssumedRole{}, validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	case d > time.Duration(role.MaxSessionDuration)*time.Second:
		return AssumedRole{}, validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	expires := s.clock.Now().UTC().Add(d).Truncate(time.Second)
	creds, err := s.issuer(role, in.RoleSessionName, expires)
	if err != nil {
		return AssumedRole{}, err
	}
	session, err := s.iam.RoleSession(role.RoleName, in.RoleSessionName)
	if err != nil {
		return AssumedRole{}, err
	}
	return AssumedRole{Credentials: creds, Expiration: expires, AssumedRoleId: session.UserID, Arn: session.ARN}, nil
}

func cmpOr(v, def int32) int32 {
	if v == 0 {
		return def
	}
	return v
}

// role finds the role an ARN of this account names.
func (s *Service) role(arn string) (iam.Role, bool) {
	prefix := "arn:" + s.iam.Partition() + ":iam::" + s.iam.Account() + ":role/"
	rest, ok := strings.CutPrefix(arn, prefix)
	if !ok {
		return iam.Role{}, false
	}
	r, err := s.iam.GetRole(rest[strings.LastIndexByte(rest, '/')+1:])
	if err != nil || r.Arn != arn {
		return iam.Role{}, false
	}
	return r, true
}

// trusts reports whether role's trust policy lets caller (a role session)
// assume it.
func (s *Service) trusts(caller iam.Caller, role iam.Role) bool {
	trust, err := s.iam.Trust(role.RoleName)
	if err != nil {
		return false
	}
	own, err := s.iam.GetRole(caller.Role)
	if err != nil {
		return false
	}
	const action = "sts:AssumeRole"
	if trust.Trusts("AWS", own.Arn, action) || trust.Trusts("AWS", caller.ARN, action) {
		return true
	}
	root := "arn:" + s.iam.Partition() + ":iam::" + s.iam.Account() + ":root"
	if !trust.Trusts("AWS", root, action) && !trust.Trusts("AWS", s.iam.Account(), action) {
		return false
	}
	d, err := s.iam.Evaluate(caller.Role, action, role.Arn)
	return err == nil && d.Allowed
}

func validate(in AssumeRoleInput) error {
	var v []string
	add := func(format string, args ...any) { v = append(v, fmt.Sprintf(format, args...)) }
	switch n := len(in.RoleArn); {
	case n == 0:
		add("Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	case n < 20:
		add("Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20", in.RoleArn)
	case n > 2048:
		add("Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048", in.RoleArn)
	}
	switch n := utf8.RuneCountInString(in.RoleSessionName); {
	case n == 0:
		add("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
	case n < 2:
		add("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2", in.RoleSessionName)
	case n > 64:
		add("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64", in.RoleSessionName)
	case !sessionNamePattern.MatchString(in.RoleSessionName):
		add("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", in.RoleSessionName)
	}
	if d := in.DurationSeconds; d != 0 && d < 900 {
		add("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", d)
	} else if d > 43200 {
		add("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200", d)
	}
	if len(v) == 0 {
		return nil
	}
	noun := "error"
	if len(v) > 1 {
		noun = "errors"
	}
	return validationError(fmt.Sprintf("%d validation %s detected: %s", len(v), noun, strings.Join(v, "; ")))
}

func validationError(msg string) error {
	return &iam.Error{Code: "ValidationError", Status: http.StatusBadRequest, Message: msg}
}

func accessDenied(msg string) error {
	return &iam.Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: msg}
}

type assumeRoleResult struct {
	Credentials struct {
		AccessKeyId     string
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	AssumedRoleUser struct {
		AssumedRoleId string
		Arn           string
	}
}

func (s *Service) assumeRole(caller iam.Caller, form url.Values) (any, error) {
	in := AssumeRoleInput{RoleArn: form.Get("RoleArn"), RoleSessionName: form.Get("RoleSessionName")}
	if d := form.Get("DurationSeconds"); d != "" {
		n, err := strconv.ParseInt(d, 10, 32)
		if err != nil {
			return nil, validationError(fmt.Sprintf("1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must be a whole number", d))
		}
		in.DurationSeconds = int32(n)
	}
	out, err := s.AssumeRole(caller, in)
	if err != nil {
		return nil, err
	}
	var r assumeRoleResult
	r.Credentials.AccessKeyId, r.Credentials.SecretAccessKey, r.Credentials.SessionToken = out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken
	r.Credentials.Expiration = out.Expiration.Format("2006-01-02T15:04:05Z")
	r.AssumedRoleUser.AssumedRoleId, r.AssumedRoleUser.Arn = out.AssumedRoleId, out.Arn
	return r, nil
}
