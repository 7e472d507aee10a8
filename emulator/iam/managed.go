package iam

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ManagedPolicy is a managed policy as GetPolicy describes it.
type ManagedPolicy struct {
	PolicyName       string
	PolicyId         string
	Arn              string
	Path             string
	DefaultVersionId string
	AttachmentCount  int32
	IsAttachable     bool
	Description      string
	CreateDate       time.Time
	UpdateDate       time.Time
	Tags             []Tag
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	VersionId        string
	Document         string
	IsDefaultVersion bool
	CreateDate       time.Time
}

// AttachedPolicy names a managed policy attached to a role.
type AttachedPolicy struct {
	PolicyName string
	PolicyArn  string
}

type managedPolicy struct {
	ManagedPolicy
	aws         bool
	versions    []*policyVersion // oldest first
	nextVersion int              // IAM never reuses a version number
}

type policyVersion struct {
	id      string
	policy  *Policy
	created time.Time
}

func (p *managedPolicy) version(id string) *policyVersion {
	for _, v := range p.versions {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (p *managedPolicy) defaultVersion() *policyVersion { return p.version(p.DefaultVersionId) }

// Quotas and messages for managed policies (IAM and AWS STS quotas).
const (
	maxPolicySize     = 6144 // characters without white space
	maxPolicyVersions = 5
)

// CreatePolicyInput is CreatePolicy's request.
type CreatePolicyInput struct {
	PolicyName     string
	Path           string
	PolicyDocument string
	Description    string
	Tags           []Tag
}

// parseManaged parses a managed policy's document and checks its size.
func parseManaged(doc string) (*Policy, error) {
	p, err := Parse([]byte(doc))
	if err != nil {
		return nil, malformed(err)
	}
	if size(doc) > maxPolicySize {
		return nil, limitExceeded("Cannot exceed quota for PolicySize: %d", maxPolicySize)
	}
	return p, nil
}

// CreatePolicy creates a customer managed policy; its document is v1.
func (s *Service) CreatePolicy(in CreatePolicyInput) (ManagedPolicy, error) {
	var v validation
	v.name("policyName", in.PolicyName, 128)
	v.path("path", in.Path)
	v.document("policyDocument", in.PolicyDocument)
	v.description(in.Description)
	v.tags(in.Tags)
	if err := v.err(); err != nil {
		return ManagedPolicy{}, err
	}
	doc, err := parseManaged(in.PolicyDocument)
	if err != nil {
		return ManagedPolicy{}, err
	}
	var out ManagedPolicy
	err = s.update(func() error {
		for _, p := range s.policies {
			if !p.aws && strings.EqualFold(p.PolicyName, in.PolicyName) {
				return newError("EntityAlreadyExists", 409, "A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
			}
		}
		now := s.now()
		p := &managedPolicy{nextVersion: 2, ManagedPolicy: ManagedPolicy{
			PolicyName: in.PolicyName, PolicyId: s.uniqueID("ANPA"), Arn: s.arn("policy", in.Path, in.PolicyName),
			Path: cmpOr(in.Path, "/"), DefaultVersionId: "v1", IsAttachable: true, Description: in.Description,
			CreateDate: now, UpdateDate: now, Tags: slices.Clone(in.Tags),
		}}
		p.versions = []*policyVersion{{id: "v1", policy: doc, created: now}}
		s.policies[p.Arn] = p
		out = s.policyView(p)
		s.changed(Change{Action: "CreatePolicy", PolicyArn: p.Arn})
		return nil
	})
	return out, err
}

// policyView describes p with its attachment count; the caller holds s.mu.
func (s *Service) policyView(p *managedPolicy) ManagedPolicy {
	out := p.ManagedPolicy
	out.Tags = slices.Clone(p.Tags)
	out.AttachmentCount = int32(len(s.attachedTo(p.Arn)))
	return out
}

// attachedTo lists the roles a managed policy is attached to, by name.
func (s *Service) attachedTo(arn string) []string {
	var names []string
	for _, k := range slices.Sorted(maps.Keys(s.roles)) {
		if r := s.roles[k]; slices.Contains(r.attached, arn) {
			names = append(names, r.RoleName)
		}
	}
	return names
}

// checkARN refuses what is not an ARN at all, as IAM does before looking.
func checkARN(arn string) error {
	var v validation
	v.policyARN(arn)
	if err := v.err(); err != nil {
		return err
	}
	if parts := strings.SplitN(arn, ":", 6); len(parts) < 6 || parts[0] != "arn" {
		return invalidInput("ARN %s is not valid.", arn)
	}
	return nil
}

// policy finds a managed policy by ARN; the caller holds s.mu.
func (s *Service) policy(arn string) (*managedPolicy, error) {
	if p, ok := s.policies[arn]; ok {
		return p, nil
	}
	return nil, noSuchPolicy(arn)
}

// GetPolicy describes a managed policy.
func (s *Service) GetPolicy(arn string) (ManagedPolicy, error) {
	if err := checkARN(arn); err != nil {
		return ManagedPolicy{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.policy(arn)
	if err != nil {
		return ManagedPolicy{}, err
	}
	return s.policyView(p), nil
}

// ListPoliciesInput is ListPolicies' request.
type ListPoliciesInput struct {
	// Scope is All (""), AWS or Local (the account's own).
	Scope        string
	OnlyAttached bool
	PathPrefix   string
}

// ListPolicies lists managed policies, by name.
func (s *Service) ListPolicies(in ListPoliciesInput) ([]ManagedPolicy, error) {
	var v validation
	if in.Scope != "" && in.Scope != "All" && in.Scope != "AWS" && in.Scope != "Local" {
		v.add("Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", in.Scope)
	}
	v.pathPrefix(in.PathPrefix)
	if err := v.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ManagedPolicy
	for _, p := range s.policies {
		if (in.Scope == "AWS" && !p.aws) || (in.Scope == "Local" && p.aws) || !strings.HasPrefix(p.Path, in.PathPrefix) {
			continue
		}
		view := s.policyView(p)
		if in.OnlyAttached && view.AttachmentCount == 0 {
			continue
		}
		out = append(out, view)
	}
	slices.SortFunc(out, func(a, b ManagedPolicy) int {
		return cmp.Or(cmp.Compare(a.PolicyName, b.PolicyName), cmp.Compare(a.Arn, b.Arn))
	})
	return out, nil
}

// DeletePolicy deletes a customer managed policy that is attached nowhere
// and has only its default version left.
func (s *Service) DeletePolicy(arn string) error {
	if err := checkARN(arn); err != nil {
		return err
	}
	return s.update(func() error {
		p, err := s.mutable(arn, "Cannot delete policies outside your own account.")
		if err != nil {
			return err
		}
		if len(s.attachedTo(arn)) > 0 {
			return deleteConflict("Cannot delete a policy attached to entities.")
		}
		if len(p.versions) > 1 {
			return deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		delete(s.policies, arn)
		s.changed(Change{Action: "DeletePolicy", PolicyArn: arn})
		return nil
	})
}

// mutable finds a customer managed policy to change: AWS managed policies
// are read-only (denied is the message, *unverified* per operation).
func (s *Service) mutable(arn, denied string) (*managedPolicy, error) {
	p, err := s.policy(arn)
	if err != nil {
		return nil, err
	}
	if p.aws {
		return nil, accessDenied("%s", denied)
	}
	return p, nil
}

// CreatePolicyVersion adds a version to a customer managed policy, making
// it the default when setAsDefault is true. A policy has at most five.
func (s *Service) CreatePolicyVersion(arn, document string, setAsDefault bool) (PolicyVersion, error) {
	if err := checkARN(arn); err != nil {
		return PolicyVersion{}, err
	}
	var v validation
	v.document("policyDocument", document)
	if err := v.err(); err != nil {
		return PolicyVersion{}, err
	}
	doc, err := parseManaged(document)
	if err != nil {
		return PolicyVersion{}, err
	}
	var out PolicyVersion
	err = s.update(func() error {
		p, err := s.mutable(arn, "Cannot create versions for policies outside your own account.")
		if err != nil {
			return err
		}
		if len(p.versions) >= maxPolicyVersions {
			return limitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		pv := &policyVersion{id: "v" + strconv.Itoa(p.nextVersion), policy: doc, created: s.now()}
		p.nextVersion++
		p.versions = append(p.versions, pv)
		c := Change{Action: "CreatePolicyVersion", PolicyArn: arn}
		if setAsDefault {
			p.DefaultVersionId, p.UpdateDate = pv.id, pv.created
			c.Roles = s.attachedTo(arn)
		}
		out = p.versionView(pv, true)
		s.changed(c)
		return nil
	})
	return out, err
}

// versionView describes a version, with its document when withDoc.
func (p *managedPolicy) versionView(v *policyVersion, withDoc bool) PolicyVersion {
	out := PolicyVersion{VersionId: v.id, IsDefaultVersion: v.id == p.DefaultVersionId, CreateDate: v.created}
	if withDoc {
		out.Document = v.policy.Source
	}
	return out
}

// noSuchVersion is the answer for a version a policy does not have
// (message *unverified*).
func noSuchVersion(arn, id string) *Error {
	return newError("NoSuchEntity", 404, "Policy %s version %s does not exist or is not attachable.", arn, id)
}

// GetPolicyVersion returns one version of a managed policy, with its
// document as written.
func (s *Service) GetPolicyVersion(arn, versionID string) (PolicyVersion, error) {
	if err := checkARN(arn); err != nil {
		return PolicyVersion{}, err
	}
	var v validation
	v.versionID(versionID)
	if err := v.err(); err != nil {
		return PolicyVersion{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.policy(arn)
	if err != nil {
		return PolicyVersion{}, err
	}
	pv := p.version(versionID)
	if pv == nil {
		return PolicyVersion{}, noSuchVersion(arn, versionID)
	}
	return p.versionView(pv, true), nil
}

// ListPolicyVersions lists a managed policy's versions, newest first
// (*unverified* order), without their documents (as IAM does).
func (s *Service) ListPolicyVersions(arn string) ([]PolicyVersion, error) {
	if err := checkARN(arn); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.policy(arn)
	if err != nil {
		return nil, err
	}
	var out []PolicyVersion
	for i := len(p.versions) - 1; i >= 0; i-- {
		out = append(out, p.versionView(p.versions[i], false))
	}
	return out, nil
}

// DeletePolicyVersion deletes a version that is not the default.
func (s *Service) DeletePolicyVersion(arn, versionID string) error {
	if err := checkARN(arn); err != nil {
		return err
	}
	var v validation
	v.versionID(versionID)
	if err := v.err(); err != nil {
		return err
	}
	return s.update(func() error {
		p, err := s.mutable(arn, "Cannot delete policy versions for policies outside your own account.")
		if err != nil {
			return err
		}
		if p.version(versionID) == nil {
			return noSuchVersion(arn, versionID)
		}
		if versionID == p.DefaultVersionId {
			return deleteConflict("Cannot delete the default version of a policy.")
		}
		p.versions = slices.DeleteFunc(p.versions, func(v *policyVersion) bool { return v.id == versionID })
		s.changed(Change{Action: "DeletePolicyVersion", PolicyArn: arn})
		return nil
	})
}

// SetDefaultPolicyVersion makes a version the one that grants permissions.
func (s *Service) SetDefaultPolicyVersion(arn, versionID string) error {
	if err := checkARN(arn); err != nil {
		return err
	}
	var v validation
	v.versionID(versionID)
	if err := v.err(); err != nil {
		return err
	}
	return s.update(func() error {
		p, err := s.mutable(arn, "Cannot update policies outside your own account.")
		if err != nil {
			return err
		}
		if p.version(versionID) == nil {
			return noSuchVersion(arn, versionID)
		}
		p.DefaultVersionId, p.UpdateDate = versionID, s.now()
		s.changed(Change{Action: "SetDefaultPolicyVersion", PolicyArn: arn, Roles: s.attachedTo(arn)})
		return nil
	})
}
