package emulator_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

func sdkConfig(endpoint, key, secret, token string) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token)}
}

// One endpoint speaks S3, Logs, IAM and STS, told apart by the SigV4
// scope: the default lab's role is an IAM role with the lab file's policy,
// its function's log group holds the invocation, and STS knows who asks.
func TestOneDoorServesEveryService(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	ctx := context.Background()
	cfg := sdkConfig(lab.Endpoint, "test", "test", "")

	doc, err := iam.NewFromConfig(cfg).GetRolePolicy(ctx, &iam.GetRolePolicyInput{
		RoleName: aws.String("cis-exercise-demo-role"), PolicyName: aws.String("lab-file-policy")})
	if err != nil || !strings.Contains(aws.ToString(doc.PolicyDocument), "cis-examples-output") {
		t.Fatalf("GetRolePolicy: %v %+v", err, doc)
	}
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:iam::000000000000:root" {
		t.Fatalf("GetCallerIdentity as root: %v %+v", err, who)
	}
	c := lab.FunctionCredentials("cis-exercise-demo")
	who, err = sts.NewFromConfig(sdkConfig(lab.Endpoint, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::000000000000:assumed-role/cis-exercise-demo-role/cis-exercise-demo" {
		t.Fatalf("GetCallerIdentity as the function: %v %+v", err, who)
	}

	lab.Put(t, "cis-examples", "cat.png", labtest.Image(t, 64, 64, "png"), "image/png")
	lab.WaitIdle(t)
	end := labtest.WaitFor(t, lab.Events, func(e bus.InvocationEnded) bool { return true })
	out, err := cloudwatchlogs.NewFromConfig(cfg).FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String("/aws/lambda/cis-exercise-demo"), FilterPattern: aws.String(`"REPORT RequestId"`)})
	if err != nil || len(out.Events) != 1 || !strings.Contains(aws.ToString(out.Events[0].Message), end.RequestID) {
		t.Fatalf("FilterLogEvents: %v %+v", err, out)
	}
	// The function's role may not read its logs back (the exercise's policy
	// only writes them).
	_, err = cloudwatchlogs.NewFromConfig(sdkConfig(lab.Endpoint, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)).
		FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/cis-exercise-demo")})
	if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") || !strings.Contains(err.Error(), "logs:FilterLogEvents") {
		t.Errorf("the function's role reading logs: %v", err)
	}
}

// A request for a service the lab does not speak, or an unsigned one
// shaped for another service, gets an answer that says so, never an S3
// NoSuchBucket.
func TestDoorRefusesWhatItCannotRoute(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	for name, tc := range map[string]struct {
		req  func() *http.Request
		want string
	}{
		"unknown service": {func() *http.Request {
			r, _ := http.NewRequest("POST", lab.Endpoint+"/", strings.NewReader("Action=SendMessage"))
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261129/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00")
			return r
		}, `lambdalab does not speak \"sqs\"`},
		"unsigned Lambda call": {func() *http.Request {
			r, _ := http.NewRequest("GET", lab.Endpoint+"/2015-03-31/functions/", nil)
			return r
		}, "looks like a Lambda request, but it is not signed"},
	} {
		resp, err := http.DefaultClient.Do(tc.req())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || !strings.Contains(string(body), tc.want) || strings.Contains(string(body), "NoSuchBucket") {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
}
