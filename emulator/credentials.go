package emulator

import (
	"strings"
	"sync"

	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/s3"
)

// DefaultRoleName is the execution role of functions whose lab file names
// none: s3:* and logs:* on the lab's resources.
const DefaultRoleName = "lambdalab-default-execution-role"

// Credentials are temporary credentials issued to a role session, as
// Lambda hands an execution role's credentials to a function.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// credentials maps the access keys the lab issued to their principals.
type credentials struct {
	mu      sync.Mutex
	ids     *ids.Source
	account string
	byKey   map[string]s3.Principal
	bySess  map[string]Credentials
}

func newCredentials(src *ids.Source, account string) *credentials {
	return &credentials{ids: src, account: account, byKey: map[string]s3.Principal{}, bySess: map[string]Credentials{}}
}

// issue returns the credentials of role's session named session (one per
// function), issuing them on first use.
func (c *credentials) issue(role, session string) Credentials {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := role + "/" + session
	if cr, ok := c.bySess[k]; ok {
		return cr
	}
	cr := Credentials{
		AccessKeyID:     "ASIA" + strings.ToUpper(c.ids.Hex(16)),
		SecretAccessKey: c.ids.HostID()[:40],
		SessionToken:    "IQoJb3JpZ2luX2VjE" + c.ids.HostID(),
	}
	c.bySess[k] = cr
	c.byKey[cr.AccessKeyID] = s3.Principal{
		Name:        k,
		ARN:         "arn:aws:sts::" + c.account + ":assumed-role/" + k,
		PrincipalID: "AWS:AROA" + strings.ToUpper(c.ids.Hex(17)) + ":" + session,
	}
	return cr
}

func (c *credentials) lookup(accessKeyID string) (s3.Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.byKey[accessKeyID]
	return p, ok
}
