package emulator

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/lambda/api"
	"github.com/lambdalab/lambdalab/emulator/logs"
	"github.com/lambdalab/lambdalab/emulator/sts"
)

// caller is who signed a request, as the lab knows them: the root (any key
// the lab did not issue to a role session), or a function's role session.
type caller struct {
	root     bool
	role     string
	function string // the session's name: the function it was issued to
	arn      string
}

// callerOf identifies a request's signer.
func (l *Lab) callerOf(r *http.Request) caller {
	p, ok := l.creds.lookup(callerKey(r))
	if !ok {
		return caller{root: true, arn: "arn:aws:iam::" + labfile.DefaultAccount + ":root"}
	}
	role, function, _ := strings.Cut(p.Name, "/")
	return caller{role: role, function: function, arn: p.ARN}
}

// allowed evaluates a role session's policy for action on resource (the
// root may do everything).
func (l *Lab) allowed(c caller, action, resource string) (bool, string) {
	if c.root {
		return true, ""
	}
	p := l.creds.permissions(c.role)
	if p == nil {
		return false, iam.DeniedMessage(c.arn, action, resource, iam.Decision{})
	}
	d := p.Evaluate(action, resource)
	if d.Allowed {
		return true, ""
	}
	return false, iam.DeniedMessage(c.arn, action, resource, d)
}

// logsHandler serves CloudWatch Logs, authorizing role sessions' calls as
// IAM would.
func (l *Lab) logsHandler() http.Handler {
	h := logs.NewHandler(l.logStore, logs.WithRequestIDs(l.ids.UUID))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := l.callerOf(r)
		if !c.root {
			q, err := logs.ParseRequest(r)
			if err == nil {
				if ok, msg := l.allowed(c, q.Action, l.logStore.Resource(q)); !ok {
					refuse(w, http.StatusBadRequest, "AccessDeniedException", msg)
					return
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// queryHandler serves IAM or STS (Query protocol): they read the caller
// from the request's context and authorize it themselves.
func (l *Lab) queryHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := l.callerOf(r)
		who := l.iam.Root()
		if !c.root {
			if s, err := l.iam.RoleSession(c.role, c.function); err == nil {
				who = s
			}
		}
		h.ServeHTTP(w, r.WithContext(iam.WithCaller(r.Context(), who)))
	})
}

// lambdaHandler serves the Lambda API, authorizing role sessions' calls
// on the function they name as IAM would.
func (l *Lab) lambdaHandler() http.Handler {
	h := api.NewHandler(l.control, api.WithRequestIDs(l.ids.UUID))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := l.callerOf(r); !c.root {
			action, function := api.Action(r)
			resource := "*"
			if function != "" {
				resource = l.control.FunctionARN(function)
			}
			if ok, msg := l.allowed(c, action, resource); !ok && action != "" {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
				w.WriteHeader(http.StatusForbidden)
				json.NewEncoder(w).Encode(map[string]string{"Type": "User", "Message": msg})
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// newDoor wires the lab's services behind its one endpoint.
func (l *Lab) newDoor() *door {
	stsSvc := sts.New(l.iam, sts.WithIDs(l.ids), sts.WithClock(l.display()))
	return &door{services: map[string]http.Handler{
		"s3":     l.withCodePackages(l.s3),
		"lambda": l.lambdaHandler(),
		"logs":   l.logsHandler(),
		"iam":    l.queryHandler(l.iam.Handler()),
		"sts":    l.queryHandler(stsSvc.Handler()),
	}}
}

// LambdaTrustPolicy lets Lambda assume a role: what the console's "Create
// a new role with basic Lambda permissions" writes.
const LambdaTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// LabFilePolicyName is the inline policy a lab file's role policy becomes.
const LabFilePolicyName = "lab-file-policy"

// ensureIAMRole makes a lab file's execution role an IAM role, so that the
// IAM API lists it and a function's session is its role's.
func (l *Lab) ensureIAMRole(role string, p *iam.Policy) error {
	if _, err := l.iam.GetRole(role); err == nil {
		return nil // IAM's (a data directory's, or an earlier function's) wins
	}
	if _, err := l.iam.CreateRole(iam.CreateRoleInput{RoleName: role, AssumeRolePolicyDocument: LambdaTrustPolicy,
		Description: "an execution role of the lab file"}); err != nil {
		return err
	}
	return l.iam.PutRolePolicy(role, LabFilePolicyName, p.Source)
}
