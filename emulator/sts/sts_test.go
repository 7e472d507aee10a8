package sts_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/sts"
)

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

var epoch = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// lab is IAM and STS behind a front that, like the lab's, knows callers
// by the access key a request is signed with; unknown keys are the root.
type lab struct {
	iam     *iam.Service
	sts     *sts.Service
	url     string
	callers map[string]iam.Caller
	issued  []string
}

func newLab(t *testing.T) *lab {
	t.Helper()
	l := &lab{callers: map[string]iam.Caller{}}
	l.iam = iam.New("000000000000", "aws", iam.WithIDs(ids.NewSeeded(3, 4)))
	l.sts = sts.New(l.iam, sts.WithIDs(ids.NewSeeded(5, 6)), sts.WithClock(clock.NewVirtual(epoch)),
		sts.WithIssuer(func(role iam.Role, session string, expires time.Time) (sts.Credentials, error) {
			l.issued = append(l.issued, role.RoleName+"/"+session+" until "+expires.Format(time.RFC3339))
			return sts.Credentials{AccessKeyId: "ASIA" + strings.ToUpper(session), SecretAccessKey: "secret", SessionToken: "token"}, nil
		}))
	h := l.sts.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, rest, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
		key, _, _ := strings.Cut(rest, "/")
		if c, ok := l.callers[key]; ok {
			r = r.WithContext(iam.WithCaller(r.Context(), c))
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	l.url = srv.URL
	return l
}

func (l *lab) client(key string) *stssdk.Client {
	return stssdk.New(stssdk.Options{BaseEndpoint: aws.String(l.url), Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(key, "secret", "")})
}

// session makes a role with trust and policy, and a caller for one of
// its sessions, known by key.
func (l *lab) session(t *testing.T, role, trust, policy, key string) iam.Caller {
	t.Helper()
	if _, err := l.iam.CreateRole(iam.CreateRoleInput{RoleName: role, AssumeRolePolicyDocument: trust}); err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if err := l.iam.PutRolePolicy(role, "p", policy); err != nil {
			t.Fatal(err)
		}
	}
	c, err := l.iam.RoleSession(role, "my-function")
	if err != nil {
		t.Fatal(err)
	}
	l.callers[key] = c
	return c
}

func wantAPIError(t *testing.T, err error, code string, status int, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != message {
		t.Errorf("got %s: %s\nwant %s: %s", ae.ErrorCode(), ae.ErrorMessage(), code, message)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Errorf("status %v, want %d", err, status)
	}
}

// TestGetCallerIdentity: the root and a role session each learn who the
// lab takes them to be.
func TestGetCallerIdentity(t *testing.T) {
	l := newLab(t)
	out, err := l.client("lambdalab").GetCallerIdentity(context.Background(), &stssdk.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != "000000000000" || aws.ToString(out.UserId) != "000000000000" || aws.ToString(out.Arn) != "arn:aws:iam::000000000000:root" {
		t.Errorf("root is %s %s %s", aws.ToString(out.Account), aws.ToString(out.UserId), aws.ToString(out.Arn))
	}
	l.session(t, "cis-exercise-demo-role", lambdaTrust, "", "ASIAFUNCTION")
	role, _ := l.iam.GetRole("cis-exercise-demo-role")
	out, err = l.client("ASIAFUNCTION").GetCallerIdentity(context.Background(), &stssdk.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Arn) != "arn:aws:sts::000000000000:assumed-role/cis-exercise-demo-role/my-function" ||
		aws.ToString(out.UserId) != role.RoleId+":my-function" || !strings.HasPrefix(role.RoleId, "AROA") {
		t.Errorf("the session is %s %s", aws.ToString(out.UserId), aws.ToString(out.Arn))
	}
}

// TestAssumeRole covers who may assume what: never the root; a session
// named by the trust policy; a session of the account when its own policy
// allows; for an hour at most.
func TestAssumeRole(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	l.session(t, "caller-role", lambdaTrust, `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::000000000000:role/by-account"}}`, "ASIACALLER")
	l.session(t, "other-role", lambdaTrust, "", "ASIAOTHER")
	for name, trust := range map[string]string{
		"by-name":    `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/caller-role"},"Action":"sts:AssumeRole"}}`,
		"by-account": `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}}`,
	} {
		if _, err := l.iam.CreateRole(iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: trust}); err != nil {
			t.Fatal(err)
		}
	}
	assume := func(key, role string, seconds int32) (*stssdk.AssumeRoleOutput, error) {
		in := &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/" + role), RoleSessionName: aws.String("s1")}
		if seconds != 0 {
			in.DurationSeconds = aws.Int32(seconds)
		}
		return l.client(key).AssumeRole(ctx, in)
	}
	out, err := assume("ASIACALLER", "by-name", 0)
	if err != nil {
		t.Fatal(err)
	}
	byName, _ := l.iam.GetRole("by-name")
	if aws.ToString(out.Credentials.AccessKeyId) != "ASIAS1" || !out.Credentials.Expiration.Equal(epoch.Add(time.Hour)) ||
		aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/by-name/s1" ||
		aws.ToString(out.AssumedRoleUser.AssumedRoleId) != byName.RoleId+":s1" {
		t.Errorf("AssumeRole = %+v %+v", out.Credentials, out.AssumedRoleUser)
	}
	if _, err := assume("ASIACALLER", "by-account", 900); err != nil {
		t.Errorf("a session allowed by its own policy: %v", err)
	}
	if strings.Join(l.issued, "; ") != "by-name/s1 until 2026-03-14T16:09:26Z; by-account/s1 until 2026-03-14T15:24:26Z" {
		t.Errorf("issued %v", l.issued)
	}
	denied := func(caller, role string) string {
		return "User: arn:aws:sts::000000000000:assumed-role/" + caller + "/my-function is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/" + role
	}
	_, err = assume("lambdalab", "by-name", 0)
	wantAPIError(t, err, "AccessDenied", 403, "Roles may not be assumed by root accounts.")
	_, err = assume("ASIAOTHER", "by-name", 0)
	wantAPIError(t, err, "AccessDenied", 403, denied("other-role", "by-name"))
	_, err = assume("ASIAOTHER", "by-account", 0)
	wantAPIError(t, err, "AccessDenied", 403, denied("other-role", "by-account"))
	_, err = assume("ASIACALLER", "no-such-role", 0)
	wantAPIError(t, err, "AccessDenied", 403, denied("caller-role", "no-such-role"))
	_, err = assume("ASIACALLER", "by-name", 7200)
	wantAPIError(t, err, "ValidationError", 400, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	_, err = l.client("ASIACALLER").AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/by-name"), RoleSessionName: aws.String("a b"), DurationSeconds: aws.Int32(60)})
	wantAPIError(t, err, "ValidationError", 400, `2 validation errors detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*; Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`)
	if len(l.issued) != 2 {
		t.Errorf("refused requests issued credentials: %v", l.issued)
	}
}

// TestQueryProtocol checks STS's XML and its answer to what it does not do.
func TestQueryProtocol(t *testing.T) {
	l := newLab(t)
	for _, tc := range []struct {
		form   url.Values
		status int
		want   string
	}{
		{url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, 200,
			`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn><UserId>000000000000</UserId><Account>000000000000</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>`},
		{url.Values{"Action": {"GetSessionToken"}, "Version": {"2011-06-15"}}, 400,
			`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation GetSessionToken for version 2011-06-15</Message></Error><RequestId>`},
		{url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2010-05-08"}}, 400,
			`<Message>Could not find operation GetCallerIdentity for version 2010-05-08</Message>`},
		{url.Values{"Action": {"GetCallerIdentity"}}, 400,
			`<Message>Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED</Message>`},
	} {
		resp, err := http.PostForm(l.url, tc.form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("%v: %d\n%s\nwant %d with %s", tc.form, resp.StatusCode, body, tc.status, tc.want)
		}
	}
}

// TestAWSCLI: `aws sts get-caller-identity` against the lab.
func TestAWSCLI(t *testing.T) {
	l := newLab(t)
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Fatalf("the aws CLI is not installed; run ./scripts/test.sh, which installs it: %v", err)
	}
	home := t.TempDir()
	cmd := exec.Command(path, "--endpoint-url", l.url, "--output", "json", "sts", "get-caller-identity")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8",
		"AWS_ACCESS_KEY_ID=lambdalab", "AWS_SECRET_ACCESS_KEY=lambdalab", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		errors.As(err, &ee)
		t.Fatalf("aws sts get-caller-identity: %v\n%s", err, ee.Stderr)
	}
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]string{"UserId": "000000000000", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"}
	if len(got) != len(want) || got["UserId"] != want["UserId"] || got["Account"] != want["Account"] || got["Arn"] != want["Arn"] {
		t.Errorf("get-caller-identity printed %v, want %v", got, want)
	}
}
