package iam

import (
	"slices"
	"strings"
)

// AttachRolePolicy attaches a managed policy (the account's or AWS's) to
// a role. Attaching one that is already attached changes nothing.
func (s *Service) AttachRolePolicy(roleName, arn string) error {
	var v validation
	v.name("roleName", roleName, 64)
	if err := v.err(); err != nil {
		return err
	}
	if err := checkARN(arn); err != nil {
		return err
	}
	return s.update(func() error {
		r, err := s.role(roleName)
		if err != nil {
			return err
		}
		if _, ok := s.policies[arn]; !ok {
			return notAttachable(arn)
		}
		if slices.Contains(r.attached, arn) {
			return nil
		}
		if len(r.attached) >= maxPoliciesPerRole {
			return limitExceeded("Cannot exceed quota for PoliciesPerRole: %d", maxPoliciesPerRole)
		}
		r.attached = append(r.attached, arn)
		s.changed(Change{Action: "AttachRolePolicy", Roles: []string{r.RoleName}, PolicyArn: arn})
		return nil
	})
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(roleName, arn string) error {
	var v validation
	v.name("roleName", roleName, 64)
	if err := v.err(); err != nil {
		return err
	}
	if err := checkARN(arn); err != nil {
		return err
	}
	return s.update(func() error {
		r, err := s.role(roleName)
		if err != nil {
			return err
		}
		if !slices.Contains(r.attached, arn) {
			return noSuchPolicy(arn) // *unverified*: IAM's wording when the policy exists but is not attached
		}
		r.attached = slices.DeleteFunc(r.attached, func(a string) bool { return a == arn })
		s.changed(Change{Action: "DetachRolePolicy", Roles: []string{r.RoleName}, PolicyArn: arn})
		return nil
	})
}

// ListAttachedRolePolicies lists the managed policies attached to a role
// whose path starts with pathPrefix, in attach order.
func (s *Service) ListAttachedRolePolicies(roleName, pathPrefix string) ([]AttachedPolicy, error) {
	var v validation
	v.name("roleName", roleName, 64)
	v.pathPrefix(pathPrefix)
	if err := v.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.role(roleName)
	if err != nil {
		return nil, err
	}
	var out []AttachedPolicy
	for _, arn := range r.attached {
		if p := s.policies[arn]; strings.HasPrefix(p.Path, pathPrefix) {
			out = append(out, AttachedPolicy{PolicyName: p.PolicyName, PolicyArn: arn})
		}
	}
	return out, nil
}
