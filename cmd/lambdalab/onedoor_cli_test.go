package main

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// TestExerciseWithAWSCLIv1 and TestExerciseWithAWSCLIv2: the exercise from
// scratch with the aws CLI alone, as the README's section "The exercise with
// the aws CLI alone" shows it, against `lambdalab serve --lab empty`.
func TestExerciseWithAWSCLIv1(t *testing.T) {
	t.Parallel()
	v1, _ := findCLIs(t)
	exerciseWithCLI(t, v1, false)
}

func TestExerciseWithAWSCLIv2(t *testing.T) {
	t.Parallel()
	_, v2 := findCLIs(t)
	exerciseWithCLI(t, v2, true)
}

func exerciseWithCLI(t *testing.T, bin string, v2 bool) {
	dir := exerciseDir(t)
	s := serveLab(t, t.TempDir(), "--lab", "empty")
	aws := newStudent(t, bin, s.endpoint, dir, v2)
	createWithCLI(t, aws)

	aws.run("s3", "cp", "lambda.png", "s3://cis-examples/")
	// Serve prints the invocation as it is logged: after its REPORT, the
	// log group holds it all.
	s.waitOutput(t, exFunction+" | REPORT RequestId: ")
	var logs string
	if v2 {
		logs = aws.run("logs", "tail", exLogGroup)
	} else {
		logs = aws.run("logs", "filter-log-events", "--log-group-name", exLogGroup, "--output", "text")
	}
	if !strings.Contains(logs, importError) || !strings.Contains(logs, "REPORT RequestId: ") {
		t.Fatalf("the function's logs lack the import error:\n%s", logs)
	}

	var layer struct{ LayerVersionArn string }
	aws.json(&layer, "lambda", "publish-layer-version", "--layer-name", "pillow", "--zip-file", "fileb://pillow.zip",
		"--compatible-runtimes", "python3.12")
	if layer.LayerVersionArn != "arn:aws:lambda:us-east-1:000000000000:layer:pillow:1" {
		t.Errorf("publish-layer-version: %s", layer.LayerVersionArn)
	}
	aws.run("lambda", "update-function-configuration", "--function-name", exFunction, "--layers", layer.LayerVersionArn)
	aws.run("lambda", "wait", "function-updated-v2", "--function-name", exFunction)
	aws.run("s3", "cp", "lambda.png", "s3://cis-examples/")
	s.waitOutput(t, "S3 PUT cis-examples-output/lambda.png PutObject 200")
	if w, h := imageSize(t, labtest.Client(s.endpoint, "test", "test"), "lambda.png"); w != 300 || h != 300 {
		t.Errorf("the thumbnail is %dx%d, want 300x300", w, h)
	}

	var inv struct {
		StatusCode    int
		FunctionError string
		LogResult     string
	}
	aws.json(&inv, "lambda", "invoke", "--function-name", exFunction, "--payload", "fileb://event.json", "--log-type", "Tail", "response.json")
	tail, err := base64.StdEncoding.DecodeString(inv.LogResult)
	if err != nil {
		t.Fatalf("LogResult is not base64: %v", err)
	}
	payload, _ := os.ReadFile(filepath.Join(dir, "response.json"))
	if inv.StatusCode != 200 || inv.FunctionError != "" || string(payload) != "null" {
		t.Errorf("invoke: status %d, function error %q, payload %s\n%s", inv.StatusCode, inv.FunctionError, payload, tail)
	}
	checkTail(t, string(tail))
}

// createWithCLI does the exercise's steps up to the trigger: the buckets,
// the role and its policy, the function (Active), S3's permission and the
// notification configuration.
func createWithCLI(t *testing.T, aws *student) {
	t.Helper()
	aws.run("s3", "mb", "s3://cis-examples")
	aws.run("s3", "mb", "s3://cis-examples-output")
	var role struct{ Role struct{ Arn string } }
	aws.json(&role, "iam", "create-role", "--role-name", "lambda-s3-role", "--assume-role-policy-document", "file://trust.json")
	if role.Role.Arn != "arn:aws:iam::000000000000:role/lambda-s3-role" {
		t.Fatalf("create-role: ARN %q", role.Role.Arn)
	}
	aws.run("iam", "put-role-policy", "--role-name", "lambda-s3-role", "--policy-name", "exercise", "--policy-document", "file://policy.json")
	var fn struct{ State, FunctionArn string }
	aws.json(&fn, "lambda", "create-function", "--function-name", exFunction, "--runtime", "python3.12",
		"--handler", "lambda_function.lambda_handler", "--zip-file", "fileb://function.zip", "--role", role.Role.Arn)
	if fn.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:"+exFunction {
		t.Fatalf("create-function: ARN %q", fn.FunctionArn)
	}
	aws.run("lambda", "wait", "function-active-v2", "--function-name", exFunction)
	aws.run("lambda", "add-permission", "--function-name", exFunction, "--statement-id", "s3invoke",
		"--action", "lambda:InvokeFunction", "--principal", "s3.amazonaws.com",
		"--source-arn", "arn:aws:s3:::cis-examples", "--source-account", "000000000000")
	aws.run("s3api", "put-bucket-notification-configuration", "--bucket", "cis-examples", "--notification-configuration", "file://notification.json")
}

// checkTail checks a log tail holds one invocation's START, END and REPORT.
func checkTail(t *testing.T, tail string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(tail), "\n")
	start, end, report := lines[0], "", lines[len(lines)-1]
	if len(lines) >= 2 {
		end = lines[len(lines)-2]
	}
	id, ok := strings.CutPrefix(start, "START RequestId: ")
	id, _, _ = strings.Cut(id, " ")
	if !ok || end != "END RequestId: "+id || !strings.HasPrefix(report, "REPORT RequestId: "+id+"\tDuration: ") {
		t.Errorf("the log tail is not START … END … REPORT of one request:\n%s", tail)
	}
}

// TestRefusalsWithTheAWSCLI: what a student sees when S3 may not invoke the
// function a trigger names (v2), and when a trust policy is not JSON (v1):
// AWS's error, a failing exit status, and nothing changed in the lab.
func TestRefusalsWithTheAWSCLI(t *testing.T) {
	t.Parallel()
	v1, v2 := findCLIs(t)
	dir := exerciseDir(t)
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"Version": "2012-10-17", "Statement": [`), 0o644)
	s := serveLab(t, t.TempDir(), "--lab", "empty")
	newStudent(t, v2, s.endpoint, dir, true).run("s3", "mb", "s3://cis-examples")
	cases := []struct {
		bin  string
		v2   bool
		args []string
		want string
	}{
		{v2, true, []string{"s3api", "put-bucket-notification-configuration", "--bucket", "cis-examples", "--notification-configuration", "file://notification.json"},
			"An error occurred (InvalidArgument) when calling the PutBucketNotificationConfiguration operation: Unable to validate the following destination configurations"},
		{v1, false, []string{"iam", "create-role", "--role-name", "lambda-s3-role", "--assume-role-policy-document", "file://broken.json"},
			"An error occurred (MalformedPolicyDocument) when calling the CreateRole operation: Syntax errors in policy"},
	}
	for _, tc := range cases {
		out, err := newStudent(t, tc.bin, s.endpoint, dir, tc.v2).try(tc.args...)
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("aws %s: %v\n%s\nwant %q", strings.Join(tc.args, " "), err, out, tc.want)
		}
	}
	c := labtest.Client(s.endpoint, "test", "test")
	notif, err := c.GetBucketNotificationConfiguration(context.Background(), &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("cis-examples")})
	if err != nil || len(notif.LambdaFunctionConfigurations) != 0 {
		t.Errorf("after the refused configuration the bucket has %v (%v)", notif, err)
	}
	roles, err := iam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(s.endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}).ListRoles(context.Background(), &iam.ListRolesInput{})
	if err != nil || len(roles.Roles) != 0 {
		t.Errorf("after the refused create-role the lab has roles %v (%v)", roles, err)
	}
}
