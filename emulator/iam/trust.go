package iam

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// TrustPolicy is a role's trust policy (AssumeRolePolicyDocument): who may
// assume the role. Its statements name a Principal and sts: actions and
// no Resource, the reverse of an identity-based policy.
type TrustPolicy struct {
	Version    string
	Statements []TrustStatement
	// Source is the document as written (JSON).
	Source string
}

// TrustStatement is one statement of a trust policy.
type TrustStatement struct {
	Sid    string
	Effect string
	// Principal maps a principal type (AWS, Service, Federated,
	// CanonicalUser) to its values; "Principal": "*" is {"AWS": ["*"]}.
	Principal map[string][]string
	Action    []string
	NotAction []string
	// Condition is kept as written: lambdalab does not evaluate it.
	Condition json.RawMessage
	Index     int
}

var (
	principalTypes = []string{"AWS", "Service", "Federated", "CanonicalUser"}
	// servicePrincipal is the shape of a service principal; IAM also checks
	// that the service exists, which lambdalab cannot (*unverified* list).
	servicePrincipal = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazonaws\.com\.cn|amazon\.com)$`)
	awsPrincipal     = regexp.MustCompile(`^(\*|\d{12}|arn:aws[a-z-]*:(iam::\d{12}:(root|user/.+|role/.+)|sts::\d{12}:(assumed-role/.+/.+|federated-user/.+)))$`)
)

// ParseTrust reads a trust policy document (JSON). Its errors are
// *SyntaxError with positions, like Parse's, worded as IAM words them
// ("Missing required field Principal", "Has prohibited field Resource",
// "AssumeRole policy may only specify STS AssumeRole actions."). The
// wording for NotPrincipal, an empty Principal and a Principal that is not
// an object is *unverified*.
func ParseTrust(data []byte) (*TrustPolicy, error) {
	t := &TrustPolicy{Source: string(data)}
	version, err := parseDocument(data, func(s json.RawMessage, i int) (string, error) {
		st, field, err := parseTrustStatement(s, i)
		if err == nil {
			t.Statements = append(t.Statements, st)
		}
		return field, err
	})
	if err != nil {
		return nil, err
	}
	t.Version = version
	return t, nil
}

func parseTrustStatement(data []byte, index int) (st TrustStatement, field string, err error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return st, "", &SyntaxError{Msg: fmt.Sprintf("statement %d is not a JSON object", index+1)}
	}
	st = TrustStatement{Index: index}
	bad := func(format string, args ...any) error {
		return &SyntaxError{Msg: fmt.Sprintf("statement %d: ", index+1) + fmt.Sprintf(format, args...)}
	}
	for _, k := range inOrder(raw, keyOffsets(data)) {
		v := raw[k]
		field = k
		switch k {
		case "Sid":
			err = json.Unmarshal(v, &st.Sid)
		case "Effect":
			err = json.Unmarshal(v, &st.Effect)
			if err == nil && st.Effect != "Allow" && st.Effect != "Deny" {
				return st, field, bad("Effect %q is not valid: use Allow or Deny", st.Effect)
			}
		case "Principal":
			var problem string
			if st.Principal, problem = parsePrincipal(v); problem != "" {
				return st, field, bad("%s", problem)
			}
		case "NotPrincipal":
			return st, field, bad("AssumeRole policy must not contain NotPrincipal field.")
		case "Action":
			st.Action, err = stringList(v)
		case "NotAction":
			st.NotAction, err = stringList(v)
		case "Resource", "NotResource":
			return st, field, bad("Has prohibited field %s", k)
		case "Condition":
			var cond map[string]json.RawMessage
			err = json.Unmarshal(v, &cond)
			st.Condition = v
		default:
			return st, field, bad("unknown element %q", k)
		}
		if err != nil {
			return st, field, bad("%s has the wrong type", k)
		}
	}
	return checkTrustStatement(st, bad)
}

// checkTrustStatement checks what a trust statement needs once all its
// elements are read.
func checkTrustStatement(st TrustStatement, bad func(string, ...any) error) (TrustStatement, string, error) {
	switch {
	case st.Effect == "":
		return st, "", bad("Missing required field Effect")
	case st.Principal == nil:
		return st, "", bad("Missing required field Principal")
	case len(st.Action) == 0 && len(st.NotAction) == 0:
		return st, "", bad("Missing required field Action")
	case len(st.Action) > 0 && len(st.NotAction) > 0:
		return st, "", bad("a statement has Action or NotAction, not both")
	}
	for _, a := range slices.Concat(st.Action, st.NotAction) {
		if a != "*" && !strings.HasPrefix(strings.ToLower(a), "sts:") {
			field := "Action"
			if len(st.Action) == 0 {
				field = "NotAction"
			}
			return st, field, bad("AssumeRole policy may only specify STS AssumeRole actions.")
		}
	}
	return st, "", nil
}

// parsePrincipal reads a Principal element: "*" or an object mapping
// principal types to a value or a list of values. It returns what is wrong
// with it, or "".
func parsePrincipal(v json.RawMessage) (map[string][]string, string) {
	var star string
	if json.Unmarshal(v, &star) == nil {
		if star != "*" {
			return nil, fmt.Sprintf("Invalid principal in policy: %q (a Principal is \"*\" or an object such as {\"Service\": \"lambda.amazonaws.com\"})", star)
		}
		return map[string][]string{"AWS": {"*"}}, ""
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(v, &obj); err != nil {
		return nil, "Principal must be a JSON object"
	}
	if len(obj) == 0 {
		return nil, "Missing required field Principal cannot be empty!"
	}
	out := map[string][]string{}
	for _, typ := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(principalTypes, typ) {
			return nil, fmt.Sprintf("Invalid principal in policy: %q", typ)
		}
		values, err := stringList(obj[typ])
		if err != nil || len(values) == 0 {
			return nil, fmt.Sprintf("Invalid principal in policy: %q must be a string or a list of strings", typ)
		}
		for _, val := range values {
			if (typ == "Service" && !servicePrincipal.MatchString(val)) || (typ == "AWS" && !awsPrincipal.MatchString(val)) {
				return nil, fmt.Sprintf("Invalid principal in policy: \"%s\":\"%s\"", strings.ToUpper(typ), val)
			}
		}
		out[typ] = values
	}
	return out, ""
}

// Trusts reports whether the trust policy lets a principal of type typ
// ("Service", "AWS") named principal assume the role with action (such as
// sts:AssumeRole): an Allow names it and no Deny does. A statement with a
// Condition never matches, since lambdalab cannot evaluate conditions.
func (t *TrustPolicy) Trusts(typ, principal, action string) bool {
	allowed := false
	for _, st := range t.Statements {
		if len(st.Condition) > 0 || !st.names(typ, principal) {
			continue
		}
		ok := anyMatch(st.Action, action, true)
		if len(st.NotAction) > 0 {
			ok = !anyMatch(st.NotAction, action, true)
		}
		if !ok {
			continue
		}
		if st.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

func (st TrustStatement) names(typ, principal string) bool {
	for _, v := range st.Principal[typ] {
		if v == "*" || v == principal {
			return true
		}
	}
	return false
}
