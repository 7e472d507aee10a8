package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	sigTestKey    = "ASIAEXAMPLELABKEY001"
	sigTestSecret = "lab/Secret+Key=0123456789abcdefghijkl"
	sigTestToken  = "lab-session-token"
	sigTestRegion = "us-east-1"
)

var sigTestNow = time.Date(2023, 5, 22, 10, 7, 49, 0, time.UTC)

// sigTestLookup knows the one key the lab issued in these tests.
func sigTestLookup(id string) (string, bool) {
	if id == sigTestKey {
		return sigTestSecret, true
	}
	return "", false
}

// s3Signing is what the S3 client sets on its signer: S3 paths are encoded
// once, never twice.
func s3Signing(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }

// signedRequest signs a request the way the S3 client does and returns it
// as the server receives it.
func signedRequest(t *testing.T, method, target, body string, header http.Header, key, secret, payloadHash string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	if payloadHash == "" {
		sum := sha256.Sum256([]byte(body))
		payloadHash = hex.EncodeToString(sum[:])
	}
	r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: sigTestToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, payloadHash, "s3", sigTestRegion, sigTestNow, s3Signing); err != nil {
		t.Fatal(err)
	}
	r.RequestURI = r.URL.RequestURI() // the request-target the client sends once signed
	return r
}

// presignedRequest presigns a request the way the S3 presign client does
// and returns it as the server receives it.
func presignedRequest(t *testing.T, method, target, secret string, expires time.Duration, signedAt time.Time) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	q := r.URL.Query()
	q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
	r.URL.RawQuery = q.Encode()
	creds := aws.Credentials{AccessKeyID: sigTestKey, SecretAccessKey: secret, SessionToken: sigTestToken}
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, unsignedPayload, "s3", sigTestRegion, signedAt, s3Signing)
	if err != nil {
		t.Fatal(err)
	}
	out := httptest.NewRequest(method, u, nil)
	for k, v := range hdr {
		if k != "Host" {
			out.Header[k] = v
		}
	}
	out.RequestURI = out.URL.RequestURI()
	return out
}

// setTarget changes the request-target as if the client had sent target.
func setTarget(t *testing.T, r *http.Request, target string) {
	t.Helper()
	u, err := url.ParseRequestURI(target)
	if err != nil {
		t.Fatal(err)
	}
	r.URL.Path, r.URL.RawPath, r.URL.RawQuery, r.RequestURI = u.Path, u.RawPath, u.RawQuery, target
}

// wantCode checks that err is our S3 error with code (nil when code is "").
func wantCode(t *testing.T, err error, code string) *Error {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("want no error, got %v", err)
		}
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if e.Code != code {
		t.Fatalf("want %s, got %s: %s", code, e.Code, e.Message)
	}
	return e
}

func TestVerifySignatureSignedRequests(t *testing.T) {
	const bucketURL = "http://127.0.0.1:9000/cis-examples"
	cases := []struct {
		name, method, target, body string
		header                     http.Header
		payloadHash                string
		sent                       string // request-target as sent, when not the SDK's own form
	}{
		{name: "key with spaces", method: "PUT", target: bucketURL + "/Screenshot%20from%202023-05-22%2010-07-49.png", body: "png"},
		{name: "plus, unicode and tilde", method: "PUT", target: bucketURL + "/a%2Bb/%C3%BC%20~x.png", body: "png"},
		{name: "equals signs", method: "GET", target: bucketURL + "/state%3Dfl/city%3Dorlando.json"},
		{name: "percent sign", method: "GET", target: bucketURL + "/100%25.txt"},
		{name: "list with prefix", method: "GET", target: bucketURL + "?list-type=2&prefix=a%20b"},
		{name: "list with plus and delimiter", method: "GET", target: bucketURL + "?list-type=2&prefix=a%2Bb&delimiter=%2F"},
		{name: "subresource without value", method: "GET", target: bucketURL + "?notification"},
		{name: "subresource sent without =", method: "GET", target: bucketURL + "?notification", sent: "/cis-examples?notification"},
		{name: "create multipart upload", method: "POST", target: bucketURL + "/big.bin?uploads"},
		{name: "upload part", method: "PUT", target: bucketURL + "/big.bin?partNumber=1&uploadId=x", body: "part one"},
		{name: "virtual-host style", method: "GET", target: "http://cis-examples.s3.localhost:9000/a%20b.png"},
		{name: "root path", method: "GET", target: "http://127.0.0.1:9000/"},
		{name: "headers with runs of spaces", method: "PUT", target: bucketURL + "/note.txt", body: "hi",
			header: http.Header{"X-Amz-Meta-Note": {"  two   spaces  here "}, "Content-Type": {"text/plain"}}},
		{name: "unsigned payload", method: "PUT", target: bucketURL + "/u.txt", body: "hi", payloadHash: unsignedPayload},
		{name: "aws-chunked seed signature", method: "PUT", target: bucketURL + "/s.txt", body: "5;chunk-signature=00\r\nhello\r\n",
			header:      http.Header{"Content-Encoding": {"aws-chunked"}, "X-Amz-Decoded-Content-Length": {"5"}},
			payloadHash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
		// S3 decodes the path and encodes it once more: a raw '=' is signed as %3D.
		{name: "path normalized like S3", method: "GET", target: bucketURL + "/state%3Dfl/x.json", sent: "/cis-examples/state=fl/x.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, secret := range []string{sigTestSecret, "not-the-secret"} {
				r := signedRequest(t, tc.method, tc.target, tc.body, tc.header, sigTestKey, secret, tc.payloadHash)
				if tc.sent != "" {
					setTarget(t, r, tc.sent)
				}
				err := VerifySignature(r, sigTestLookup, sigTestNow.Add(time.Minute))
				if secret == sigTestSecret {
					wantCode(t, err, "")
					continue
				}
				e := wantCode(t, err, "SignatureDoesNotMatch")
				if e.Status != http.StatusForbidden || e.Message != Messages["SignatureDoesNotMatch"] {
					t.Errorf("got %d %q", e.Status, e.Message)
				}
			}
		})
	}
}

func TestVerifySignatureRejects(t *testing.T) {
	const target = "http://127.0.0.1:9000/cis-examples/a%20b.png?partNumber=1&uploadId=x"
	replaceAuth := func(old, new string) func(*testing.T, *http.Request) {
		return func(t *testing.T, r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
		}
	}
	cases := []struct {
		name   string
		mutate func(*testing.T, *http.Request)
		at     time.Duration // verification time after signing
		code   string
	}{
		{name: "untouched", code: ""},
		{name: "signed header tampered", code: "SignatureDoesNotMatch",
			mutate: func(t *testing.T, r *http.Request) { r.Header.Set("X-Amz-Meta-Owner", "mallory") }},
		{name: "session token swapped", code: "SignatureDoesNotMatch",
			mutate: func(t *testing.T, r *http.Request) { r.Header.Set("X-Amz-Security-Token", "other") }},
		{name: "path tampered", code: "SignatureDoesNotMatch",
			mutate: func(t *testing.T, r *http.Request) {
				setTarget(t, r, "/cis-examples/other.png?partNumber=1&uploadId=x")
			}},
		{name: "query tampered", code: "SignatureDoesNotMatch",
			mutate: func(t *testing.T, r *http.Request) {
				setTarget(t, r, "/cis-examples/a%20b.png?partNumber=2&uploadId=x")
			}},
		{name: "host tampered", code: "SignatureDoesNotMatch",
			mutate: func(t *testing.T, r *http.Request) { r.Host = "127.0.0.1:9001" }},
		{name: "signature tampered", code: "SignatureDoesNotMatch", mutate: replaceAuth("Signature=", "Signature=0")},
		{name: "unsigned x-amz header added", code: "AccessDenied",
			mutate: func(t *testing.T, r *http.Request) { r.Header.Set("X-Amz-Acl", "public-read") }},
		{name: "within skew", at: 14 * time.Minute, code: ""},
		{name: "clock ahead of request", at: 16 * time.Minute, code: "RequestTimeTooSkewed"},
		{name: "clock behind request", at: -16 * time.Minute, code: "RequestTimeTooSkewed"},
		{name: "no date", code: "AccessDenied",
			mutate: func(t *testing.T, r *http.Request) { r.Header.Del("X-Amz-Date") }},
		{name: "credential date differs", code: "AuthorizationHeaderMalformed", mutate: replaceAuth("/20230522/", "/20230521/")},
		{name: "credential incomplete", code: "AuthorizationHeaderMalformed", mutate: replaceAuth("/s3/aws4_request", "/s3")},
		{name: "wrong service", code: "AuthorizationHeaderMalformed", mutate: replaceAuth("/s3/", "/execute-api/")},
		{name: "missing SignedHeaders", code: "AuthorizationHeaderMalformed", mutate: replaceAuth("SignedHeaders=", "Signed=")},
		{name: "component without =", code: "AuthorizationHeaderMalformed", mutate: replaceAuth(", Signature=", ", Sig, Signature=")},
		{name: "unknown algorithm", code: "InvalidArgument", mutate: replaceAuth("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")},
		{name: "no payload hash", code: "InvalidRequest",
			mutate: func(t *testing.T, r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") }},
		{name: "signature version 2", code: "InvalidRequest",
			mutate: func(t *testing.T, r *http.Request) { r.Header.Set("Authorization", "AWS "+sigTestKey+":c2lnbmF0dXJl") }},
		{name: "header and query signature", code: "InvalidArgument",
			mutate: func(t *testing.T, r *http.Request) {
				setTarget(t, r, "/cis-examples/a%20b.png?partNumber=1&uploadId=x&X-Amz-Algorithm=AWS4-HMAC-SHA256")
			}},
	}
	header := http.Header{"X-Amz-Meta-Owner": {"alice"}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := signedRequest(t, "PUT", target, "part", header, sigTestKey, sigTestSecret, "")
			if tc.mutate != nil {
				tc.mutate(t, r)
			}
			wantCode(t, VerifySignature(r, sigTestLookup, sigTestNow.Add(tc.at)), tc.code)
		})
	}
}

func TestVerifySignatureErrorDocuments(t *testing.T) {
	r := signedRequest(t, "GET", "http://127.0.0.1:9000/cis-examples/a%20b.png", "", nil, sigTestKey, "wrong", "")
	e := wantCode(t, VerifySignature(r, sigTestLookup, sigTestNow), "SignatureDoesNotMatch")
	fields := map[string]string{}
	for _, f := range e.Fields {
		fields[f.Name] = f.Value
	}
	if fields["AWSAccessKeyId"] != sigTestKey || !strings.HasPrefix(fields["StringToSignBytes"], "41 57 53 34 2d") ||
		!strings.HasPrefix(fields["CanonicalRequest"], "GET\n/cis-examples/a%20b.png\n\nhost:127.0.0.1:9000\n") {
		t.Errorf("fields: %q", fields)
	}

	r = signedRequest(t, "GET", "http://127.0.0.1:9000/cis-examples/k", "", nil, sigTestKey, sigTestSecret, "")
	e = wantCode(t, VerifySignature(r, sigTestLookup, sigTestNow.Add(time.Hour)), "RequestTimeTooSkewed")
	if e.Status != http.StatusForbidden || e.Message != "The difference between the request time and the current time is too large." ||
		len(e.Fields) != 3 || e.Fields[0] != (Field{"RequestTime", "20230522T100749Z"}) || e.Fields[2].Value != "900000" {
		t.Errorf("got %d %q %v", e.Status, e.Message, e.Fields)
	}
}

// A request signed like other AWS services (path encoded twice) does not
// match S3's canonical request.
func TestVerifySignatureDoubleEncodedPath(t *testing.T) {
	r := httptest.NewRequest("GET", "http://127.0.0.1:9000/cis-examples/a%20b.png", nil)
	r.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
	creds := aws.Credentials{AccessKeyID: sigTestKey, SecretAccessKey: sigTestSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, unsignedPayload, "s3", sigTestRegion, sigTestNow); err != nil {
		t.Fatal(err)
	}
	wantCode(t, VerifySignature(r, sigTestLookup, sigTestNow), "SignatureDoesNotMatch")
}

func TestVerifySignatureLeavesOthersAlone(t *testing.T) {
	cases := []struct {
		name string
		req  func(t *testing.T) *http.Request
	}{
		{"unsigned", func(t *testing.T) *http.Request { return httptest.NewRequest("GET", "/cis-examples/a.png", nil) }},
		{"key the lab did not issue", func(t *testing.T) *http.Request {
			return signedRequest(t, "PUT", "http://127.0.0.1:9000/cis-examples/a.png", "x", nil, "AKIASTUDENTKEY", "anything", "")
		}},
		{"malformed header, unknown key", func(t *testing.T) *http.Request {
			r := httptest.NewRequest("GET", "/cis-examples/a.png", nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIASTUDENTKEY/garbage")
			return r
		}},
		{"signature version 2, unknown key", func(t *testing.T) *http.Request {
			r := httptest.NewRequest("GET", "/cis-examples/a.png", nil)
			r.Header.Set("Authorization", "AWS AKIASTUDENTKEY:c2ln")
			return r
		}},
		{"expired presigned URL, unknown key", func(t *testing.T) *http.Request {
			return httptest.NewRequest("GET", "/cis-examples/a.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIASTUDENTKEY%2F20200101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20200101T000000Z&X-Amz-Expires=1&X-Amz-SignedHeaders=host&X-Amz-Signature=00", nil)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, VerifySignature(tc.req(t), sigTestLookup, sigTestNow), "")
		})
	}
}

func TestVerifySignatureKeepsBody(t *testing.T) {
	r := signedRequest(t, "PUT", "http://127.0.0.1:9000/cis-examples/a.txt", "payload", nil, sigTestKey, sigTestSecret, "")
	wantCode(t, VerifySignature(r, sigTestLookup, sigTestNow), "")
	if b, _ := io.ReadAll(r.Body); string(b) != "payload" {
		t.Errorf("body after verification: %q", b)
	}
}

func TestVerifySignaturePresigned(t *testing.T) {
	const target = "http://127.0.0.1:9000/cis-examples/a%2Bb/%C3%BC%20~x.png"
	cases := []struct {
		name    string
		secret  string
		expires time.Duration
		at      time.Duration // verification time after signing
		mutate  func(*testing.T, *http.Request)
		code    string
	}{
		{name: "valid", secret: sigTestSecret, expires: time.Hour, at: 59 * time.Minute},
		{name: "wrong secret", secret: "wrong", expires: time.Hour, code: "SignatureDoesNotMatch"},
		{name: "expired", secret: sigTestSecret, expires: time.Hour, at: 61 * time.Minute, code: "AccessDenied"},
		{name: "not yet valid", secret: sigTestSecret, expires: time.Hour, at: -time.Hour, code: "AccessDenied"},
		{name: "longer than a week", secret: sigTestSecret, expires: 8 * 24 * time.Hour, code: "AuthorizationQueryParametersError"},
		{name: "key tampered", secret: sigTestSecret, expires: time.Hour, code: "SignatureDoesNotMatch",
			mutate: func(t *testing.T, r *http.Request) {
				setTarget(t, r, strings.Replace(r.RequestURI, "x.png", "y.png", 1))
			}},
		{name: "expiry extended", secret: sigTestSecret, expires: time.Hour, code: "SignatureDoesNotMatch",
			mutate: func(t *testing.T, r *http.Request) {
				setTarget(t, r, strings.Replace(r.RequestURI, "X-Amz-Expires=3600", "X-Amz-Expires=7200", 1))
			}},
		{name: "query parameter added", secret: sigTestSecret, expires: time.Hour, code: "SignatureDoesNotMatch",
			mutate: func(t *testing.T, r *http.Request) {
				setTarget(t, r, r.RequestURI+"&response-content-type=text%2Fhtml")
			}},
		{name: "unsigned x-amz header added", secret: sigTestSecret, expires: time.Hour, code: "AccessDenied",
			mutate: func(t *testing.T, r *http.Request) { r.Header.Set("X-Amz-Acl", "public-read") }},
		{name: "algorithm dropped", secret: sigTestSecret, expires: time.Hour, code: "AuthorizationQueryParametersError",
			mutate: func(t *testing.T, r *http.Request) {
				setTarget(t, r, strings.Replace(r.RequestURI, "X-Amz-Algorithm=", "X-Amz-Algo=", 1))
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := presignedRequest(t, "GET", target, tc.secret, tc.expires, sigTestNow)
			if tc.mutate != nil {
				tc.mutate(t, r)
			}
			e := wantCode(t, VerifySignature(r, sigTestLookup, sigTestNow.Add(tc.at)), tc.code)
			if tc.name == "expired" && e.Message != "Request has expired" {
				t.Errorf("message %q", e.Message)
			}
		})
	}
}
