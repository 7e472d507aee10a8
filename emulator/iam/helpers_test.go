package iam_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/ids"
)

const account = "000000000000"

// epoch is the virtual clock's start: every CreateDate a test sees.
var epoch = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// exercisePolicy is the exercise's role policy (the seed's).
const exercisePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:PutLogEvents","logs:CreateLogGroup","logs:CreateLogStream"],"Resource":"arn:aws:logs:*:*:*"},{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::cis-examples/*"},{"Effect":"Allow","Action":["s3:PutObject"],"Resource":"arn:aws:s3:::cis-examples-output/*"}]}`

// lambdaTrust is the trust policy of a Lambda execution role.
const lambdaTrust = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
  ]
}`

// testServer is IAM served on loopback with a real SDK client.
type testServer struct {
	svc    *iam.Service
	client *iamsdk.Client
	url    string
	clock  *clock.Virtual
}

func newTestServer(t *testing.T, opts ...iam.Option) *testServer {
	t.Helper()
	vc := clock.NewVirtual(epoch)
	svc := iam.New(account, "aws", append([]iam.Option{iam.WithClock(vc), iam.WithIDs(ids.NewSeeded(1, 2))}, opts...)...)
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	return &testServer{svc: svc, url: srv.URL, clock: vc, client: iamsdk.New(iamsdk.Options{
		BaseEndpoint:     aws.String(srv.URL),
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("lambdalab", "lambdalab", ""),
		RetryMaxAttempts: 1,
	})}
}

// createRole makes a Lambda execution role.
func (ts *testServer) createRole(t *testing.T, name string) *iamsdk.CreateRoleOutput {
	t.Helper()
	out, err := ts.client.CreateRole(context.Background(), &iamsdk.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return out
}

// snapshotJSON is the service's whole state, for before/after comparisons.
func (ts *testServer) snapshotJSON(t *testing.T) string {
	t.Helper()
	b, err := json.Marshal(ts.svc.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantAPIError checks that err is IAM's error code with message and
// HTTP status.
func wantAPIError(t *testing.T, err error, code string, status int, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want %s error", err, code)
	}
	if ae.ErrorCode() != code {
		t.Errorf("code %q, want %q (message %q)", ae.ErrorCode(), code, ae.ErrorMessage())
	}
	if message != "" && ae.ErrorMessage() != message {
		t.Errorf("message\n got %q\nwant %q", ae.ErrorMessage(), message)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("no HTTP response in %v", err)
	}
	if re.HTTPStatusCode() != status {
		t.Errorf("status %d, want %d", re.HTTPStatusCode(), status)
	}
}

// decode undoes IAM's URL-encoding of a policy document, as SDK users do.
func decode(t *testing.T, doc *string) string {
	t.Helper()
	if doc == nil {
		t.Fatal("no document")
	}
	s, err := url.QueryUnescape(*doc)
	if err != nil {
		t.Fatalf("document %q is not URL-encoded: %v", *doc, err)
	}
	return s
}

// postForm sends a raw Query request and returns the status and body.
func postForm(t *testing.T, endpoint string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.Post(endpoint, "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
