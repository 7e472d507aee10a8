package iam

// SourcePolicyType says where a policy comes from, in the words
// SimulatePrincipalPolicy uses for SourcePolicyType.
type SourcePolicyType string

// The kinds of policy a role's permissions are made of.
const (
	// InlineRolePolicy is a policy embedded in the role (PutRolePolicy).
	InlineRolePolicy SourcePolicyType = "role"
	// CustomerManaged is a managed policy of the account (CreatePolicy).
	CustomerManaged SourcePolicyType = "user-managed"
	// AWSManaged is a managed policy AWS provides.
	AWSManaged SourcePolicyType = "aws-managed"
	// InputPolicy is a policy given to the simulator with the request
	// (*unverified*: the type IAM reports for it).
	InputPolicy SourcePolicyType = "none"
)

// NamedPolicy is one of a role's policies: an inline policy, or the
// default version of an attached managed policy.
type NamedPolicy struct {
	// Name is the inline policy's name or the managed policy's name.
	Name string
	Type SourcePolicyType
	// Arn and VersionId name a managed policy's version ("" for inline).
	Arn       string
	VersionId string
	Policy    *Policy
}

// PolicySet is a role's effective permissions: every policy that applies
// to it, evaluated together. It is an immutable snapshot, safe to share.
type PolicySet []NamedPolicy

// Match is one statement that matched a request, and the policy it is in.
type Match struct {
	Policy    NamedPolicy
	Statement *Statement
}

// Evaluate decides a request as IAM does across policies: an explicit Deny
// in any policy wins; otherwise an Allow in any policy allows; otherwise
// the request is implicitly denied. The Decision names the policy and the
// statement that decided.
func (ps PolicySet) Evaluate(action, resource string) Decision {
	d, _ := ps.Explain(action, resource)
	return d
}

// Explain is Evaluate with the statements behind the decision: the Deny
// statements that matched when explicitly denied, the Allow statements
// that matched when allowed, none for an implicit deny.
func (ps PolicySet) Explain(action, resource string) (Decision, []Match) {
	var allows, denies []Match
	for _, np := range ps {
		for i := range np.Policy.Statements {
			st := &np.Policy.Statements[i]
			if !st.matches(action, resource) {
				continue
			}
			m := Match{Policy: np, Statement: st}
			if st.Effect == "Deny" {
				denies = append(denies, m)
			} else {
				allows = append(allows, m)
			}
		}
	}
	switch {
	case len(denies) > 0:
		return Decision{Statement: denies[0].Statement.Name(), Policy: denies[0].Policy.Name, ExplicitDeny: true}, denies
	case len(allows) > 0:
		return Decision{Allowed: true, Statement: allows[0].Statement.Name(), Policy: allows[0].Policy.Name}, allows
	}
	return Decision{}, nil
}

// Evaluator is what decides a caller's requests: a single policy, or a
// role's whole PolicySet.
type Evaluator interface {
	Evaluate(action, resource string) Decision
}

var (
	_ Evaluator = (*Policy)(nil)
	_ Evaluator = PolicySet(nil)
)
