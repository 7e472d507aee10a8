package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// SimulateInput is SimulatePrincipalPolicy's request.
type SimulateInput struct {
	// PolicySourceArn is the ARN of the role whose policies are simulated.
	PolicySourceArn string
	ActionNames     []string
	// ResourceArns default to "*".
	ResourceArns []string
	// PolicyInputList are more identity-based policies to include.
	PolicyInputList []string
}

// EvaluationResult is the simulated decision for one action on one
// resource.
type EvaluationResult struct {
	EvalActionName   string
	EvalResourceName string
	// EvalDecision is allowed, explicitDeny or implicitDeny.
	EvalDecision      string
	MatchedStatements []MatchedStatement
	// Decision is the same outcome as the lab's Decision.
	Decision Decision
}

// MatchedStatement is a statement that decided, and where it is written.
type MatchedStatement struct {
	// SourcePolicyId is the policy's name ("PolicyInputList.N" for an
	// input policy; a managed policy's name rather than its ARN is
	// *unverified*).
	SourcePolicyId   string
	SourcePolicyType SourcePolicyType
	// StartPosition is the statement's opening brace; EndPosition is just
	// after its closing brace (lines and columns count from 1). The
	// convention is read off the aws CLI's documented example and is
	// *unverified* against IAM.
	StartPosition, EndPosition Position
}

// Position is a line and column in a policy document.
type Position struct{ Line, Column int }

// SimulatePrincipalPolicy evaluates each action on each resource against a
// role's policies (and any input policies), as the IAM policy simulator
// does, naming the statements that decided.
func (s *Service) SimulatePrincipalPolicy(in SimulateInput) ([]EvaluationResult, error) {
	var v validation
	if v.required("policySourceArn", in.PolicySourceArn) {
		v.length("policySourceArn", in.PolicySourceArn, 20, 2048)
	}
	if len(in.ActionNames) == 0 {
		v.required("actionNames", "")
	}
	for _, a := range in.ActionNames {
		v.length("actionNames.member", a, 3, 128)
	}
	for _, d := range in.PolicyInputList {
		v.document("policyInputList.member", d)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	roleName, err := s.roleFromARN(in.PolicySourceArn)
	if err != nil {
		return nil, err
	}
	ps, err := s.Permissions(roleName)
	if err != nil {
		return nil, err
	}
	for i, d := range in.PolicyInputList {
		p, err := Parse([]byte(d))
		if err != nil {
			return nil, malformed(err)
		}
		ps = append(ps, NamedPolicy{Name: fmt.Sprintf("PolicyInputList.%d", i+1), Type: InputPolicy, Policy: p})
	}
	resources := in.ResourceArns
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	var out []EvaluationResult
	for _, action := range in.ActionNames {
		for _, resource := range resources {
			out = append(out, simulate(ps, action, resource))
		}
	}
	return out, nil
}

// roleFromARN finds the role a PolicySourceArn names. lambdalab has no
// users or groups, so only a role of this account can be simulated.
func (s *Service) roleFromARN(arn string) (string, error) {
	prefix := "arn:" + s.partition + ":iam::" + s.account + ":role/"
	rest, ok := strings.CutPrefix(arn, prefix)
	if !ok || rest == "" {
		return "", invalidInput("Invalid ARN for PolicySourceArn: %s (lambdalab simulates the roles of account %s: %sNAME)", arn, s.account, prefix)
	}
	return rest[strings.LastIndexByte(rest, '/')+1:], nil
}

func simulate(ps PolicySet, action, resource string) EvaluationResult {
	d, matches := ps.Explain(action, resource)
	r := EvaluationResult{EvalActionName: action, EvalResourceName: resource, EvalDecision: "implicitDeny", Decision: d}
	switch {
	case d.ExplicitDeny:
		r.EvalDecision = "explicitDeny"
	case d.Allowed:
		r.EvalDecision = "allowed"
	}
	for _, m := range matches {
		spans := statementSpans([]byte(m.Policy.Policy.Source))
		ms := MatchedStatement{SourcePolicyId: m.Policy.Name, SourcePolicyType: m.Policy.Type}
		if i := m.Statement.Index; i < len(spans) {
			src := []byte(m.Policy.Policy.Source)
			l, c := position(src, spans[i][0])
			ms.StartPosition = Position{l, c}
			l, c = position(src, spans[i][1])
			ms.EndPosition = Position{l, c}
		}
		r.MatchedStatements = append(r.MatchedStatements, ms)
	}
	return r
}

// statementSpans finds where each statement of a (valid) policy document is
// written: the byte offsets of its opening brace and just past its closing
// one. The Statement written last counts, as it does for Parse.
func statementSpans(data []byte) [][2]int64 {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var spans [][2]int64
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return spans
		}
		start := skipSpace(data, dec.InputOffset(), " \t\r\n:")
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return spans
		}
		if t != "Statement" {
			continue
		}
		if len(raw) == 0 || raw[0] != '[' {
			spans = [][2]int64{{start, start + int64(len(raw))}}
			continue
		}
		spans = nil
		sub := json.NewDecoder(bytes.NewReader(raw))
		if _, err := sub.Token(); err != nil {
			return spans
		}
		for sub.More() {
			from := skipSpace(raw, sub.InputOffset(), " \t\r\n,")
			var el json.RawMessage
			if err := sub.Decode(&el); err != nil {
				return spans
			}
			spans = append(spans, [2]int64{start + from, start + sub.InputOffset()})
		}
	}
	return spans
}

func skipSpace(data []byte, at int64, space string) int64 {
	for at < int64(len(data)) && strings.IndexByte(space, data[at]) >= 0 {
		at++
	}
	return at
}

func simulatePrincipalPolicy(s *Service, p params) (any, error) {
	results, err := s.SimulatePrincipalPolicy(SimulateInput{PolicySourceArn: p.str("PolicySourceArn"),
		ActionNames: p.list("ActionNames"), ResourceArns: p.list("ResourceArns"), PolicyInputList: p.list("PolicyInputList")})
	if err != nil {
		return nil, err
	}
	results, pg, err := paginate(p, results)
	if err != nil {
		return nil, err
	}
	out := simulateResult{EvaluationResults: members[xmlEvaluation]{}, page: pg}
	for _, r := range results {
		x := xmlEvaluation{EvalActionName: r.EvalActionName, EvalResourceName: r.EvalResourceName,
			EvalDecision: r.EvalDecision, MatchedStatements: members[xmlStatement]{}, MissingContextValues: members[string]{}}
		for _, m := range r.MatchedStatements {
			x.MatchedStatements = append(x.MatchedStatements, xmlStatement{SourcePolicyId: m.SourcePolicyId,
				SourcePolicyType: string(m.SourcePolicyType), StartPosition: xmlPosition(m.StartPosition), EndPosition: xmlPosition(m.EndPosition)})
		}
		out.EvaluationResults = append(out.EvaluationResults, x)
	}
	return out, nil
}

// getAccountSummary answers GetAccountSummary with what lambdalab has and
// IAM's default quotas.
func getAccountSummary(s *Service, p params) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	local, versions := 0, 0
	for _, mp := range s.policies {
		if !mp.aws {
			local++
			versions += len(mp.versions)
		}
	}
	entries := []summaryEntry{
		{"AssumeRolePolicySizeQuota", maxTrustPolicySize},
		{"AttachedPoliciesPerRoleQuota", maxPoliciesPerRole},
		{"Policies", local},
		{"PoliciesQuota", 1500},
		{"PolicySizeQuota", maxPolicySize},
		{"PolicyVersionsInUse", versions},
		{"PolicyVersionsInUseQuota", 10000},
		{"RolePolicySizeQuota", maxRolePoliciesSize},
		{"Roles", len(s.roles)},
		{"RolesQuota", 1000},
		{"VersionsPerPolicyQuota", maxPolicyVersions},
	}
	return accountSummaryResult{SummaryMap: entries}, nil
}
