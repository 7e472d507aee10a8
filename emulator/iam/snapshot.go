package iam

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Snapshot is IAM's state as JSON can hold it, for a lab kept on disk
// (--data). AWS managed policies are not in it: they come with the Service.
type Snapshot struct {
	Account   string           `json:"account"`
	Partition string           `json:"partition"`
	Roles     []RoleSnapshot   `json:"roles"`
	Policies  []PolicySnapshot `json:"policies"`
}

// RoleSnapshot is a role with its policies.
type RoleSnapshot struct {
	Role
	// InlinePolicies maps an inline policy's name to its document.
	InlinePolicies map[string]string `json:"InlinePolicies,omitempty"`
	// AttachedPolicies are managed policy ARNs, in attach order.
	AttachedPolicies []string `json:"AttachedPolicies,omitempty"`
}

// PolicySnapshot is a customer managed policy with its versions.
type PolicySnapshot struct {
	ManagedPolicy
	Versions    []VersionSnapshot
	NextVersion int
}

// VersionSnapshot is one version of a managed policy.
type VersionSnapshot struct {
	VersionId  string
	Document   string
	CreateDate time.Time
}

// Snapshot returns the Service's state.
func (s *Service) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := Snapshot{Account: s.account, Partition: s.partition, Roles: []RoleSnapshot{}, Policies: []PolicySnapshot{}}
	for _, k := range slices.Sorted(maps.Keys(s.roles)) {
		r := s.roles[k]
		rs := RoleSnapshot{Role: r.view(), AttachedPolicies: slices.Clone(r.attached)}
		if len(r.inline) > 0 {
			rs.InlinePolicies = map[string]string{}
			for name, p := range r.inline {
				rs.InlinePolicies[name] = p.Source
			}
		}
		snap.Roles = append(snap.Roles, rs)
	}
	for _, arn := range slices.Sorted(maps.Keys(s.policies)) {
		p := s.policies[arn]
		if p.aws {
			continue
		}
		ps := PolicySnapshot{ManagedPolicy: p.ManagedPolicy, NextVersion: p.nextVersion}
		ps.Tags = slices.Clone(p.Tags)
		for _, v := range p.versions {
			ps.Versions = append(ps.Versions, VersionSnapshot{VersionId: v.id, Document: v.policy.Source, CreateDate: v.created})
		}
		snap.Policies = append(snap.Policies, ps)
	}
	return snap
}

// Restore replaces the Service's roles and customer managed policies with
// a snapshot's. A snapshot that does not hold together (a document that
// does not parse, an attachment to a policy that does not exist, another
// account) is refused and nothing changes.
func (s *Service) Restore(snap Snapshot) error {
	if snap.Account != s.account || snap.Partition != s.partition {
		return fmt.Errorf("restore iam: the snapshot is of account %s in partition %s, not %s in %s", snap.Account, snap.Partition, s.account, s.partition)
	}
	policies := map[string]*managedPolicy{}
	for _, p := range awsManagedPolicies(s.partition) {
		policies[p.Arn] = p
	}
	for _, ps := range snap.Policies {
		p, err := restorePolicy(ps)
		if err != nil {
			return err
		}
		policies[p.Arn] = p
	}
	roles := map[string]*role{}
	for _, rs := range snap.Roles {
		r, err := restoreRole(rs, policies)
		if err != nil {
			return err
		}
		roles[strings.ToLower(r.RoleName)] = r
	}
	return s.update(func() error {
		touched := map[string]bool{}
		for _, r := range s.roles {
			touched[r.RoleName] = true
		}
		for _, r := range roles {
			touched[r.RoleName] = true
		}
		s.roles, s.policies = roles, policies
		s.changed(Change{Action: "Restore", Roles: slices.Sorted(maps.Keys(touched))})
		return nil
	})
}

func restorePolicy(ps PolicySnapshot) (*managedPolicy, error) {
	p := &managedPolicy{ManagedPolicy: ps.ManagedPolicy, nextVersion: ps.NextVersion}
	p.AttachmentCount = 0
	for _, vs := range ps.Versions {
		doc, err := Parse([]byte(vs.Document))
		if err != nil {
			return nil, fmt.Errorf("restore iam: policy %s version %s: %w", ps.Arn, vs.VersionId, err)
		}
		p.versions = append(p.versions, &policyVersion{id: vs.VersionId, policy: doc, created: vs.CreateDate})
	}
	if p.defaultVersion() == nil {
		return nil, fmt.Errorf("restore iam: policy %s has no version %s to be its default", ps.Arn, ps.DefaultVersionId)
	}
	return p, nil
}

func restoreRole(rs RoleSnapshot, policies map[string]*managedPolicy) (*role, error) {
	trust, err := ParseTrust([]byte(rs.AssumeRolePolicyDocument))
	if err != nil {
		return nil, fmt.Errorf("restore iam: role %s: trust policy: %w", rs.RoleName, err)
	}
	r := &role{Role: rs.Role, trust: trust, inline: map[string]*Policy{}, attached: slices.Clone(rs.AttachedPolicies)}
	for name, doc := range rs.InlinePolicies {
		p, err := Parse([]byte(doc))
		if err != nil {
			return nil, fmt.Errorf("restore iam: role %s: policy %s: %w", rs.RoleName, name, err)
		}
		r.inline[name] = p
	}
	for _, arn := range r.attached {
		if _, ok := policies[arn]; !ok {
			return nil, fmt.Errorf("restore iam: role %s: attached policy %s does not exist", rs.RoleName, arn)
		}
	}
	return r, nil
}
