package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// TestExerciseSurvivesKill9: with --data, a function created with the aws
// CLI, its layer, its role and policy, its trigger and its logs are all
// back after a kill -9 and a restart on the same directory, and the next
// upload runs it. (The CLI v1 creates, the quicker to start; the Go SDK
// reads back.)
func TestExerciseSurvivesKill9(t *testing.T) {
	t.Parallel()
	v1, _ := findCLIs(t)
	cache, data, dir := t.TempDir(), t.TempDir(), exerciseDir(t)
	s := serveLab(t, cache, "--lab", "empty", "--data", data)
	createWithCLI(t, newStudent(t, v1, s.endpoint, dir, false))
	client := labtest.Client(s.endpoint, "test", "test")
	upload(t, client, "lambda.png")
	s.waitOutput(t, exFunction+" | REPORT RequestId: ")
	ctx := context.Background()
	fn := lambdaClient(s.endpoint)
	pillow, _ := os.ReadFile(filepath.Join(dir, "pillow.zip"))
	layer, err := fn.PublishLayerVersion(ctx, &lambdasdk.PublishLayerVersionInput{LayerName: aws.String("pillow"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: pillow}, CompatibleRuntimes: []lambdatypes.Runtime{"python3.12"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fn.UpdateFunctionConfiguration(ctx, &lambdasdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(exFunction), Layers: []string{aws.ToString(layer.LayerVersionArn)}}); err != nil {
		t.Fatal(err)
	}
	if err := lambdasdk.NewFunctionUpdatedV2Waiter(fn).Wait(ctx, &lambdasdk.GetFunctionInput{FunctionName: aws.String(exFunction)}, patience); err != nil {
		t.Fatal(err)
	}
	kill9(t, s)

	s = serveLab(t, cache, "--lab", "empty", "--data", data)
	checkRestored(t, s.endpoint, dir, aws.ToString(layer.LayerVersionArn))
	upload(t, labtest.Client(s.endpoint, "test", "test"), "after-restart.png")
	s.waitOutput(t, "S3 PUT cis-examples-output/after-restart.png PutObject 200")
	if w, h := imageSize(t, labtest.Client(s.endpoint, "test", "test"), "after-restart.png"); w != 300 || h != 300 {
		t.Errorf("after the restart the thumbnail is %dx%d", w, h)
	}
}

// checkRestored checks what a restarted lab says of the exercise's
// function (its configuration, code and layer), role policy and logs.
func checkRestored(t *testing.T, endpoint, dir, layerARN string) {
	t.Helper()
	ctx := context.Background()
	fn := lambdaClient(endpoint)
	got, err := fn.GetFunction(ctx, &lambdasdk.GetFunctionInput{FunctionName: aws.String(exFunction)})
	if err != nil {
		t.Fatalf("GetFunction after the restart: %v", err)
	}
	c := got.Configuration
	if c.Runtime != "python3.12" || aws.ToString(c.Handler) != "lambda_function.lambda_handler" ||
		aws.ToString(c.Role) != "arn:aws:iam::000000000000:role/lambda-s3-role" || c.State != lambdatypes.StateActive ||
		len(c.Layers) != 1 || aws.ToString(c.Layers[0].Arn) != layerARN {
		t.Errorf("GetFunction after the restart: %+v", c)
	}
	zipped, _ := os.ReadFile(filepath.Join(dir, "function.zip"))
	if code := get(t, aws.ToString(got.Code.Location)); !bytes.Equal(code, zipped) {
		t.Errorf("the code after the restart is %d bytes, not function.zip", len(code))
	}
	layers, err := fn.ListLayers(ctx, &lambdasdk.ListLayersInput{})
	if err != nil || len(layers.Layers) != 1 || aws.ToString(layers.Layers[0].LatestMatchingVersion.LayerVersionArn) != layerARN {
		t.Errorf("ListLayers after the restart: %+v (%v)", layers, err)
	}
	policy, err := iamClient(endpoint).GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("lambda-s3-role"), PolicyName: aws.String("exercise")})
	if err != nil {
		t.Fatalf("GetRolePolicy after the restart: %v", err)
	}
	doc, _ := url.PathUnescape(aws.ToString(policy.PolicyDocument)) // RFC 3986: a + stays a +
	if !sameJSON(t, []byte(doc), filepath.Join(dir, "policy.json")) {
		t.Errorf("GetRolePolicy after the restart: %s", doc)
	}
	logs, err := logsClient(endpoint).FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(exLogGroup)})
	if err != nil || !slices.ContainsFunc(logs.Events, func(e logstypes.FilteredLogEvent) bool {
		return strings.Contains(aws.ToString(e.Message), "Runtime.ImportModuleError")
	}) {
		t.Errorf("the logs after the restart lack the first invocation's (%v)", err)
	}
}

func iamClient(endpoint string) *iam.Client {
	return iam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

func logsClient(endpoint string) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

func lambdaClient(endpoint string) *lambdasdk.Client {
	return lambdasdk.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

// get downloads url as curl would.
func get(t *testing.T, url string) []byte {
	t.Helper()
	c := &http.Client{Timeout: patience}
	res, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, res.Status, body)
	}
	return body
}

// sameJSON reports whether doc (JSON, or JSON text as a JSON string, as
// the aws CLI may print a policy) means what the file holds.
func sameJSON(t *testing.T, doc []byte, file string) bool {
	t.Helper()
	var s string
	if json.Unmarshal(doc, &s) == nil {
		doc = []byte(s)
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if json.Unmarshal(doc, &a) != nil || json.Unmarshal(want, &b) != nil {
		return false
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}
