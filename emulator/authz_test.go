package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// authzLab has a function "probe" whose role's statements each case fills
// in, and a trigger on authz-events so that there is a notification
// configuration to read and replace.
const authzLab = `buckets:
  - name: authz-src
  - name: authz-dst
  - name: authz-empty
  - name: authz-versioned
  - name: authz-events
functions:
  - name: probe
    handler: echo
    role:
      name: probe-role
      policy:
        Version: "2012-10-17"
        Statement:
%s
triggers:
  - id: on-create
    bucket: authz-events
    function: probe
    events: [s3:ObjectCreated:*]
`

// authzStatement is one policy statement of the probe's role in lab YAML.
func authzStatement(effect, action, resource string) string {
	return fmt.Sprintf("          - Effect: %s\n            Action: %s\n            Resource: %q\n", effect, action, resource)
}

func authzAllow(action, resource string) string { return authzStatement("Allow", action, resource) }
func authzDeny(action, resource string) string  { return authzStatement("Deny", action, resource) }

// authzEnv is what the common setup made and the cases refer to.
type authzEnv struct {
	root    *s3.Client
	version string // the version id of authz-versioned/v.txt
	upload  string // a multipart upload of authz-dst/mp.bin, when a case made one
	etag    string // the ETag of its first part, when it has one
}

// authzSetup fills the buckets as the account root.
func authzSetup(t *testing.T, lab *labtest.Lab) *authzEnv {
	t.Helper()
	env := &authzEnv{root: lab.Client}
	for _, k := range []string{"a.txt", "keep.txt", "tmp/1.txt", "tmp/2.txt"} {
		lab.Put(t, "authz-src", k, []byte("source "+k), "")
	}
	return env
}

// authzVersioned turns versioning on in authz-versioned and stores v.txt
// there. A lab keeping its objects in a data directory has no versioning:
// the case is skipped.
func authzVersioned(t *testing.T, env *authzEnv) {
	t.Helper()
	ctx := context.Background()
	if _, err := env.root.PutBucketVersioning(ctx, versioningInput("authz-versioned")); err != nil {
		if code, _ := apiError(err); code == "NotImplemented" {
			t.Skip("this lab's storage has no versioning")
		}
		t.Fatal(err)
	}
	out, err := env.root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("authz-versioned"), Key: aws.String("v.txt"), Body: strings.NewReader("v1")})
	if err != nil {
		t.Fatal(err)
	}
	if env.version = aws.ToString(out.VersionId); env.version == "" {
		t.Fatal("versioned bucket gave no version id")
	}
}

// authzRootUpload starts a multipart upload of authz-dst/mp.bin as the root,
// with one part when withPart.
func authzRootUpload(withPart bool) func(t *testing.T, env *authzEnv) {
	return func(t *testing.T, env *authzEnv) {
		t.Helper()
		ctx := context.Background()
		out, err := env.root.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("authz-dst"), Key: aws.String("mp.bin")})
		if err != nil {
			t.Fatal(err)
		}
		env.upload = aws.ToString(out.UploadId)
		if withPart {
			p, err := env.root.UploadPart(ctx, authzPartInput(env.upload, 1, "part one"))
			if err != nil {
				t.Fatal(err)
			}
			env.etag = aws.ToString(p.ETag)
		}
	}
}

func authzPartInput(upload string, n int32, body string) *s3.UploadPartInput {
	return &s3.UploadPartInput{Bucket: aws.String("authz-dst"), Key: aws.String("mp.bin"), UploadId: aws.String(upload),
		PartNumber: aws.Int32(n), Body: strings.NewReader(body)}
}

func authzCompleteInput(upload string, etags ...string) *s3.CompleteMultipartUploadInput {
	var parts []types.CompletedPart
	for i, e := range etags {
		parts = append(parts, types.CompletedPart{ETag: aws.String(e), PartNumber: aws.Int32(int32(i + 1))})
	}
	return &s3.CompleteMultipartUploadInput{Bucket: aws.String("authz-dst"), Key: aws.String("mp.bin"), UploadId: aws.String(upload),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}
}

// authzExists reports whether bucket/key exists, asked as the root.
func authzExists(t *testing.T, env *authzEnv, bucket, key string) bool {
	t.Helper()
	_, err := env.root.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return err == nil
}

// authzDeleteResult checks a DeleteObjects answer: the keys deleted and the keys
// refused with AccessDenied.
func authzDeleteResult(t *testing.T, out *s3.DeleteObjectsOutput, deleted, refused []string) {
	t.Helper()
	var gotDeleted, gotRefused []string
	for _, d := range out.Deleted {
		gotDeleted = append(gotDeleted, aws.ToString(d.Key))
	}
	for _, e := range out.Errors {
		if aws.ToString(e.Code) != "AccessDenied" || aws.ToString(e.Message) != "Access Denied" {
			t.Errorf("error for %s: %s %q, want AccessDenied \"Access Denied\"", aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
		}
		gotRefused = append(gotRefused, aws.ToString(e.Key))
	}
	slices.Sort(gotDeleted)
	slices.Sort(gotRefused)
	if !slices.Equal(gotDeleted, deleted) || !slices.Equal(gotRefused, refused) {
		t.Errorf("deleted %q, refused %q; want deleted %q, refused %q", gotDeleted, gotRefused, deleted, refused)
	}
}

// authzDelete runs a DeleteObjects of keys in authz-src and checks which
// were deleted and which refused.
func authzDelete(quiet bool, deleted, refused []string, keys ...string) func(context.Context, *testing.T, *authzEnv, *s3.Client) error {
	return func(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
		in := deleteInput("authz-src", keys...)
		in.Delete.Quiet = aws.Bool(quiet)
		out, err := c.DeleteObjects(ctx, in)
		if err == nil {
			if quiet {
				deleted = nil // a quiet answer lists failures only
			}
			authzDeleteResult(t, out, deleted, refused)
		}
		return err
	}
}

const (
	authzSrc = "arn:aws:s3:::authz-src/*"
	authzDst = "arn:aws:s3:::authz-dst/*"
)

// authzCase is one request made with the probe function's credentials.
type authzCase struct {
	name       string
	statements []string
	setup      func(t *testing.T, env *authzEnv)
	run        func(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error
	// denied are the accesses ("ACTION RESOURCE") S3 refuses; partial says
	// the request still succeeds (DeleteObjects reports them per key).
	denied  []string
	partial bool
	check   func(t *testing.T, env *authzEnv)
}

// TestAuthzMapping runs S3 requests with a function's execution-role
// credentials under policies that allow or deny exactly the IAM action AWS's
// authorization reference names for them, and checks both the answer and
// that a denied request changed nothing.
func TestAuthzMapping(t *testing.T) {
	t.Parallel()
	for _, tc := range authzCases {
		t.Run(tc.name, func(t *testing.T) {
			lab := labtest.Start(t, fmt.Sprintf(authzLab, strings.Join(tc.statements, "")))
			env := authzSetup(t, lab)
			if tc.setup != nil {
				tc.setup(t, env)
			}
			creds := lab.Lab.FunctionCredentials("probe")
			probe := labtest.Client(lab.Endpoint, creds.AccessKeyID, creds.SecretAccessKey)
			err := tc.run(context.Background(), t, env, probe)
			authzCheckDecision(t, lab, err, tc)
			if tc.check != nil {
				tc.check(t, env)
			}
		})
	}
}

// authzCheckDecision checks the answer and the AccessDenied events on the bus.
func authzCheckDecision(t *testing.T, lab *labtest.Lab, err error, tc authzCase) {
	t.Helper()
	var got []string
	for _, d := range labtest.Of[bus.AccessDenied](lab.Events) {
		got = append(got, d.Action+" "+d.Resource)
	}
	if !slices.Equal(got, tc.denied) {
		t.Errorf("denied %q, want %q", got, tc.denied)
	}
	if len(tc.denied) == 0 || tc.partial {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 403 {
		t.Fatalf("want 403 AccessDenied, got %v", err)
	}
	action, resource, _ := strings.Cut(tc.denied[0], " ")
	if code, msg := apiError(err); code != "Forbidden" && (code != "AccessDenied" ||
		!strings.Contains(msg, "is not authorized to perform: "+action+` on resource: "`+resource+`"`)) {
		t.Errorf("error %s %q does not name %s on %s", code, msg, action, resource)
	}
}

func authzBody(t *testing.T, env *authzEnv, bucket, key string) string {
	t.Helper()
	out, err := env.root.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b)
}

func authzCopy(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("authz-dst"), Key: aws.String("copy.txt"), CopySource: aws.String("authz-src/a.txt")})
	return err
}

func authzNoCopy(t *testing.T, env *authzEnv) {
	if authzExists(t, env, "authz-dst", "copy.txt") {
		t.Error("a denied copy created authz-dst/copy.txt")
	}
}

// authzMultipart uploads authz-dst/mp.bin in two parts; the first call
// refused ends it.
func authzMultipart(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
	out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("authz-dst"), Key: aws.String("mp.bin")})
	if err != nil {
		return err
	}
	var etags []string
	for i, part := range []string{strings.Repeat("a", 5<<20), "tail"} {
		p, err := c.UploadPart(ctx, authzPartInput(aws.ToString(out.UploadId), int32(i+1), part))
		if err != nil {
			return err
		}
		etags = append(etags, aws.ToString(p.ETag))
	}
	_, err = c.CompleteMultipartUpload(ctx, authzCompleteInput(aws.ToString(out.UploadId), etags...))
	return err
}

func authzAbort(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
	_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("authz-dst"), Key: aws.String("mp.bin"), UploadId: aws.String(env.upload)})
	return err
}

func authzUploadsLeft(n int) func(t *testing.T, env *authzEnv) {
	return func(t *testing.T, env *authzEnv) {
		out, err := env.root.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String("authz-dst")})
		if err != nil || len(out.Uploads) != n {
			t.Errorf("multipart uploads in progress: %v %v, want %d", out, err, n)
		}
	}
}

func authzHead(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
	_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("authz-src"), Key: aws.String("a.txt")})
	return err
}

func authzDeleteOne(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("authz-src"), Key: aws.String("a.txt")})
	return err
}

// authzSrcLeft checks which of authz-src's keys remain.
func authzSrcLeft(want ...string) func(t *testing.T, env *authzEnv) {
	return func(t *testing.T, env *authzEnv) {
		for _, k := range []string{"a.txt", "keep.txt", "tmp/1.txt", "tmp/2.txt"} {
			if got := authzExists(t, env, "authz-src", k); got != slices.Contains(want, k) {
				t.Errorf("authz-src/%s exists: %v, want %v", k, got, !got)
			}
		}
	}
}

func authzCreateBucket(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("authz-new")})
	return err
}

func authzDeleteBucket(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
	_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("authz-empty")})
	return err
}

func authzBucketIs(bucket string, want bool) func(t *testing.T, env *authzEnv) {
	return func(t *testing.T, env *authzEnv) {
		_, err := env.root.HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String(bucket)})
		if got := err == nil; got != want {
			t.Errorf("bucket %s exists: %v, want %v", bucket, got, want)
		}
	}
}

func authzGetNotification(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
	out, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("authz-events")})
	if err == nil && len(out.LambdaFunctionConfigurations) != 1 {
		t.Errorf("read %d configurations, want the lab's one", len(out.LambdaFunctionConfigurations))
	}
	return err
}

// authzPutNotification removes authz-events' triggers (an empty
// configuration).
func authzPutNotification(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
	_, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String("authz-events"), NotificationConfiguration: &types.NotificationConfiguration{}})
	return err
}

func authzTriggersLeft(n int) func(t *testing.T, env *authzEnv) {
	return func(t *testing.T, env *authzEnv) {
		out, err := env.root.GetBucketNotificationConfiguration(context.Background(), &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("authz-events")})
		if err != nil || len(out.LambdaFunctionConfigurations) != n {
			t.Errorf("authz-events' triggers: %v %v, want %d", out, err, n)
		}
	}
}

func authzGetVersion(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("authz-versioned"), Key: aws.String("v.txt"), VersionId: aws.String(env.version)})
	if err == nil {
		out.Body.Close()
	}
	return err
}

func authzDeleteVersion(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("authz-versioned"), Key: aws.String("v.txt"), VersionId: aws.String(env.version)})
	return err
}

func authzVersionLeft(want bool) func(t *testing.T, env *authzEnv) {
	return func(t *testing.T, env *authzEnv) {
		_, err := env.root.HeadObject(context.Background(), &s3.HeadObjectInput{
			Bucket: aws.String("authz-versioned"), Key: aws.String("v.txt"), VersionId: aws.String(env.version)})
		if got := err == nil; got != want {
			t.Errorf("version %s exists: %v, want %v", env.version, got, want)
		}
	}
}

// authzCases are the requests TestAuthzMapping makes, each in a new lab.
var authzCases = []authzCase{
	{name: "CopyObject with GetObject on the source and PutObject on the destination",
		statements: []string{authzAllow("s3:GetObject", authzSrc), authzAllow("s3:PutObject", authzDst)}, run: authzCopy,
		check: func(t *testing.T, env *authzEnv) {
			if got := authzBody(t, env, "authz-dst", "copy.txt"); got != "source a.txt" {
				t.Errorf("copy holds %q", got)
			}
		}},
	{name: "CopyObject without GetObject on the source", statements: []string{authzAllow("s3:PutObject", authzDst)}, run: authzCopy,
		denied: []string{"s3:GetObject arn:aws:s3:::authz-src/a.txt"}, check: authzNoCopy},
	{name: "CopyObject without PutObject on the destination",
		statements: []string{authzAllow("s3:GetObject", authzSrc), authzAllow("s3:PutObject", authzSrc)}, run: authzCopy,
		denied: []string{"s3:PutObject arn:aws:s3:::authz-dst/copy.txt"}, check: authzNoCopy},
	{name: "multipart upload with PutObject", statements: []string{authzAllow("s3:PutObject", authzDst)}, run: authzMultipart,
		check: func(t *testing.T, env *authzEnv) {
			if got := authzBody(t, env, "authz-dst", "mp.bin"); len(got) != 5<<20+4 || !strings.HasSuffix(got, "tail") {
				t.Errorf("assembled object has %d bytes", len(got))
			}
			authzUploadsLeft(0)(t, env)
		}},
	{name: "CreateMultipartUpload without PutObject", statements: []string{authzAllow("s3:AbortMultipartUpload", authzDst)},
		run: authzMultipart, denied: []string{"s3:PutObject arn:aws:s3:::authz-dst/mp.bin"}, check: authzUploadsLeft(0)},
	{name: "UploadPart without PutObject", statements: []string{authzAllow("s3:AbortMultipartUpload", authzDst)},
		setup: authzRootUpload(false),
		run: func(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
			_, err := c.UploadPart(ctx, authzPartInput(env.upload, 1, "denied part"))
			return err
		},
		denied: []string{"s3:PutObject arn:aws:s3:::authz-dst/mp.bin"},
		check: func(t *testing.T, env *authzEnv) {
			out, err := env.root.ListParts(context.Background(), &s3.ListPartsInput{Bucket: aws.String("authz-dst"), Key: aws.String("mp.bin"), UploadId: aws.String(env.upload)})
			if err != nil || len(out.Parts) != 0 {
				t.Errorf("parts after a denied UploadPart: %v %v", out, err)
			}
		}},
	{name: "CompleteMultipartUpload without PutObject", statements: []string{authzAllow("s3:AbortMultipartUpload", authzDst)},
		setup: authzRootUpload(true),
		run: func(ctx context.Context, t *testing.T, env *authzEnv, c *s3.Client) error {
			_, err := c.CompleteMultipartUpload(ctx, authzCompleteInput(env.upload, env.etag))
			return err
		},
		denied: []string{"s3:PutObject arn:aws:s3:::authz-dst/mp.bin"},
		check: func(t *testing.T, env *authzEnv) {
			if authzExists(t, env, "authz-dst", "mp.bin") {
				t.Error("a denied CompleteMultipartUpload created the object")
			}
			authzUploadsLeft(1)(t, env)
		}},
	{name: "AbortMultipartUpload with AbortMultipartUpload", statements: []string{authzAllow("s3:AbortMultipartUpload", authzDst)},
		setup: authzRootUpload(true), run: authzAbort, check: authzUploadsLeft(0)},
	{name: "AbortMultipartUpload with only PutObject", statements: []string{authzAllow("s3:PutObject", authzDst)},
		setup: authzRootUpload(true), run: authzAbort, denied: []string{"s3:AbortMultipartUpload arn:aws:s3:::authz-dst/mp.bin"}, check: authzUploadsLeft(1)},
	{name: "DeleteObject with DeleteObject", statements: []string{authzAllow("s3:DeleteObject", authzSrc)},
		run: authzDeleteOne, check: authzSrcLeft("keep.txt", "tmp/1.txt", "tmp/2.txt")},
	{name: "DeleteObject without DeleteObject", statements: []string{authzAllow("s3:GetObject", authzSrc), authzAllow("s3:PutObject", authzSrc)},
		run: authzDeleteOne, denied: []string{"s3:DeleteObject arn:aws:s3:::authz-src/a.txt"},
		check: authzSrcLeft("a.txt", "keep.txt", "tmp/1.txt", "tmp/2.txt")},
	{name: "DeleteObjects with one key denied", statements: []string{authzAllow("s3:DeleteObject", "arn:aws:s3:::authz-src/tmp/*")},
		run:    authzDelete(false, []string{"tmp/1.txt", "tmp/2.txt"}, []string{"keep.txt"}, "tmp/1.txt", "keep.txt", "tmp/2.txt"),
		denied: []string{"s3:DeleteObject arn:aws:s3:::authz-src/keep.txt"}, partial: true, check: authzSrcLeft("a.txt", "keep.txt")},
	{name: "DeleteObjects quiet with one key denied", statements: []string{authzAllow("s3:DeleteObject", "arn:aws:s3:::authz-src/tmp/*")},
		run:    authzDelete(true, nil, []string{"keep.txt"}, "tmp/1.txt", "keep.txt"),
		denied: []string{"s3:DeleteObject arn:aws:s3:::authz-src/keep.txt"}, partial: true, check: authzSrcLeft("a.txt", "keep.txt", "tmp/2.txt")},
	{name: "DeleteObjects with every key denied", statements: []string{authzAllow("s3:GetObject", authzSrc)},
		run:    authzDelete(false, nil, []string{"a.txt", "keep.txt"}, "a.txt", "keep.txt"),
		denied: []string{"s3:DeleteObject arn:aws:s3:::authz-src/a.txt", "s3:DeleteObject arn:aws:s3:::authz-src/keep.txt"}, partial: true,
		check: authzSrcLeft("a.txt", "keep.txt", "tmp/1.txt", "tmp/2.txt")},
	{name: "DeleteObjects: an explicit Deny beats s3:*",
		statements: []string{authzAllow("s3:*", "*"), authzDeny("s3:DeleteObject", "arn:aws:s3:::authz-src/keep.txt")},
		run:        authzDelete(false, []string{"a.txt"}, []string{"keep.txt"}, "a.txt", "keep.txt"),
		denied:     []string{"s3:DeleteObject arn:aws:s3:::authz-src/keep.txt"}, partial: true, check: authzSrcLeft("keep.txt", "tmp/1.txt", "tmp/2.txt")},
	{name: "HeadObject with GetObject", statements: []string{authzAllow("s3:GetObject", authzSrc)}, run: authzHead},
	{name: "HeadObject without GetObject", statements: []string{authzAllow("s3:ListBucket", "arn:aws:s3:::authz-src"), authzAllow("s3:PutObject", authzSrc)},
		run: authzHead, denied: []string{"s3:GetObject arn:aws:s3:::authz-src/a.txt"}},
	{name: "CreateBucket with CreateBucket", statements: []string{authzAllow("s3:CreateBucket", "arn:aws:s3:::authz-new")},
		run: authzCreateBucket, check: authzBucketIs("authz-new", true)},
	{name: "CreateBucket without CreateBucket on that name", statements: []string{authzAllow("s3:CreateBucket", "arn:aws:s3:::authz-other")},
		run: authzCreateBucket, denied: []string{"s3:CreateBucket arn:aws:s3:::authz-new"}, check: authzBucketIs("authz-new", false)},
	{name: "DeleteBucket with DeleteBucket", statements: []string{authzAllow("s3:DeleteBucket", "arn:aws:s3:::authz-empty")},
		run: authzDeleteBucket, check: authzBucketIs("authz-empty", false)},
	{name: "DeleteBucket without DeleteBucket", statements: []string{authzAllow("s3:DeleteObject", "*")},
		run: authzDeleteBucket, denied: []string{"s3:DeleteBucket arn:aws:s3:::authz-empty"}, check: authzBucketIs("authz-empty", true)},
	{name: "GetBucketNotificationConfiguration with GetBucketNotification",
		statements: []string{authzAllow("s3:GetBucketNotification", "arn:aws:s3:::authz-events")}, run: authzGetNotification},
	{name: "GetBucketNotificationConfiguration without GetBucketNotification",
		statements: []string{authzAllow("s3:PutBucketNotification", "arn:aws:s3:::authz-events")}, run: authzGetNotification,
		denied: []string{"s3:GetBucketNotification arn:aws:s3:::authz-events"}},
	{name: "PutBucketNotificationConfiguration with PutBucketNotification",
		statements: []string{authzAllow("s3:PutBucketNotification", "arn:aws:s3:::authz-events")}, run: authzPutNotification,
		check: authzTriggersLeft(0)},
	{name: "PutBucketNotificationConfiguration without PutBucketNotification",
		statements: []string{authzAllow("s3:GetBucketNotification", "arn:aws:s3:::authz-events")}, run: authzPutNotification,
		denied: []string{"s3:PutBucketNotification arn:aws:s3:::authz-events"}, check: authzTriggersLeft(1)},
	{name: "GetObject of a version with GetObjectVersion", setup: authzVersioned,
		statements: []string{authzAllow("s3:GetObjectVersion", "arn:aws:s3:::authz-versioned/*")}, run: authzGetVersion},
	{name: "GetObject of a version with only GetObject", setup: authzVersioned,
		statements: []string{authzAllow("s3:GetObject", "arn:aws:s3:::authz-versioned/*")}, run: authzGetVersion,
		denied: []string{"s3:GetObjectVersion arn:aws:s3:::authz-versioned/v.txt"}},
	{name: "DeleteObject of a version with only DeleteObject", setup: authzVersioned,
		statements: []string{authzAllow("s3:DeleteObject", "arn:aws:s3:::authz-versioned/*")}, run: authzDeleteVersion,
		denied: []string{"s3:DeleteObjectVersion arn:aws:s3:::authz-versioned/v.txt"}, check: authzVersionLeft(true)},
	{name: "DeleteObject of a version with DeleteObjectVersion", setup: authzVersioned,
		statements: []string{authzAllow("s3:DeleteObjectVersion", "arn:aws:s3:::authz-versioned/*")}, run: authzDeleteVersion,
		check: authzVersionLeft(false)},
	{name: "a role that allows nothing here", statements: []string{authzAllow("s3:ListAllMyBuckets", "*")}, run: authzCopy,
		denied: []string{"s3:PutObject arn:aws:s3:::authz-dst/copy.txt"}, check: authzNoCopy},
}
