package control

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/arn"
)

// Statement is one statement of a function's resource policy, in the shape
// GetPolicy returns.
type Statement struct {
	Sid       string
	Effect    string
	Principal Principal
	Action    string
	Resource  string
	Condition map[string]map[string]string `json:",omitempty"`
}

// Principal is a statement's principal: a service, an account or role, or
// everyone ("*").
type Principal struct {
	Service string
	AWS     string
	Anyone  bool
}

// MarshalJSON writes the principal as a policy does.
func (p Principal) MarshalJSON() ([]byte, error) {
	switch {
	case p.Anyone:
		return []byte(`"*"`), nil
	case p.Service != "":
		return json.Marshal(map[string]string{"Service": p.Service})
	}
	return json.Marshal(map[string]string{"AWS": p.AWS})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Principal) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*p = Principal{Anyone: s == "*"}
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*p = Principal{Service: m["Service"], AWS: m["AWS"]}
	return nil
}

// policyDocument is the resource policy as GetPolicy returns it.
type policyDocument struct {
	Version   string
	Id        string
	Statement []Statement
}

var (
	statementIDPattern = regexp.MustCompile(`^[a-zA-Z0-9-_]+$`)
	actionPattern      = regexp.MustCompile(`^(lambda:[*]|lambda:[a-zA-Z]+|[*])$`)
	accountPattern     = regexp.MustCompile(`^\d{12}$`)
)

// AddPermission adds a statement to the function's resource policy, as
// the console's "Add trigger" and `aws lambda add-permission` do: it lets
// the principal (s3.amazonaws.com) invoke the function, from SourceArn
// and SourceAccount when given.
func (c *Control) AddPermission(in AddPermissionInput) (AddPermissionOutput, error) {
	st, err := c.statement(in)
	if err != nil {
		return AddPermissionOutput{}, err
	}
	c.mu.Lock()
	r, err := c.parseName(in.FunctionName, in.Qualifier)
	if err == nil && r.Qualifier == arn.Latest {
		err = invalid("We currently do not support adding policies for $LATEST.")
	}
	var f *function
	if err == nil {
		f, err = c.lookup(r)
	}
	if err == nil && in.RevisionId != "" && in.RevisionId != f.conf.RevisionId {
		err = revisionMismatch("GetPolicy")
	}
	if err == nil {
		for _, s := range f.policy {
			if s.Sid == in.StatementId {
				err = errorf(ErrResourceConflict, "The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", in.StatementId)
			}
		}
	}
	if err != nil {
		c.mu.Unlock()
		return AddPermissionOutput{}, err
	}
	st.Resource = f.conf.FunctionArn
	f.policy = append(f.policy, st)
	f.conf.RevisionId = c.revision()
	c.mu.Unlock()
	b, _ := json.Marshal(st)
	c.notify(Change{Op: "AddPermission", Function: r.Name})
	return AddPermissionOutput{Statement: string(b)}, nil
}

// statement checks AddPermission's members and builds the statement.
func (c *Control) statement(in AddPermissionInput) (Statement, *Error) {
	if !statementIDPattern.MatchString(in.StatementId) {
		return Statement{}, errorf(ErrValidation, "1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)", in.StatementId)
	}
	if !actionPattern.MatchString(in.Action) {
		// *unverified*: the action member's pattern in AWS's message.
		return Statement{}, errorf(ErrValidation, "1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])", in.Action)
	}
	st := Statement{Sid: in.StatementId, Effect: "Allow", Action: in.Action}
	switch p := in.Principal; {
	case p == "*":
		st.Principal = Principal{Anyone: true}
	case strings.HasSuffix(p, ".amazonaws.com"):
		st.Principal = Principal{Service: p}
	case accountPattern.MatchString(p):
		st.Principal = Principal{AWS: "arn:aws:iam::" + p + ":root"}
	case strings.HasPrefix(p, "arn:aws:iam::"):
		st.Principal = Principal{AWS: p}
	default:
		return Statement{}, invalid("The provided principal was invalid. Please check the principal and try again.")
	}
	cond := map[string]map[string]string{}
	add := func(op, key, value string) {
		if value == "" {
			return
		}
		if cond[op] == nil {
			cond[op] = map[string]string{}
		}
		cond[op][key] = value
	}
	add("StringEquals", "AWS:SourceAccount", in.SourceAccount)
	add("StringEquals", "lambda:EventSourceToken", in.EventSourceToken)
	add("StringEquals", "aws:PrincipalOrgID", in.PrincipalOrgID)
	add("ArnLike", "AWS:SourceArn", in.SourceArn)
	if len(cond) > 0 {
		st.Condition = cond
	}
	return st, nil
}

// RemovePermission removes a statement from the function's policy.
func (c *Control) RemovePermission(name, sid, qualifier, revision string) error {
	fn, err := c.removeStatement(name, sid, qualifier, revision)
	if err != nil {
		return err
	}
	c.notify(Change{Op: "RemovePermission", Function: fn})
	return nil
}

func (c *Control) removeStatement(name, sid, qualifier, revision string) (string, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.parseName(name, qualifier)
	if err != nil {
		return "", err
	}
	f, ok := c.functions[r.Name]
	if !ok {
		return "", errorf(ErrResourceNotFound, "No policy found for: %s", c.FunctionARN(r.Name))
	}
	if _, err := c.lookup(r); err != nil {
		return "", err
	}
	if len(f.policy) == 0 {
		return "", errorf(ErrResourceNotFound, "No policy is associated with the given resource.")
	}
	i := slices.IndexFunc(f.policy, func(s Statement) bool { return s.Sid == sid })
	if i < 0 {
		return "", errorf(ErrResourceNotFound, "Statement %s is not found in resource policy.", sid)
	}
	if revision != "" && revision != f.conf.RevisionId {
		return "", revisionMismatch("GetFunction/GetAlias")
	}
	f.policy = slices.Delete(slices.Clone(f.policy), i, i+1)
	f.conf.RevisionId = c.revision()
	return r.Name, nil
}

// GetPolicy returns the function's resource policy as a JSON string.
func (c *Control) GetPolicy(name, qualifier string) (GetPolicyOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.parseName(name, qualifier)
	if err != nil {
		return GetPolicyOutput{}, err
	}
	f, ok := c.functions[r.Name]
	if !ok || len(f.policy) == 0 || (r.Qualifier != "" && r.Qualifier != arn.Latest) {
		return GetPolicyOutput{}, resourceNotFound()
	}
	b, _ := json.Marshal(policyDocument{Version: "2012-10-17", Id: "default", Statement: f.policy})
	return GetPolicyOutput{Policy: string(b), RevisionId: f.conf.RevisionId}, nil
}

// Allows reports whether the function's resource policy lets principal (a
// service such as s3.amazonaws.com) invoke it, on behalf of sourceARN (the
// bucket's ARN) in sourceAccount: what S3 checks before it accepts a
// notification configuration that names the function. function is a name
// or a function ARN ($LATEST or unqualified).
func (c *Control) Allows(function, principal, sourceARN, sourceAccount string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.parseName(function, "")
	if err != nil || (r.Qualifier != "" && r.Qualifier != arn.Latest) {
		return false
	}
	f, ok := c.functions[r.Name]
	if !ok {
		return false
	}
	for _, s := range f.policy {
		if s.allows(principal, sourceARN, sourceAccount) {
			return true
		}
	}
	return false
}

// allows evaluates one Allow statement for lambda:InvokeFunction.
func (s Statement) allows(principal, sourceARN, sourceAccount string) bool {
	if s.Effect != "Allow" || !actionMatches(s.Action, "lambda:InvokeFunction") {
		return false
	}
	if !s.Principal.Anyone && s.Principal.Service != principal {
		return false
	}
	for op, kv := range s.Condition {
		for k, want := range kv {
			var got string
			switch strings.ToLower(k) {
			case "aws:sourcearn":
				got = sourceARN
			case "aws:sourceaccount":
				got = sourceAccount
			default:
				return false // a condition S3 gives no value for
			}
			if got == "" {
				return false
			}
			switch op {
			case "ArnLike":
				if !wildcardMatch(want, got) {
					return false
				}
			case "StringEquals", "ArnEquals":
				if want != got {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}

func actionMatches(pattern, action string) bool {
	return strings.EqualFold(pattern, action) || pattern == "*" || strings.EqualFold(pattern, "lambda:*")
}

// wildcardMatch matches s against an IAM pattern with * and ?.
func wildcardMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildcardMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && wildcardMatch(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && wildcardMatch(pattern[1:], s[1:])
}
