package emulator_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// refusal is one bad request and AWS's answer to it.
type refusal struct {
	name    string
	call    func(context.Context, apis) error
	status  int
	code    string
	message string // exact, or a prefix when it ends with "…"
}

// TestRefusalsThroughTheDoorChangeNothing: bad input to each service of the
// served lab gets AWS's error type and message, and nothing changes: the
// functions, roles and their policies, log groups, buckets, triggers and
// layers read the same before and after.
func TestRefusalsThroughTheDoorChangeNothing(t *testing.T) {
	l := emptyLab(t)
	c := apisFor(l.Endpoint)
	ctx := context.Background()
	for _, b := range []string{exInput, exOutput} {
		if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	createExerciseFunction(t, c)
	before := labState(t, c)
	for _, tc := range refusals(t) {
		t.Run(tc.name, func(t *testing.T) {
			wantRefusal(t, tc.call(ctx, c), tc)
			if after := labState(t, c); after != before {
				t.Errorf("a refused request changed the lab:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func refusals(t *testing.T) []refusal {
	create := func(edit func(*lambdasdk.CreateFunctionInput)) func(context.Context, apis) error {
		return func(ctx context.Context, c apis) error {
			in := &lambdasdk.CreateFunctionInput{FunctionName: aws.String("second"), Runtime: "python3.12",
				Handler: aws.String("lambda_function.lambda_handler"), Role: aws.String(exRoleARN),
				Code: &lambdatypes.FunctionCode{ZipFile: functionZip(t)}}
			edit(in)
			_, err := c.Lambda.CreateFunction(ctx, in)
			return err
		}
	}
	notZip := labtest.Image(t, 64, 64, "png")
	tooBig := append(functionZip(t), make([]byte, 50<<20)...)
	return []refusal{
		{"lambda: unknown function", func(ctx context.Context, c apis) error {
			_, err := c.Lambda.GetFunction(ctx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("nope")})
			return err
		}, 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"},
		{"lambda: invoke an unknown function", func(ctx context.Context, c apis) error {
			_, err := c.Lambda.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("nope")})
			return err
		}, 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"},
		{"lambda: duplicate name", create(func(in *lambdasdk.CreateFunctionInput) { in.FunctionName = aws.String(exFunction) }),
			409, "ResourceConflictException", "Function already exist: " + exFunction},
		{"lambda: unknown runtime", create(func(in *lambdasdk.CreateFunctionInput) { in.Runtime = "python9" }),
			400, "InvalidParameterValueException", "Value python9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: …"},
		{"lambda: handler with a space", create(func(in *lambdasdk.CreateFunctionInput) { in.Handler = aws.String("lambda function.handler") }),
			400, "ValidationException", "1 validation error detected: Value 'lambda function.handler' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+"},
		{"lambda: memory below 128 MB", create(func(in *lambdasdk.CreateFunctionInput) { in.MemorySize = aws.Int32(64) }),
			400, "ValidationException", "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"},
		{"lambda: timeout over 900 s", create(func(in *lambdasdk.CreateFunctionInput) { in.Timeout = aws.Int32(901) }),
			400, "ValidationException", "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"lambda: a zip that is not a zip", create(func(in *lambdasdk.CreateFunctionInput) { in.Code.ZipFile = notZip }),
			400, "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again."},
		{"lambda: a zip that unzips past 250 MB", create(func(in *lambdasdk.CreateFunctionInput) { in.Code.ZipFile = bombZip(t) }),
			400, "InvalidParameterValueException", "Unzipped size must be smaller than 262144000 bytes"},
		{"lambda: new code over 50 MB", func(ctx context.Context, c apis) error {
			_, err := c.Lambda.UpdateFunctionCode(ctx, &lambdasdk.UpdateFunctionCodeInput{FunctionName: aws.String(exFunction), ZipFile: tooBig})
			return err
		}, 413, "RequestEntityTooLargeException", "Zipped size must be smaller than 52428800 bytes"},
		{"iam: malformed policy JSON", func(ctx context.Context, c apis) error {
			_, err := c.IAM.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String(exRole), PolicyName: aws.String("exercise"),
				PolicyDocument: aws.String(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`)})
			return err
		}, 400, "MalformedPolicyDocument", "Syntax errors in policy…"},
		{"iam: a role that does not exist", func(ctx context.Context, c apis) error {
			_, err := c.IAM.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("nope"), PolicyName: aws.String("exercise"),
				PolicyDocument: aws.String(string(exerciseFile(t, "policy.json")))})
			return err
		}, 404, "NoSuchEntity", "The role with name nope cannot be found."},
		{"iam: duplicate role", func(ctx context.Context, c apis) error {
			_, err := c.IAM.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(exRole),
				AssumeRolePolicyDocument: aws.String(string(exerciseFile(t, "trust.json")))})
			return err
		}, 409, "EntityAlreadyExists", "Role with name " + exRole + " already exists."},
		{"logs: unknown log group", func(ctx context.Context, c apis) error {
			_, err := c.Logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/nope")})
			return err
		}, 400, "ResourceNotFoundException", "The specified log group does not exist."},
		{"s3: a trigger without S3's permission", func(ctx context.Context, c apis) error {
			_, err := c.S3.PutBucketNotificationConfiguration(ctx, exerciseNotification())
			return err
		}, 400, "InvalidArgument", "Unable to validate the following destination configurations"},
	}
}

// wantRefusal checks err is tc's error.
func wantRefusal(t *testing.T, err error, tc refusal) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%v, want %s", err, tc.code)
	}
	msg := ae.ErrorMessage()
	prefix, isPrefix := strings.CutSuffix(tc.message, "…")
	if ae.ErrorCode() != tc.code || (isPrefix && !strings.HasPrefix(msg, prefix)) || (!isPrefix && msg != tc.message) {
		t.Errorf("%s: %s,\nwant %s: %s", ae.ErrorCode(), msg, tc.code, tc.message)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != tc.status {
		t.Errorf("status of %v, want %d", err, tc.status)
	}
}

// labState reads what a refusal must not change, through the APIs.
func labState(t *testing.T, c apis) string {
	t.Helper()
	ctx := context.Background()
	var state []any
	add := func(v any, err error) {
		if err != nil {
			t.Fatalf("read the lab: %v", err)
		}
		state = append(state, v)
	}
	fns, err := c.Lambda.ListFunctions(ctx, &lambdasdk.ListFunctionsInput{})
	add(fns.Functions, err)
	roles, err := c.IAM.ListRoles(ctx, &iamsdk.ListRolesInput{})
	if err == nil {
		for _, r := range roles.Roles {
			names, err := c.IAM.ListRolePolicies(ctx, &iamsdk.ListRolePoliciesInput{RoleName: r.RoleName})
			add(names.PolicyNames, err)
			for _, n := range names.PolicyNames {
				p, err := c.IAM.GetRolePolicy(ctx, &iamsdk.GetRolePolicyInput{RoleName: r.RoleName, PolicyName: aws.String(n)})
				add(p.PolicyDocument, err)
			}
		}
	}
	add(roles.Roles, err)
	groups, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	add(groups.LogGroups, err)
	buckets, err := c.S3.ListBuckets(ctx, &s3.ListBucketsInput{})
	add(buckets.Buckets, err)
	notif, err := c.S3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(exInput)})
	add(notif.LambdaFunctionConfigurations, err)
	layers, err := c.Lambda.ListLayers(ctx, &lambdasdk.ListLayersInput{})
	add(layers.Layers, err)
	b, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// bombZip is a zip whose one entry says it holds 300 MB.
func bombZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "big.bin", Method: zip.Store, CompressedSize64: 1, UncompressedSize64: 300 << 20})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte{0})
	zw.Close()
	return buf.Bytes()
}

// TestDeletedFunctionKeepsItsTrigger: as on AWS, deleting a function leaves
// the notification configurations that name it in place; an upload is
// stored (200) but its event cannot be delivered. The configuration cannot
// be put again (S3 validates every destination), and a new function of the
// same name (the same ARN), once S3 may invoke it again, gets the kept
// trigger's events.
func TestDeletedFunctionKeepsItsTrigger(t *testing.T) {
	l := emptyLab(t)
	c := apisFor(l.Endpoint)
	ctx := context.Background()
	for _, b := range []string{exInput, exOutput} {
		if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	createExerciseFunction(t, c)
	addTrigger(t, c)
	if _, err := c.Lambda.DeleteFunction(ctx, &lambdasdk.DeleteFunctionInput{FunctionName: aws.String(exFunction)}); err != nil {
		t.Fatal(err)
	}
	kept := triggers(t, c)
	if kept != "resize-on-put → arn:aws:lambda:us-east-1:000000000000:function:"+exFunction {
		t.Fatalf("after delete-function the bucket's triggers are %q, want the one naming it", kept)
	}
	upload(t, c, "after-delete.png")
	lost := labtest.WaitFor(t, l.Events, func(e bus.EventUndeliverable) bool { return e.Function == exFunction })
	if !strings.Contains(lost.Reason, "Function not found") {
		t.Errorf("the event was lost for %q, want the function not found", lost.Reason)
	}
	for _, e := range labtest.Of[bus.InvocationStarted](l.Events) {
		t.Errorf("an invocation started for a deleted function: %+v", e)
	}
	_, err := c.S3.PutBucketNotificationConfiguration(ctx, exerciseNotification())
	wantRefusal(t, err, refusal{status: 400, code: "InvalidArgument", message: "Unable to validate the following destination configurations"})
	if got := triggers(t, c); got != kept {
		t.Errorf("a refused configuration changed the triggers: %q", got)
	}

	if _, err := c.Lambda.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String(exFunction),
		Runtime: "python3.12", Handler: aws.String("lambda_function.lambda_handler"), Role: aws.String(exRoleARN),
		Code: &lambdatypes.FunctionCode{ZipFile: functionZip(t)}}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c)
	if _, err := c.Lambda.AddPermission(ctx, &lambdasdk.AddPermissionInput{FunctionName: aws.String(exFunction),
		StatementId: aws.String("s3invoke"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"),
		SourceArn: aws.String("arn:aws:s3:::" + exInput)}); err != nil {
		t.Fatal(err)
	}
	upload(t, c, "recreated.png")
	labtest.WaitFor(t, l.Events, func(e bus.InvocationEnded) bool { return e.Function == exFunction })
}

// triggers lists the input bucket's Lambda configurations: "id → ARN".
func triggers(t *testing.T, c apis) string {
	t.Helper()
	out, err := c.S3.GetBucketNotificationConfiguration(context.Background(), &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(exInput)})
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, lc := range out.LambdaFunctionConfigurations {
		s = append(s, fmt.Sprintf("%s → %s", aws.ToString(lc.Id), aws.ToString(lc.LambdaFunctionArn)))
	}
	return strings.Join(s, "; ")
}
