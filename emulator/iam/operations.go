package iam

// operations are the Actions the Query API serves.
var operations = map[string]operation{
	"CreateRole":               {roleResource, createRole},
	"GetRole":                  {roleResource, getRole},
	"ListRoles":                {rolesResource, listRoles},
	"DeleteRole":               {roleResource, deleteRole},
	"UpdateAssumeRolePolicy":   {roleResource, updateAssumeRolePolicy},
	"PutRolePolicy":            {roleResource, putRolePolicy},
	"GetRolePolicy":            {roleResource, getRolePolicy},
	"ListRolePolicies":         {roleResource, listRolePolicies},
	"DeleteRolePolicy":         {roleResource, deleteRolePolicy},
	"CreatePolicy":             {newPolicyResource, createPolicy},
	"GetPolicy":                {policyResource, getPolicy},
	"ListPolicies":             {policiesResource, listPolicies},
	"DeletePolicy":             {policyResource, deletePolicy},
	"CreatePolicyVersion":      {policyResource, createPolicyVersion},
	"GetPolicyVersion":         {policyResource, getPolicyVersion},
	"ListPolicyVersions":       {policyResource, listPolicyVersions},
	"DeletePolicyVersion":      {policyResource, deletePolicyVersion},
	"SetDefaultPolicyVersion":  {policyResource, setDefaultPolicyVersion},
	"AttachRolePolicy":         {roleResource, attachRolePolicy},
	"DetachRolePolicy":         {roleResource, detachRolePolicy},
	"ListAttachedRolePolicies": {roleResource, listAttachedRolePolicies},
	"SimulatePrincipalPolicy":  {simulateResource, simulatePrincipalPolicy},
	"GetAccountSummary":        {accountResource, getAccountSummary},
}

// The resources a role session needs iam: permission on.
func roleResource(s *Service, p params) string {
	if r, err := s.GetRole(p.str("RoleName")); err == nil {
		return r.Arn
	}
	return s.arn("role", p.str("Path"), p.str("RoleName"))
}
func rolesResource(s *Service, p params) string { return s.arn("role", "/", "") }
func newPolicyResource(s *Service, p params) string {
	return s.arn("policy", p.str("Path"), p.str("PolicyName"))
}
func policyResource(s *Service, p params) string   { return p.str("PolicyArn") }
func policiesResource(s *Service, p params) string { return s.arn("policy", "/", "") }
func simulateResource(s *Service, p params) string { return p.str("PolicySourceArn") }
func accountResource(s *Service, p params) string  { return "*" }

func createRole(s *Service, p params) (any, error) {
	d, err := p.integer("MaxSessionDuration", "maxSessionDuration")
	if err != nil {
		return nil, err
	}
	r, err := s.CreateRole(CreateRoleInput{RoleName: p.str("RoleName"), Path: p.str("Path"),
		AssumeRolePolicyDocument: p.str("AssumeRolePolicyDocument"), Description: p.str("Description"),
		MaxSessionDuration: d, Tags: p.tags()})
	if err != nil {
		return nil, err
	}
	return roleResult{roleXML(r)}, nil
}

func getRole(s *Service, p params) (any, error) {
	r, err := s.GetRole(p.str("RoleName"))
	if err != nil {
		return nil, err
	}
	return roleResult{roleXML(r)}, nil
}

func listRoles(s *Service, p params) (any, error) {
	roles, err := s.ListRoles(p.str("PathPrefix"))
	if err != nil {
		return nil, err
	}
	roles, pg, err := paginate(p, roles)
	if err != nil {
		return nil, err
	}
	out := listRolesResult{Roles: members[xmlRole]{}, page: pg}
	for _, r := range roles {
		out.Roles = append(out.Roles, roleXML(r))
	}
	return out, nil
}

func deleteRole(s *Service, p params) (any, error) {
	return nil, s.DeleteRole(p.str("RoleName"))
}

func updateAssumeRolePolicy(s *Service, p params) (any, error) {
	return nil, s.UpdateAssumeRolePolicy(p.str("RoleName"), p.str("PolicyDocument"))
}

func putRolePolicy(s *Service, p params) (any, error) {
	return nil, s.PutRolePolicy(p.str("RoleName"), p.str("PolicyName"), p.str("PolicyDocument"))
}

func getRolePolicy(s *Service, p params) (any, error) {
	doc, err := s.GetRolePolicy(p.str("RoleName"), p.str("PolicyName"))
	if err != nil {
		return nil, err
	}
	r, err := s.GetRole(p.str("RoleName"))
	if err != nil {
		return nil, err
	}
	return getRolePolicyResult{RoleName: r.RoleName, PolicyName: p.str("PolicyName"), PolicyDocument: urlEncode(doc)}, nil
}

func listRolePolicies(s *Service, p params) (any, error) {
	names, err := s.ListRolePolicies(p.str("RoleName"))
	if err != nil {
		return nil, err
	}
	names, pg, err := paginate(p, names)
	if err != nil {
		return nil, err
	}
	return listRolePoliciesResult{PolicyNames: members[string](names), page: pg}, nil
}

func deleteRolePolicy(s *Service, p params) (any, error) {
	return nil, s.DeleteRolePolicy(p.str("RoleName"), p.str("PolicyName"))
}

func createPolicy(s *Service, p params) (any, error) {
	mp, err := s.CreatePolicy(CreatePolicyInput{PolicyName: p.str("PolicyName"), Path: p.str("Path"),
		PolicyDocument: p.str("PolicyDocument"), Description: p.str("Description"), Tags: p.tags()})
	if err != nil {
		return nil, err
	}
	out := policyXML(mp)
	out.Description = "" // CreatePolicy does not echo it (*unverified*)
	return policyResult{out}, nil
}

func getPolicy(s *Service, p params) (any, error) {
	mp, err := s.GetPolicy(p.str("PolicyArn"))
	if err != nil {
		return nil, err
	}
	return policyResult{policyXML(mp)}, nil
}

func listPolicies(s *Service, p params) (any, error) {
	only, err := p.boolean("OnlyAttached", "onlyAttached")
	if err != nil {
		return nil, err
	}
	list, err := s.ListPolicies(ListPoliciesInput{Scope: p.str("Scope"), OnlyAttached: only, PathPrefix: p.str("PathPrefix")})
	if err != nil {
		return nil, err
	}
	list, pg, err := paginate(p, list)
	if err != nil {
		return nil, err
	}
	out := listPoliciesResult{Policies: members[xmlPolicy]{}, page: pg}
	for _, mp := range list {
		x := policyXML(mp)
		x.Description, x.Tags = "", nil // ListPolicies leaves them out
		out.Policies = append(out.Policies, x)
	}
	return out, nil
}

func deletePolicy(s *Service, p params) (any, error) {
	return nil, s.DeletePolicy(p.str("PolicyArn"))
}

func createPolicyVersion(s *Service, p params) (any, error) {
	def, err := p.boolean("SetAsDefault", "setAsDefault")
	if err != nil {
		return nil, err
	}
	v, err := s.CreatePolicyVersion(p.str("PolicyArn"), p.str("PolicyDocument"), def)
	if err != nil {
		return nil, err
	}
	v.Document = "" // CreatePolicyVersion does not echo the document
	return policyVersionResult{versionXML(v)}, nil
}

func getPolicyVersion(s *Service, p params) (any, error) {
	v, err := s.GetPolicyVersion(p.str("PolicyArn"), p.str("VersionId"))
	if err != nil {
		return nil, err
	}
	return policyVersionResult{versionXML(v)}, nil
}

func listPolicyVersions(s *Service, p params) (any, error) {
	list, err := s.ListPolicyVersions(p.str("PolicyArn"))
	if err != nil {
		return nil, err
	}
	list, pg, err := paginate(p, list)
	if err != nil {
		return nil, err
	}
	out := listPolicyVersionsResult{Versions: members[xmlVersion]{}, page: pg}
	for _, v := range list {
		out.Versions = append(out.Versions, versionXML(v))
	}
	return out, nil
}

func deletePolicyVersion(s *Service, p params) (any, error) {
	return nil, s.DeletePolicyVersion(p.str("PolicyArn"), p.str("VersionId"))
}

func setDefaultPolicyVersion(s *Service, p params) (any, error) {
	return nil, s.SetDefaultPolicyVersion(p.str("PolicyArn"), p.str("VersionId"))
}

func attachRolePolicy(s *Service, p params) (any, error) {
	return nil, s.AttachRolePolicy(p.str("RoleName"), p.str("PolicyArn"))
}

func detachRolePolicy(s *Service, p params) (any, error) {
	return nil, s.DetachRolePolicy(p.str("RoleName"), p.str("PolicyArn"))
}

func listAttachedRolePolicies(s *Service, p params) (any, error) {
	list, err := s.ListAttachedRolePolicies(p.str("RoleName"), p.str("PathPrefix"))
	if err != nil {
		return nil, err
	}
	list, pg, err := paginate(p, list)
	if err != nil {
		return nil, err
	}
	return listAttachedRolePoliciesResult{AttachedPolicies: members[AttachedPolicy](list), page: pg}, nil
}
