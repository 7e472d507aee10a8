package emulator_test

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/store"
)

const (
	msgCORSDisabled   = "CORS is not enabled for this bucket."
	msgCORSNotAllowed = "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
	allowedOrigin     = "http://allowed.example"
)

// preflightFrom sends the OPTIONS request a browser sends before a
// cross-origin request.
func preflightFrom(t *testing.T, endpoint, path, origin, method, headers string) (answer, *http.Response) {
	t.Helper()
	h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
	if headers != "" {
		h["Access-Control-Request-Headers"] = headers
	}
	if origin == "" {
		delete(h, "Origin")
	}
	return rawAnswer(t, "OPTIONS", endpoint+path, h)
}

// TestNoCORSWithoutConfiguration: a bucket without a CORS configuration
// answers no preflight and sends no CORS header, as S3 does (the lab
// answered every origin with Access-Control-Allow-Origin: *).
func TestNoCORSWithoutConfiguration(t *testing.T) {
	lab := labtest.Start(t, "")
	lab.Put(t, outBucket, "secret.txt", []byte("secret"), "text/plain")
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		a, resp := preflightFrom(t, lab.Endpoint, "/"+outBucket+"/secret.txt", "http://evil.example", m, "")
		if a.status != 403 || a.code != "CORSResponse" || a.message != msgCORSDisabled || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight %s: %+v, Access-Control-Allow-Origin %q", m, a, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	a, resp := rawAnswer(t, "GET", lab.Endpoint+"/"+outBucket+"/secret.txt", map[string]string{"Origin": "http://evil.example"})
	if a.status != 200 || corsHeaders(resp) != "" {
		t.Errorf("GET from another origin: %d with %s", a.status, corsHeaders(resp))
	}
	if a, _ := preflightFrom(t, lab.Endpoint, "/"+outBucket+"/secret.txt", "", "GET", ""); a.status != 400 || a.code != "BadRequest" {
		t.Errorf("preflight without an Origin: %+v", a)
	}
	_, err := lab.Client.GetBucketCors(context.Background(), &s3.GetBucketCorsInput{Bucket: aws.String(outBucket)})
	if a := sdk(err); a.status != 404 || a.code != "NoSuchCORSConfiguration" || a.message != "The CORS configuration does not exist" {
		t.Errorf("GetBucketCors without a configuration: %+v", a)
	}
}

func corsHeaders(resp *http.Response) string {
	var out []string
	for name := range resp.Header {
		if strings.HasPrefix(name, "Access-Control-") {
			out = append(out, name+": "+resp.Header.Get(name))
		}
	}
	return strings.Join(out, "; ")
}

// corsRule is the configuration the tests put: one origin, GET and PUT,
// two allowed headers.
func corsRule(origins ...string) *s3.PutBucketCorsInput {
	return &s3.PutBucketCorsInput{Bucket: aws.String(outBucket), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{{
		AllowedOrigins: origins, AllowedMethods: []string{"GET", "PUT"}, AllowedHeaders: []string{"content-type", "x-amz-*"},
		ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(300),
	}}}}
}

// TestBucketCORS: PutBucketCors, GetBucketCors and DeleteBucketCors, and
// preflights and answers judged by the configuration's rules.
func TestBucketCORS(t *testing.T) {
	dir := t.TempDir()
	d, err := store.OpenData(dir)
	if err != nil {
		t.Fatal(err)
	}
	lab := labtest.Start(t, "", emulator.WithData(d))
	ctx := context.Background()
	lab.Put(t, outBucket, "shared.txt", []byte("shared"), "text/plain")
	if _, err := lab.Client.PutBucketCors(ctx, corsRule(allowedOrigin)); err != nil {
		t.Fatal(err)
	}
	a, resp := preflightFrom(t, lab.Endpoint, "/"+outBucket+"/shared.txt", allowedOrigin, "PUT", "Content-Type, X-Amz-Meta-Note")
	want := map[string]string{"Access-Control-Allow-Origin": allowedOrigin, "Access-Control-Allow-Methods": "GET, PUT",
		"Access-Control-Allow-Headers": "content-type, x-amz-meta-note", "Access-Control-Max-Age": "300", "Access-Control-Expose-Headers": "ETag"}
	if a.status != 200 {
		t.Errorf("allowed preflight: %+v", a)
	}
	for name, v := range want {
		if got := resp.Header.Get(name); got != v {
			t.Errorf("allowed preflight: %s is %q, want %q", name, got, v)
		}
	}
	refused := []struct{ name, origin, method, headers string }{
		{"another origin", "http://evil.example", "GET", ""},
		{"a method not allowed", allowedOrigin, "DELETE", ""},
		{"a header not allowed", allowedOrigin, "PUT", "x-custom"},
	}
	for _, tc := range refused {
		a, resp := preflightFrom(t, lab.Endpoint, "/"+outBucket+"/shared.txt", tc.origin, tc.method, tc.headers)
		if a.status != 403 || a.code != "CORSResponse" || a.message != msgCORSNotAllowed || corsHeaders(resp) != "" {
			t.Errorf("preflight with %s: %+v %s", tc.name, a, corsHeaders(resp))
		}
	}
	_, resp = rawAnswer(t, "GET", lab.Endpoint+"/"+outBucket+"/shared.txt", map[string]string{"Origin": allowedOrigin})
	if resp.Header.Get("Access-Control-Allow-Origin") != allowedOrigin || resp.Header.Get("Access-Control-Expose-Headers") != "ETag" {
		t.Errorf("GET from the allowed origin: %s", corsHeaders(resp))
	}
	_, resp = rawAnswer(t, "GET", lab.Endpoint+"/"+outBucket+"/shared.txt", map[string]string{"Origin": "http://evil.example"})
	if corsHeaders(resp) != "" {
		t.Errorf("GET from another origin: %s", corsHeaders(resp))
	}

	// Kept in the data directory.
	lab.Close()
	if d, err = store.OpenData(dir); err != nil {
		t.Fatal(err)
	}
	lab = labtest.Start(t, "", emulator.WithData(d))
	got, err := lab.Client.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(outBucket)})
	if err != nil || len(got.CORSRules) != 1 || got.CORSRules[0].AllowedOrigins[0] != allowedOrigin || aws.ToInt32(got.CORSRules[0].MaxAgeSeconds) != 300 {
		t.Fatalf("GetBucketCors after a restart: %v %+v", err, got)
	}
	if _, err := lab.Client.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(outBucket)}); err != nil {
		t.Fatal(err)
	}
	if a, _ := preflightFrom(t, lab.Endpoint, "/"+outBucket+"/shared.txt", allowedOrigin, "GET", ""); a.message != msgCORSDisabled {
		t.Errorf("preflight after DeleteBucketCors: %+v", a)
	}
}

// TestPutBucketCORSChecks: PutBucketCors refuses what S3 refuses.
func TestPutBucketCORSChecks(t *testing.T) {
	lab := labtest.Start(t, "")
	h := &hostileLab{Lab: lab}
	rule := func(inner string) string {
		return `<CORSConfiguration><CORSRule>` + inner + `</CORSRule></CORSConfiguration>`
	}
	ok := rule(`<AllowedOrigin>http://a.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod>`)
	cases := []struct {
		name, body string
		header     map[string]string
		code, msg  string
	}{
		{"no Content-MD5", ok, map[string]string{}, "InvalidRequest", "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"},
		{"a Content-MD5 of other bytes", ok, map[string]string{"Content-MD5": md5Of("other")}, "BadDigest", ""},
		{"method PATCH", rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>`), nil, "InvalidRequest",
			"Found unsupported HTTP method in CORS config. Unsupported method is PATCH"},
		{"two wildcards in an origin", rule(`<AllowedOrigin>http://*.*.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod>`), nil,
			"InvalidRequest", `AllowedOrigin "http://*.*.example" can not have more than one wildcard.`},
		{"no origin", rule(`<AllowedMethod>GET</AllowedMethod>`), nil, "MalformedXML", msgMalformedXML},
		{"no rule", `<CORSConfiguration></CORSConfiguration>`, nil, "MalformedXML", msgMalformedXML},
		{"not XML", `{"CORSRules": []}`, nil, "MalformedXML", msgMalformedXML},
	}
	for _, tc := range cases {
		header := tc.header
		if header == nil {
			sum := md5.Sum([]byte(tc.body))
			header = map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}
		}
		a := h.raw(t, "PUT", "/"+outBucket+"?cors", header, tc.body)
		if a.status != 400 || a.code != tc.code || tc.msg != "" && a.message != tc.msg {
			t.Errorf("%s: %+v", tc.name, a)
		}
	}
	if _, err := lab.Client.GetBucketCors(context.Background(), &s3.GetBucketCorsInput{Bucket: aws.String(outBucket)}); err == nil {
		t.Error("a refused configuration was kept")
	}
}
