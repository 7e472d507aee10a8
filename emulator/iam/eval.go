package iam

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Decision is the outcome of evaluating a request.
type Decision struct {
	Allowed bool
	// Statement names what decided: the Sid (or number) of the matching
	// Allow, or of the Deny that matched; "" when nothing matched.
	Statement string
	// ExplicitDeny is true when a Deny statement matched.
	ExplicitDeny bool
	// Policy names the policy the statement is in, when the decision was
	// made across a role's policies (PolicySet.Evaluate); "" otherwise.
	Policy string
}

// Reason says the decision in words.
func (d Decision) Reason() string {
	by := d.Statement
	if d.Policy != "" {
		by += " of policy " + d.Policy
	}
	switch {
	case d.ExplicitDeny:
		return "explicitly denied by " + by
	case d.Allowed:
		return "allowed by " + by
	default:
		return "no statement allows it (implicit deny)"
	}
}

// Evaluate decides whether the policy allows action on resource: an explicit
// Deny wins, otherwise a matching Allow allows, otherwise it is denied.
func (p *Policy) Evaluate(action, resource string) Decision {
	var allow *Statement
	for i := range p.Statements {
		st := &p.Statements[i]
		if !st.matches(action, resource) {
			continue
		}
		if st.Effect == "Deny" {
			return Decision{Statement: st.Name(), ExplicitDeny: true}
		}
		if allow == nil {
			allow = st
		}
	}
	if allow != nil {
		return Decision{Allowed: true, Statement: allow.Name()}
	}
	return Decision{}
}

func (s *Statement) matches(action, resource string) bool {
	actionOK := anyMatch(s.Action, action, true)
	if len(s.NotAction) > 0 {
		actionOK = !anyMatch(s.NotAction, action, true)
	}
	resourceOK := anyMatch(s.Resource, resource, false)
	if len(s.NotResource) > 0 {
		resourceOK = !anyMatch(s.NotResource, resource, false)
	}
	return actionOK && resourceOK
}

func anyMatch(patterns []string, value string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			if Wildcard(strings.ToLower(p), strings.ToLower(value)) {
				return true
			}
		} else if Wildcard(p, value) {
			return true
		}
	}
	return false
}

// Wildcard matches s against pattern, where * is any run of characters and
// ? any one character: one UTF-8 character, not one byte, so "b/?.png"
// matches "b/é.png".
func Wildcard(pattern, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && pattern[px] == '*': // before the literal case: "*" also matches a "*" in s
			starP, starS = px, sx
			px++
		case px < len(pattern) && pattern[px] == '?':
			_, n := utf8.DecodeRuneInString(s[sx:])
			px++
			sx += n
		case px < len(pattern) && pattern[px] == s[sx]:
			px++
			sx++
		case starP >= 0:
			px = starP + 1
			_, n := utf8.DecodeRuneInString(s[starS:])
			starS += n
			sx = starS
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// DeniedMessage is S3's AccessDenied message for a principal.
func DeniedMessage(principalARN, action, resource string, d Decision) string {
	why := "no identity-based policy allows the " + action + " action"
	if d.ExplicitDeny {
		why = "with an explicit deny in an identity-based policy"
		return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: \"%s\" %s", principalARN, action, resource, why)
	}
	return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: \"%s\" because %s", principalARN, action, resource, why)
}
