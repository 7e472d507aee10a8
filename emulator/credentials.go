package emulator

import (
	"fmt"
	"strings"
	"sync"

	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/s3"
)

// DefaultRoleName is the execution role of functions whose lab file names
// none: s3:* and logs:* on the lab's resources.
const DefaultRoleName = "lambdalab-default-execution-role"

// DefaultRolePolicy is that role's policy for a lab in region.
func DefaultRolePolicy(region string) *iam.Policy {
	doc := fmt.Sprintf(`{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "LabBuckets", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::*"},
    {"Sid": "LabLogs", "Effect": "Allow", "Action": "logs:*", "Resource": "arn:aws:logs:%s:%s:*"}
  ]
}`, region, DefaultAccount)
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
	principal  string // AWS:AROA…:SESSION
}

// credentials maps the access keys the lab issued to role sessions, and
// roles to their current policy (a policy change applies at once).
type credentials struct {
	mu       sync.Mutex
	ids      *ids.Source
	account  string
	roles    map[string]*iam.Policy
	roleIDs  map[string]string
	byKey    map[string]*session
	sessions map[string]*session
}

func newCredentials(src *ids.Source, account string) *credentials {
	return &credentials{ids: src, account: account, roles: map[string]*iam.Policy{}, roleIDs: map[string]string{},
		byKey: map[string]*session{}, sessions: map[string]*session{}}
}

// setRole creates or updates a role's policy.
func (c *credentials) setRole(role string, p *iam.Policy) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.roles[role] = p
	if c.roleIDs[role] == "" {
		c.roleIDs[role] = "AROA" + strings.ToUpper(c.ids.Hex(17))
	}
}

// policy returns a role's current policy.
func (c *credentials) policy(role string) *iam.Policy {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.roles[role]
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
	if c.roleIDs[role] == "" {
		c.roleIDs[role] = "AROA" + strings.ToUpper(c.ids.Hex(17))
	}
	s.principal = "AWS:" + c.roleIDs[role] + ":" + name
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
	defer c.mu.Unlock()
	s, ok := c.byKey[accessKeyID]
	if !ok {
		return s3.Principal{}, false
	}
	return s3.Principal{
		Name:        s.role + "/" + s.name,
		ARN:         "arn:aws:sts::" + c.account + ":assumed-role/" + s.role + "/" + s.name,
		PrincipalID: s.principal,
		Policy:      c.roles[s.role],
	}, true
}
