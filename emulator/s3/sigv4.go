package s3

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SecretLookup returns the secret access key (and true) for an access key the lab issued.
type SecretLookup func(accessKeyID string) (secret string, ok bool)

const (
	sigV4Algorithm  = "AWS4-HMAC-SHA256"
	amzDateFormat   = "20060102T150405Z"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	// maxRequestSkew is how far a request's time may be from the server's.
	// For presigned URLs the same margin is allowed before "Request is not
	// yet valid" (unverified: S3's exact margin there is not documented).
	maxRequestSkew = 15 * time.Minute
	// maxPresignExpires is SigV4's limit on X-Amz-Expires: one week.
	maxPresignExpires = 604800
	credentialForm    = `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
)

// sigV4 is one request's SigV4 authentication, read from its Authorization
// header or from its presigned query.
type sigV4 struct {
	accessKeyID, scopeDate, region, service, terminal string
	signedHeaders                                     []string
	signature                                         string
	amzDate                                           time.Time
	payloadHash                                       string
	presigned                                         bool
}

// VerifySignature checks r's SigV4 signature (Authorization header or
// presigned URL) as S3 does, when r is signed with a key lookup knows. It
// returns nil for unsigned requests and for keys lookup does not know (they
// act as the account root, unchecked); otherwise an *Error with S3's code
// and message. SigV2 is refused with InvalidRequest: the lab does not verify it.
//
// As in S3, the canonical path is the path as sent, decoded and encoded once
// (never twice); the query is re-encoded per RFC 3986 and sorted; the payload
// hash is x-amz-content-sha256 verbatim. Path and query come from
// r.RequestURI when set, so r.URL may already be rewritten (virtual hosts).
//
// r.Body is neither read nor modified: a hex payload hash is not compared
// with the body, and of an aws-chunked upload (STREAMING-*) only the seed
// signature is verified, not the per-chunk signatures.
func VerifySignature(r *http.Request, lookup SecretLookup, now time.Time) error {
	key := AccessKeyID(r)
	if key == "" {
		return nil
	}
	secret, ok := lookup(key)
	if !ok {
		return nil
	}
	q := r.URL.Query()
	auth := r.Header.Get("Authorization")
	var s *sigV4
	var err error
	switch {
	case auth != "" && (q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Credential") || q.Has("Signature")):
		return NewError("InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
			Field{"ArgumentName", "Authorization"}, Field{"ArgumentValue", auth})
	case strings.HasPrefix(auth, "AWS "), auth == "" && q.Has("AWSAccessKeyId"):
		// The lab verifies SigV4 only, like the S3 regions opened since 2014.
		return NewError("InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
	case auth != "":
		s, err = parseAuthorization(r, auth, now)
	default:
		s, err = parsePresigned(q, now)
	}
	if err != nil {
		return err
	}
	if s.accessKeyID != key {
		return s.malformed(credentialForm)
	}
	if err := checkAllSigned(r, s.signedHeaders); err != nil {
		return err
	}
	canonical := canonicalRequest(r, s)
	sum := sha256.Sum256([]byte(canonical))
	toSign := strings.Join([]string{sigV4Algorithm, s.amzDate.Format(amzDateFormat),
		s.scopeDate + "/" + s.region + "/" + s.service + "/" + s.terminal, hex.EncodeToString(sum[:])}, "\n")
	k := hmacSHA256([]byte("AWS4"+secret), s.scopeDate) // the signing key, then the signature
	for _, part := range []string{s.region, s.service, s.terminal, toSign} {
		k = hmacSHA256(k, part)
	}
	if hmac.Equal([]byte(hex.EncodeToString(k)), []byte(s.signature)) {
		return nil
	}
	return NewError("SignatureDoesNotMatch", "",
		Field{"AWSAccessKeyId", key}, Field{"StringToSign", toSign}, Field{"SignatureProvided", s.signature},
		Field{"StringToSignBytes", fmt.Sprintf("% x", toSign)}, Field{"CanonicalRequest", canonical},
		Field{"CanonicalRequestBytes", fmt.Sprintf("% x", canonical)})
}

// parseAuthorization reads "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
func parseAuthorization(r *http.Request, auth string, now time.Time) (*sigV4, error) {
	rest, ok := strings.CutPrefix(auth, sigV4Algorithm+" ")
	if !ok {
		return nil, NewError("InvalidArgument", "Unsupported Authorization Type",
			Field{"ArgumentName", "Authorization"}, Field{"ArgumentValue", auth})
	}
	s := &sigV4{}
	parts := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, s.malformed(fmt.Sprintf("the authorization component %q is malformed.", part))
		}
		parts[name] = value
	}
	cred, signed, sig := parts["Credential"], parts["SignedHeaders"], parts["Signature"]
	if cred == "" || signed == "" || sig == "" {
		return nil, s.malformed("the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	}
	s.signedHeaders, s.signature = strings.Split(signed, ";"), sig
	raw := r.Header.Get("X-Amz-Date")
	t, err := time.Parse(amzDateFormat, raw)
	if raw == "" {
		raw = r.Header.Get("Date")
		t, err = http.ParseTime(raw)
	}
	if err != nil {
		return nil, NewError("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
	}
	s.amzDate = t.UTC()
	if err := s.parseCredential(cred); err != nil {
		return nil, err
	}
	if d := now.Sub(s.amzDate); d > maxRequestSkew || d < -maxRequestSkew {
		return nil, NewError("RequestTimeTooSkewed", "", Field{"RequestTime", raw},
			Field{"ServerTime", now.UTC().Format(time.RFC3339)}, Field{"MaxAllowedSkewMilliseconds", "900000"})
	}
	s.payloadHash = r.Header.Get("X-Amz-Content-Sha256")
	if s.payloadHash == "" {
		return nil, NewError("InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
	}
	return s, nil
}

// parsePresigned reads the X-Amz-* query parameters of a presigned URL and
// checks its validity period.
func parsePresigned(q url.Values, now time.Time) (*sigV4, error) {
	s := &sigV4{presigned: true, payloadHash: unsignedPayload}
	queryError := func(msg string) error { return NewError("AuthorizationQueryParametersError", msg) }
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if q.Get(p) == "" {
			return nil, queryError("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
	}
	if q.Get("X-Amz-Algorithm") != sigV4Algorithm {
		return nil, queryError(`X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
	}
	t, err := time.Parse(amzDateFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return nil, queryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
	}
	s.amzDate = t
	expires, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	switch {
	case err != nil:
		return nil, queryError("X-Amz-Expires should be a number")
	case expires < 0:
		return nil, queryError("X-Amz-Expires must be non-negative")
	case expires > maxPresignExpires:
		return nil, queryError("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")
	}
	if err := s.parseCredential(q.Get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	end := t.Add(time.Duration(expires) * time.Second)
	serverTime := Field{"ServerTime", now.UTC().Format(time.RFC3339)}
	if t.After(now.Add(maxRequestSkew)) {
		return nil, NewError("AccessDenied", "Request is not yet valid", Field{"X-Amz-Date", q.Get("X-Amz-Date")},
			Field{"Expires", end.Format(time.RFC3339)}, serverTime)
	}
	if now.After(end) {
		return nil, NewError("AccessDenied", "Request has expired", Field{"X-Amz-Expires", q.Get("X-Amz-Expires")},
			Field{"Expires", end.Format(time.RFC3339)}, serverTime)
	}
	if h := q.Get("X-Amz-Content-Sha256"); h != "" {
		s.payloadHash = h
	}
	s.signedHeaders, s.signature = strings.Split(q.Get("X-Amz-SignedHeaders"), ";"), q.Get("X-Amz-Signature")
	return s, nil
}

// parseCredential reads AKID/YYYYMMDD/REGION/SERVICE/aws4_request and checks
// it against the request's date. Any region is accepted: the lab has one.
func (s *sigV4) parseCredential(cred string) error {
	f := strings.Split(cred, "/")
	if len(f) != 5 || len(f[1]) != 8 || f[0] == "" {
		return s.malformed(credentialForm)
	}
	s.accessKeyID, s.scopeDate, s.region, s.service, s.terminal = f[0], f[1], f[2], f[3], f[4]
	switch {
	case s.scopeDate != s.amzDate.Format("20060102"):
		return s.malformed("Invalid credential date. Date is not the same as X-Amz-Date.")
	case s.service != "s3": // wording unverified
		return s.malformed(fmt.Sprintf("incorrect service %q. This endpoint belongs to \"s3\".", s.service))
	case s.terminal != "aws4_request": // wording unverified
		return s.malformed(fmt.Sprintf("incorrect terminal %q. This endpoint uses \"aws4_request\".", s.terminal))
	}
	return nil
}

// malformed is S3's error for a bad Authorization header or presigned query.
func (s *sigV4) malformed(detail string) *Error {
	if s.presigned {
		return NewError("AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter; "+detail)
	}
	return NewError("AuthorizationHeaderMalformed", "The authorization header is malformed; "+detail)
}

// checkAllSigned refuses x-amz-* headers the signature does not cover, as S3
// does; x-amz-content-sha256 may go unsigned.
func checkAllSigned(r *http.Request, signed []string) error {
	var missing []string
	for name := range r.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-amz-") && lower != "x-amz-content-sha256" && !slices.Contains(signed, lower) {
			missing = append(missing, lower)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return NewError("AccessDenied", "There were headers present in the request which were not signed",
		Field{"HeadersNotSigned", strings.Join(missing, ", ")})
}

// canonicalRequest is SigV4's canonical request for r as S3 computes it.
func canonicalRequest(r *http.Request, s *sigV4) string {
	path, rawQuery := r.URL.Path, r.URL.RawQuery
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
		path, rawQuery = u.Path, u.RawQuery
	}
	if path == "" {
		path = "/"
	}
	var b strings.Builder
	b.WriteString(r.Method + "\n" + uriEncode(path, false) + "\n" + canonicalQuery(rawQuery, s.presigned) + "\n")
	for _, name := range s.signedHeaders {
		b.WriteString(name + ":" + headerValue(r, name) + "\n")
	}
	b.WriteString("\n" + strings.Join(s.signedHeaders, ";") + "\n" + s.payloadHash)
	return b.String()
}

// canonicalQuery decodes each parameter of rawQuery, encodes it again per
// RFC 3986 and sorts by key, then value; a presigned URL's own signature is
// left out.
func canonicalQuery(rawQuery string, presigned bool) string {
	var pairs [][2]string
	for _, part := range strings.Split(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, [2]string{uriEncode(k, true), uriEncode(v, true)})
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0] + "=" + p[1]
	}
	return strings.Join(out, "&")
}

func queryUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// headerValue is a signed header's canonical value: its values trimmed,
// runs of spaces collapsed, joined with commas. Go's server keeps Host and
// Transfer-Encoding out of r.Header, and clients may leave Content-Length in
// a field.
func headerValue(r *http.Request, name string) string {
	values := r.Header.Values(name)
	switch {
	case name == "host":
		values = []string{r.Host}
	case len(values) > 0:
	case name == "content-length" && r.ContentLength >= 0:
		values = []string{strconv.FormatInt(r.ContentLength, 10)}
	case name == "transfer-encoding":
		values = r.TransferEncoding
	}
	out := make([]string, len(values))
	for i, v := range values {
		v = strings.TrimSpace(v)
		for strings.Contains(v, "  ") {
			v = strings.ReplaceAll(v, "  ", " ")
		}
		out[i] = v
	}
	return strings.Join(out, ",")
}

// uriEncode percent-encodes every byte but RFC 3986's unreserved characters
// (and '/' unless encodeSlash), with upper-case hex, as SigV4 requires.
func uriEncode(s string, encodeSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && !encodeSlash {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
