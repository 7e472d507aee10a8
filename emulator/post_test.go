package emulator_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// presignPost signs a POST Object form for bucket/key with the client's
// credentials, as the Go SDK does for a browser upload.
func presignPost(t *testing.T, c *s3.Client, bucket, key string, opts ...func(*s3.PresignPostOptions)) (string, map[string]string) {
	t.Helper()
	p, err := s3.NewPresignClient(c).PresignPostObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p.URL, p.Values
}

// postForm sends a form with fields and a file, and returns the answer.
func postForm(t *testing.T, url string, fields map[string]string, file []byte) answer {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if file != nil {
		fw, _ := w.CreateFormFile("file", "photo.png")
		fw.Write(file)
	}
	w.Close()
	resp, err := http.Post(url, w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return parseAnswer(resp.StatusCode, body)
}

// TestPostObjectIsAuthorized: a form upload is authorized like any write.
// An anonymous form is refused; a form signed with a function role's key
// may upload only where the role's policy allows (it stored anywhere); the
// form's credentials are not kept as object metadata.
func TestPostObjectIsAuthorized(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	url := lab.Endpoint + "/" + outBucket
	if a := postForm(t, url, map[string]string{"key": "anonymous.txt"}, []byte("x")); a.status != 403 || a.code != "AccessDenied" {
		t.Errorf("an anonymous form: %+v", a)
	}
	creds := lab.FunctionCredentials("cis-exercise-demo")
	roleClient := labtest.Client(lab.Endpoint, creds.AccessKeyID, creds.SecretAccessKey)
	u, fields := presignPost(t, roleClient, inBucket, "denied.png")
	a := postForm(t, u, fields, []byte("png"))
	if a.status != 403 || a.code != "AccessDenied" || !strings.Contains(a.message, "is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::cis-examples/denied.png\"") {
		t.Errorf("the role's form into a bucket its policy does not allow: %+v", a)
	}
	u, fields = presignPost(t, roleClient, outBucket, "allowed.png")
	if a := postForm(t, u, fields, []byte("png")); a.status != 204 {
		t.Errorf("the role's form into its output bucket: %+v", a)
	}
	u, fields = presignPost(t, lab.Client, outBucket, "root.txt")
	fields["Content-Type"] = "text/plain"
	fields["x-amz-meta-note"] = "kept"
	u2, fields2 := presignPost(t, lab.Client, outBucket, "root.txt", func(o *s3.PresignPostOptions) {
		o.Conditions = []any{map[string]string{"Content-Type": "text/plain"}, []any{"starts-with", "$x-amz-meta-note", ""}}
	})
	fields2["Content-Type"], fields2["x-amz-meta-note"] = "text/plain", "kept"
	if a := postForm(t, u, fields, []byte("from root")); a.code != "AccessDenied" || a.message != "Invalid according to Policy: Extra input fields: content-type, x-amz-meta-note" {
		t.Errorf("fields no condition names: %+v", a)
	}
	if a := postForm(t, u2, fields2, []byte("from root")); a.status != 204 {
		t.Fatalf("the root's form: %+v", a)
	}
	out, body := lab.Get(t, outBucket, "root.txt")
	if string(body) != "from root" || aws.ToString(out.ContentType) != "text/plain" || out.Metadata["note"] != "kept" || len(out.Metadata) != 1 {
		t.Errorf("stored %q, %s, metadata %v", body, aws.ToString(out.ContentType), out.Metadata)
	}
	for _, key := range []string{"anonymous.txt"} {
		if _, err := lab.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(outBucket), Key: aws.String(key)}); err == nil {
			t.Errorf("%s was stored", key)
		}
	}
}

// TestPostObjectSignature: under --verify-signatures a form whose policy
// signature is wrong is refused (a signature of 0000 was accepted).
func TestPostObjectSignature(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "", emulator.WithSignatureVerification())
	root := labtest.Client(lab.Endpoint, emulator.RootAccessKeyID, emulator.RootSecretAccessKey)
	u, fields := presignPost(t, root, outBucket, "signed.txt")
	good := fields["X-Amz-Signature"]
	fields["X-Amz-Signature"] = "0000"
	if a := postForm(t, u, fields, []byte("forged")); a.status != 403 || a.code != "SignatureDoesNotMatch" {
		t.Errorf("signature 0000: %+v", a)
	}
	fields["X-Amz-Signature"] = good
	if a := postForm(t, u, fields, []byte("signed")); a.status != 204 {
		t.Errorf("the right signature: %+v", a)
	}
}

// TestPostObjectPolicy: the policy's expiry and conditions hold.
func TestPostObjectPolicy(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	u, fields := presignPost(t, lab.Client, outBucket, "uploads/${filename}", func(o *s3.PresignPostOptions) {
		o.Conditions = []any{[]any{"starts-with", "$key", "uploads/"}, []any{"content-length-range", 1, 10}}
	})
	if a := postForm(t, u, fields, []byte("0123456789A")); a.code != "EntityTooLarge" {
		t.Errorf("11 bytes, at most 10 allowed: %+v", a)
	}
	fields["key"] = "elsewhere/x"
	if a := postForm(t, u, fields, []byte("ok")); a.code != "AccessDenied" || a.message != `Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]` {
		t.Errorf("a key outside the prefix: %+v", a)
	}
	fields["key"] = "uploads/${filename}"
	if a := postForm(t, u, fields, []byte("ok")); a.status != 204 {
		t.Errorf("within the policy: %+v", a)
	}
	if _, got := lab.Get(t, outBucket, "uploads/photo.png"); string(got) != "ok" {
		t.Errorf("${filename} was not replaced: %q", got)
	}
	expired := policyDoc(t, time.Now().Add(-time.Minute), outBucket)
	if a := postForm(t, lab.Endpoint+"/"+outBucket, map[string]string{"key": "late.txt", "policy": expired, "AWSAccessKeyId": "test",
		"signature": "x"}, []byte("late")); a.code != "AccessDenied" || a.message != "Invalid according to Policy: Policy expired." {
		t.Errorf("an expired policy: %+v", a)
	}
	if a := postForm(t, lab.Endpoint+"/"+outBucket, map[string]string{"key": "bad.txt", "policy": "not base64 json!", "AWSAccessKeyId": "test",
		"signature": "x"}, []byte("x")); a.code != "InvalidPolicyDocument" {
		t.Errorf("a policy that is not base64: %+v", a)
	}
}

// policyDoc is a base64 POST policy expiring at exp that allows any key of
// bucket.
func policyDoc(t *testing.T, exp time.Time, bucket string) string {
	t.Helper()
	doc, _ := json.Marshal(map[string]any{"expiration": exp.UTC().Format(time.RFC3339),
		"conditions": []any{map[string]string{"bucket": bucket}, []any{"starts-with", "$key", ""}}})
	return base64.StdEncoding.EncodeToString(doc)
}

// TestPostObjectKeyRules: a form's key meets PutObject's rules (an invalid
// UTF-8 key was stored and could then be neither fetched nor deleted; an
// empty key was accepted).
func TestPostObjectKeyRules(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	cases := []struct {
		key, code string
	}{
		{"bad\xff.png", "InvalidURI"},
		{"", "InvalidArgument"},
		{strings.Repeat("k", 1025), "KeyTooLongError"},
	}
	for _, tc := range cases {
		fields := map[string]string{"key": tc.key, "policy": policyDoc(t, time.Now().Add(time.Hour), outBucket),
			"AWSAccessKeyId": "test", "signature": "x"}
		if a := postForm(t, lab.Endpoint+"/"+outBucket, fields, []byte("x")); a.status != 400 || a.code != tc.code {
			t.Errorf("key %q: %+v", tc.key, a)
		}
	}
	if keys := listKeys(t, lab.Client, outBucket); len(keys) != 0 {
		t.Errorf("stored %q", keys)
	}
}
