package emulator

import (
	"fmt"
	"strings"
	"sync"

	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/s3"
)

// DefaultRolePolicy is the policy of labfile.DefaultRoleName, the role of
// functions whose lab file names none, for a lab in region.
func DefaultRolePolicy(region string) *iam.Policy {
	doc := fmt.Sprintf(`{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "LabBuckets", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::*"},
    {"Sid": "LabLogs", "Effect": "Allow", "Action": "logs:*", "Resource": "arn:aws:logs:%s:%s:*"}
  ]
}`, region, labfile.DefaultAccount)
	p, err := iam.Parse([]byte(doc))
	if err != nil {
		panic(err)
	}
	return p
}

// Credentials are temporary credentials issued to a role session, as
// Lambda hands an execution role's credentials to a function.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

type session struct {
	role, name string
	creds      Credentials
}

// credentials are the keys the lab issued to role sessions (one per
// function and role), as Lambda hands an execution role's credentials to a
// function. Who a session is, and what it may do, comes from IAM: a policy
// change applies at once.
type credentials struct {
	ids     *ids.Source
	account string
	iam     *iam.Service

	mu       sync.Mutex
	byKey    map[string]*session
	sessions map[string]*session
}

func newCredentials(src *ids.Source, account string, roles *iam.Service) *credentials {
	return &credentials{ids: src, account: account, iam: roles,
		byKey: map[string]*session{}, sessions: map[string]*session{}}
}

// permissions returns what a role may do now: its inline and attached
// policies (nil when IAM has no such role).
func (c *credentials) permissions(role string) iam.Evaluator {
	ps, err := c.iam.Permissions(role)
	if err != nil {
		return nil
	}
	return ps
}

// issue returns the credentials of role's session named name (one per
// function), issuing them on first use.
func (c *credentials) issue(role, name string) Credentials {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := role + "/" + name
	if s, ok := c.sessions[k]; ok {
		return s.creds
	}
	s := &session{role: role, name: name, creds: Credentials{
		AccessKeyID:     "ASIA" + strings.ToUpper(c.ids.Hex(16)),
		SecretAccessKey: c.ids.HostID()[:40],
		SessionToken:    "IQoJb3JpZ2luX2VjE" + c.ids.HostID(),
	}}
	c.sessions[k] = s
	c.byKey[s.creds.AccessKeyID] = s
	return s.creds
}

// RootAccessKeyID and RootSecretAccessKey are the account root's access key:
// the one identity of the root, which `lambdalab env` hands out, the console
// and scenarios sign with (RootCredentials), and the README documents. The
// lab issued it, so --verify-signatures checks every request signed with
// it, the console's included; any other unknown key also acts as the root,
// unchecked.
const (
	RootAccessKeyID     = "lambdalab"
	RootSecretAccessKey = "lambdalab"
)

// RootCredentials are the account root's credentials.
func RootCredentials() Credentials {
	return Credentials{AccessKeyID: RootAccessKeyID, SecretAccessKey: RootSecretAccessKey}
}

// secret is the S3 layer's SecretLookup: the secret of a key the lab issued.
func (c *credentials) secret(accessKeyID string) (string, bool) {
	if root := RootCredentials(); accessKeyID == root.AccessKeyID {
		return root.SecretAccessKey, true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.byKey[accessKeyID]; ok {
		return s.creds.SecretAccessKey, true
	}
	return "", false
}

// lookup is the S3 layer's Identifier.
func (c *credentials) lookup(accessKeyID string) (s3.Principal, bool) {
	c.mu.Lock()
	s, ok := c.byKey[accessKeyID]
	c.mu.Unlock()
	if !ok {
		return s3.Principal{}, false
	}
	p := s3.Principal{
		Name: s.role + "/" + s.name,
		ARN:  "arn:aws:sts::" + c.account + ":assumed-role/" + s.role + "/" + s.name,
	}
	if who, err := c.iam.RoleSession(s.role, s.name); err == nil {
		p.PrincipalID = "AWS:" + who.UserID
	}
	if perms := c.permissions(s.role); perms != nil {
		p.Policy = perms
	} else {
		p.Policy = iam.PolicySet{} // a deleted role may do nothing
	}
	return p, true
}
