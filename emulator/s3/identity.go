package s3

import (
	"net/http"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/iam"
)

// Principal is who made a request, as IAM and S3 event records name them.
type Principal struct {
	// Name is short and human: "root", or "ROLE/SESSION" for a role session.
	Name string
	// ARN is the principal's ARN, e.g. arn:aws:iam::000000000000:root or
	// arn:aws:sts::000000000000:assumed-role/ROLE/SESSION.
	ARN string
	// PrincipalID is what S3 puts in userIdentity.principalId.
	PrincipalID string
	// AccessKeyID is the key the request was signed with ("" when unsigned).
	AccessKeyID string
	// Root is true for the account root, which every policy allows.
	Root bool
	// Policy is the role's policy (nil for the root).
	Policy iam.Evaluator
}

// Identifier maps an access key id to a principal the lab issued it to. It
// returns false for keys the lab did not issue; those act as the account
// root, like a student at the console.
type Identifier func(accessKeyID string) (Principal, bool)

// AccessKeyID returns the access key id of a SigV4 (header or presigned
// query) or SigV2 request, or "" for an unsigned one.
func AccessKeyID(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, rest, ok := strings.Cut(auth, "Credential="); ok {
			key, _, _ := strings.Cut(rest, "/")
			return strings.TrimSpace(key)
		}
		if rest, ok := strings.CutPrefix(auth, "AWS "); ok {
			key, _, _ := strings.Cut(rest, ":")
			return strings.TrimSpace(key)
		}
	}
	q := r.URL.Query()
	if cred := q.Get("X-Amz-Credential"); cred != "" {
		key, _, _ := strings.Cut(cred, "/")
		return key
	}
	return q.Get("AWSAccessKeyId")
}

// TraceHeader is the request header that carries a Lambda invocation's trace
// (and with it the recursion lineage) into S3.
const TraceHeader = "X-Amzn-Trace-Id"

// stripLineage removes the recursion lineage from a request's trace header.
// Only the lab's own functions carry it (their calls are signed with their
// role session's key); a client that sends it itself — Lineage=…:16 on a
// fresh upload — would otherwise have the upload's invocation dropped as a
// loop.
func stripLineage(h http.Header) {
	v := h.Get(TraceHeader)
	if !strings.Contains(v, "Lineage=") {
		return
	}
	var kept []string
	for _, part := range strings.Split(v, ";") {
		if !strings.HasPrefix(strings.TrimSpace(part), "Lineage=") {
			kept = append(kept, part)
		}
	}
	if len(kept) == 0 {
		h.Del(TraceHeader)
		return
	}
	h.Set(TraceHeader, strings.Join(kept, ";"))
}
