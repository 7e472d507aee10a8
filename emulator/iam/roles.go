package iam

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Role is an IAM role as GetRole describes it.
type Role struct {
	Path       string
	RoleName   string
	RoleId     string
	Arn        string
	CreateDate time.Time
	// AssumeRolePolicyDocument is the trust policy as written.
	AssumeRolePolicyDocument string
	Description              string
	MaxSessionDuration       int32
	Tags                     []Tag
}

// role is a Role with its policies.
type role struct {
	Role
	trust    *TrustPolicy
	inline   map[string]*Policy // by name; Source is the document
	attached []string           // managed policy ARNs, in attach order
}

// CreateRoleInput is CreateRole's request.
type CreateRoleInput struct {
	RoleName                 string
	Path                     string
	AssumeRolePolicyDocument string
	Description              string
	MaxSessionDuration       int32
	Tags                     []Tag
}

// Quotas IAM applies to roles, in characters without white space
// (IAM's "IAM and AWS STS quotas" page).
const (
	maxTrustPolicySize  = 2048  // ACLSizePerRole, the default
	maxRolePoliciesSize = 10240 // all of a role's inline policies together
	maxPoliciesPerRole  = 10    // managed policies attached to a role
)

// CreateRole creates a role with its trust policy.
func (s *Service) CreateRole(in CreateRoleInput) (Role, error) {
	var v validation
	v.name("roleName", in.RoleName, 64)
	v.path("path", in.Path)
	v.document("assumeRolePolicyDocument", in.AssumeRolePolicyDocument)
	v.description(in.Description)
	v.maxSessionDuration(in.MaxSessionDuration)
	v.tags(in.Tags)
	if err := v.err(); err != nil {
		return Role{}, err
	}
	trust, err := ParseTrust([]byte(in.AssumeRolePolicyDocument))
	if err != nil {
		return Role{}, malformed(err)
	}
	if size(in.AssumeRolePolicyDocument) > maxTrustPolicySize {
		return Role{}, limitExceeded("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	var out Role
	err = s.update(func() error {
		key := strings.ToLower(in.RoleName)
		if _, ok := s.roles[key]; ok {
			return newError("EntityAlreadyExists", 409, "Role with name %s already exists.", in.RoleName)
		}
		r := &role{trust: trust, inline: map[string]*Policy{}, Role: Role{
			Path: cmpOr(in.Path, "/"), RoleName: in.RoleName, RoleId: s.uniqueID("AROA"),
			Arn: s.arn("role", in.Path, in.RoleName), CreateDate: s.now(),
			AssumeRolePolicyDocument: in.AssumeRolePolicyDocument, Description: in.Description,
			MaxSessionDuration: cmpOr(in.MaxSessionDuration, 3600), Tags: slices.Clone(in.Tags),
		}}
		s.roles[key] = r
		out = r.view()
		s.changed(Change{Action: "CreateRole", Roles: []string{r.RoleName}})
		return nil
	})
	return out, err
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// view copies the role's description, so callers never share its slices.
func (r *role) view() Role {
	out := r.Role
	out.Tags = slices.Clone(r.Tags)
	return out
}

// role finds a role by name; the caller holds s.mu.
func (s *Service) role(name string) (*role, error) {
	if r, ok := s.roles[strings.ToLower(name)]; ok {
		return r, nil
	}
	return nil, noSuchRole(name)
}

// GetRole describes a role.
func (s *Service) GetRole(name string) (Role, error) {
	var v validation
	v.name("roleName", name, 64)
	if err := v.err(); err != nil {
		return Role{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.role(name)
	if err != nil {
		return Role{}, err
	}
	return r.view(), nil
}

// ListRoles lists the roles whose path starts with pathPrefix ("" for all),
// by name.
func (s *Service) ListRoles(pathPrefix string) ([]Role, error) {
	var v validation
	v.pathPrefix(pathPrefix)
	if err := v.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Role
	for _, k := range slices.Sorted(maps.Keys(s.roles)) {
		if r := s.roles[k]; strings.HasPrefix(r.Path, pathPrefix) {
			out = append(out, r.view())
		}
	}
	return out, nil
}

// DeleteRole deletes a role that has no policies left.
func (s *Service) DeleteRole(name string) error {
	var v validation
	v.name("roleName", name, 64)
	if err := v.err(); err != nil {
		return err
	}
	return s.update(func() error {
		r, err := s.role(name)
		if err != nil {
			return err
		}
		if len(r.inline) > 0 {
			return deleteConflict("Cannot delete entity, must delete policies first.")
		}
		if len(r.attached) > 0 {
			return deleteConflict("Cannot delete entity, must detach all policies first.")
		}
		delete(s.roles, strings.ToLower(name))
		s.changed(Change{Action: "DeleteRole", Roles: []string{r.RoleName}})
		return nil
	})
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(name, document string) error {
	var v validation
	v.name("roleName", name, 64)
	v.document("policyDocument", document)
	if err := v.err(); err != nil {
		return err
	}
	trust, err := ParseTrust([]byte(document))
	if err != nil {
		return malformed(err)
	}
	if size(document) > maxTrustPolicySize {
		return limitExceeded("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	return s.update(func() error {
		r, err := s.role(name)
		if err != nil {
			return err
		}
		r.trust, r.AssumeRolePolicyDocument = trust, document
		s.changed(Change{Action: "UpdateAssumeRolePolicy", Roles: []string{r.RoleName}})
		return nil
	})
}

// Trust returns a role's trust policy.
func (s *Service) Trust(name string) (*TrustPolicy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.role(name)
	if err != nil {
		return nil, err
	}
	return r.trust, nil
}

// PutRolePolicy adds or replaces a role's inline policy.
func (s *Service) PutRolePolicy(roleName, policyName, document string) error {
	var v validation
	v.name("roleName", roleName, 64)
	v.name("policyName", policyName, 128)
	v.document("policyDocument", document)
	if err := v.err(); err != nil {
		return err
	}
	p, err := Parse([]byte(document))
	if err != nil {
		return malformed(err)
	}
	return s.update(func() error {
		r, err := s.role(roleName)
		if err != nil {
			return err
		}
		total := size(document)
		for name, q := range r.inline {
			if name != policyName {
				total += size(q.Source)
			}
		}
		if total > maxRolePoliciesSize {
			return limitExceeded("Maximum policy size of %d bytes exceeded for role %s", maxRolePoliciesSize, r.RoleName)
		}
		r.inline[policyName] = p
		s.changed(Change{Action: "PutRolePolicy", Roles: []string{r.RoleName}, PolicyName: policyName})
		return nil
	})
}

// GetRolePolicy returns an inline policy's document as written.
func (s *Service) GetRolePolicy(roleName, policyName string) (string, error) {
	var v validation
	v.name("roleName", roleName, 64)
	v.name("policyName", policyName, 128)
	if err := v.err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.role(roleName)
	if err != nil {
		return "", err
	}
	p, ok := r.inline[policyName]
	if !ok {
		return "", noSuchRolePolicy(policyName)
	}
	return p.Source, nil
}

// ListRolePolicies lists the names of a role's inline policies, sorted.
func (s *Service) ListRolePolicies(roleName string) ([]string, error) {
	var v validation
	v.name("roleName", roleName, 64)
	if err := v.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.role(roleName)
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(r.inline)), nil
}

// DeleteRolePolicy deletes a role's inline policy.
func (s *Service) DeleteRolePolicy(roleName, policyName string) error {
	var v validation
	v.name("roleName", roleName, 64)
	v.name("policyName", policyName, 128)
	if err := v.err(); err != nil {
		return err
	}
	return s.update(func() error {
		r, err := s.role(roleName)
		if err != nil {
			return err
		}
		if _, ok := r.inline[policyName]; !ok {
			return noSuchRolePolicy(policyName)
		}
		delete(r.inline, policyName)
		s.changed(Change{Action: "DeleteRolePolicy", Roles: []string{r.RoleName}, PolicyName: policyName})
		return nil
	})
}

// Permissions returns a role's effective permissions: its inline policies
// (by name) and the default versions of its attached managed policies (in
// attach order).
func (s *Service) Permissions(roleName string) (PolicySet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.role(roleName)
	if err != nil {
		return nil, err
	}
	return s.permissions(r), nil
}

// permissions is Permissions for a role in hand; the caller holds s.mu.
func (s *Service) permissions(r *role) PolicySet {
	var ps PolicySet
	for _, name := range slices.Sorted(maps.Keys(r.inline)) {
		ps = append(ps, NamedPolicy{Name: name, Type: InlineRolePolicy, Policy: r.inline[name]})
	}
	for _, arn := range r.attached {
		mp := s.policies[arn]
		typ := CustomerManaged
		if mp.aws {
			typ = AWSManaged
		}
		ps = append(ps, NamedPolicy{Name: mp.PolicyName, Type: typ, Arn: arn, VersionId: mp.DefaultVersionId, Policy: mp.defaultVersion().policy})
	}
	return ps
}

// Evaluate decides whether role may perform action on resource, across all
// of its policies.
func (s *Service) Evaluate(roleName, action, resource string) (Decision, error) {
	ps, err := s.Permissions(roleName)
	if err != nil {
		return Decision{}, err
	}
	return ps.Evaluate(action, resource), nil
}
