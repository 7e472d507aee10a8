package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// TestExerciseSurvivesKill9: with --data, a function created with the aws
// CLI, its layer, its role and policy, its trigger and its logs are all
// back after a kill -9 and a restart on the same directory, and the next
// upload runs it.
func TestExerciseSurvivesKill9(t *testing.T) {
	t.Parallel()
	_, v2 := findCLIs(t)
	cache, data, dir := t.TempDir(), t.TempDir(), exerciseDir(t)
	s := serveLab(t, cache, "--lab", "empty", "--data", data)
	createWithCLI(t, newStudent(t, v2, s.endpoint, dir, true))
	client := labtest.Client(s.endpoint, "test", "test")
	upload(t, client, "lambda.png")
	s.waitOutput(t, exFunction+" | REPORT RequestId: ")
	fn := lambdaClient(s.endpoint)
	pillow, _ := os.ReadFile(filepath.Join(dir, "pillow.zip"))
	layer, err := fn.PublishLayerVersion(context.Background(), &lambdasdk.PublishLayerVersionInput{LayerName: aws.String("pillow"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: pillow}, CompatibleRuntimes: []lambdatypes.Runtime{"python3.12"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fn.UpdateFunctionConfiguration(context.Background(), &lambdasdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(exFunction), Layers: []string{aws.ToString(layer.LayerVersionArn)}}); err != nil {
		t.Fatal(err)
	}
	if err := lambdasdk.NewFunctionUpdatedV2Waiter(fn).Wait(context.Background(), &lambdasdk.GetFunctionInput{FunctionName: aws.String(exFunction)}, patience); err != nil {
		t.Fatal(err)
	}
	kill9(t, s)

	s = serveLab(t, cache, "--lab", "empty", "--data", data)
	again := newStudent(t, v2, s.endpoint, dir, true)
	var got struct {
		Configuration struct {
			Runtime, Handler, Role, State string
			Layers                        []struct{ Arn string }
		}
		Code struct{ Location string }
	}
	again.json(&got, "lambda", "get-function", "--function-name", exFunction)
	c := got.Configuration
	if c.Runtime != "python3.12" || c.Handler != "lambda_function.lambda_handler" || c.Role != "arn:aws:iam::000000000000:role/lambda-s3-role" ||
		c.State != "Active" || len(c.Layers) != 1 || c.Layers[0].Arn != aws.ToString(layer.LayerVersionArn) {
		t.Errorf("get-function after the restart: %+v", c)
	}
	zipped, _ := os.ReadFile(filepath.Join(dir, "function.zip"))
	if code := get(t, got.Code.Location); !bytes.Equal(code, zipped) {
		t.Errorf("the code after the restart is %d bytes, not function.zip", len(code))
	}
	if layers := again.run("lambda", "list-layers"); !strings.Contains(layers, `"LayerVersionArn": "`+aws.ToString(layer.LayerVersionArn)+`"`) {
		t.Errorf("list-layers after the restart:\n%s", layers)
	}
	var policy struct{ PolicyDocument json.RawMessage }
	again.json(&policy, "iam", "get-role-policy", "--role-name", "lambda-s3-role", "--policy-name", "exercise")
	if !sameJSON(t, policy.PolicyDocument, filepath.Join(dir, "policy.json")) {
		t.Errorf("get-role-policy after the restart: %s", policy.PolicyDocument)
	}
	if logs := again.run("logs", "filter-log-events", "--log-group-name", exLogGroup); !strings.Contains(logs, "Runtime.ImportModuleError") {
		t.Errorf("the logs after the restart lack the first invocation's:\n%s", logs)
	}
	upload(t, labtest.Client(s.endpoint, "test", "test"), "after-restart.png")
	s.waitOutput(t, "S3 PUT cis-examples-output/after-restart.png PutObject 200")
	if w, h := imageSize(t, labtest.Client(s.endpoint, "test", "test"), "after-restart.png"); w != 300 || h != 300 {
		t.Errorf("after the restart the thumbnail is %dx%d", w, h)
	}
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
