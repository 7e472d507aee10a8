package labfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/internal/yamlpos"
)

var roleNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// checkRole parses function i's role policy: inline (a YAML mapping, or
// JSON text) or from policyFile next to the lab file. Two functions may
// share a role only with the same policy.
func (f *File) checkRole(i int, seen map[string]string) error {
	fn := &f.Functions[i]
	p := fmt.Sprintf("$.functions[%d].role", i)
	r := fn.Role
	if r == nil {
		return nil
	}
	if !roleNamePattern.MatchString(r.Name) {
		return f.at(p+".name", "role name %q: IAM role names are 1 to 64 letters, digits and +=,.@_-", r.Name)
	}
	var err error
	switch {
	case r.Policy != nil && r.PolicyFile != "":
		return f.at(p, "role %s: give policy or policyFile, not both", r.Name)
	case r.PolicyFile != "":
		fn.policy, err = f.rolePolicyFile(p, r)
	case r.Policy != nil:
		fn.policy, err = f.rolePolicyInline(p, r)
	default:
		return f.at(p, "role %s has no policy: add policy (inline) or policyFile", r.Name)
	}
	if err != nil {
		return err
	}
	if prev, ok := seen[r.Name]; ok && prev != canonical(fn.policy) {
		return f.at(p, "role %s is given two different policies", r.Name)
	}
	seen[r.Name] = canonical(fn.policy)
	return nil
}

func canonical(p *iam.Policy) string {
	b, _ := json.Marshal(p.Statements)
	return string(b)
}

// rolePolicyFile reads the policy a role's policyFile names (relative to
// the lab file); p is the role's path in the lab file.
func (f *File) rolePolicyFile(p string, r *RoleSpec) (*iam.Policy, error) {
	path := r.PolicyFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(f.Dir, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, f.at(p+".policyFile", "role %s: %v", r.Name, err)
	}
	pol, err := iam.Parse(data)
	if err != nil {
		var se *iam.SyntaxError
		if errors.As(err, &se) && se.Line > 0 {
			return nil, &yamlpos.PosError{File: path, Line: se.Line, Col: se.Col, Msg: "MalformedPolicyDocument: " + se.Msg}
		}
		return nil, f.at(p+".policyFile", "role %s: %v", r.Name, err)
	}
	return pol, nil
}

// rolePolicyInline reads a role's inline policy: JSON text, or YAML the
// lab file writes it in.
func (f *File) rolePolicyInline(p string, r *RoleSpec) (*iam.Policy, error) {
	where := p + ".policy"
	var doc []byte
	if text, ok := r.Policy.(string); ok {
		doc = []byte(text)
	} else {
		var err error
		if doc, err = json.MarshalIndent(r.Policy, "", "  "); err != nil {
			return nil, f.at(where, "role %s: the policy cannot be read as JSON: %v", r.Name, err)
		}
	}
	pol, err := iam.Parse(doc)
	if err != nil {
		var se *iam.SyntaxError
		if _, inline := r.Policy.(string); !inline && errors.As(err, &se) {
			// Positions in the JSON we made from YAML would mislead: point
			// at the element in the lab file instead (or the nearest
			// enclosing one that is written there).
			at := where
			if se.Path != "" {
				at += "." + se.Path
			}
			return nil, f.at(at, "role %s: MalformedPolicyDocument: %s", r.Name, se.Msg)
		}
		return nil, f.at(where, "role %s: %v", r.Name, err)
	}
	return pol, nil
}
