package emulator_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime/python"
)

// The exercise done from scratch through the lab's APIs (issue 16, "one
// door for every service"): the empty lab, the seed's role policy and
// code, and the files a student writes (testdata/exercise, the same the
// README shows).

// The exercise's names.
const (
	exFunction = "cis-exercise-demo"
	exRole     = "lambda-s3-role"
	exInput    = "cis-examples"
	exOutput   = "cis-examples-output"
	exLogGroup = "/aws/lambda/" + exFunction
	exRoleARN  = "arn:aws:iam::000000000000:role/" + exRole
)

// emptyLab serves the shipped lab "empty" with a layer registry of the
// test's own, so that versions are numbered from 1.
func emptyLab(t *testing.T) *labtest.Lab {
	t.Helper()
	data, err := labsFS.ReadFile("empty.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return labtest.Start(t, string(data), emulator.WithCacheDir(t.TempDir()))
}

// apis are aws-sdk-go-v2 clients of every service, reaching a served lab
// over TCP as any program would.
type apis struct {
	S3     *s3.Client
	Lambda *lambdasdk.Client
	IAM    *iamsdk.Client
	Logs   *cloudwatchlogs.Client
}

func apisFor(endpoint string) apis {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("student", "student", ""),
		HTTPClient:  &http.Client{Timeout: labtest.Patience}}
	return apis{S3: labtest.Client(endpoint, "student", "student"), Lambda: lambdasdk.NewFromConfig(cfg),
		IAM: iamsdk.NewFromConfig(cfg), Logs: cloudwatchlogs.NewFromConfig(cfg)}
}

// exerciseFile reads one of the student's files.
func exerciseFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "exercise", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// functionZip is the seed's lambda_function.py, zipped as function.zip.
func functionZip(t *testing.T) []byte {
	t.Helper()
	src, err := labsFS.ReadFile("python/lambda_function.py")
	if err != nil {
		t.Fatal(err)
	}
	return zipOf(t, map[string][]byte{"lambda_function.py": src})
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pillowZip builds the Pillow layer as `lambdalab layer build pillow
// --python Pillow` does (pip when it reaches an index, else this machine's
// Pillow).
func pillowZip(t *testing.T) []byte {
	t.Helper()
	in, err := python.Find("python3.12")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "pillow.zip")
	if _, err := python.BuildLayer(out, []string{"Pillow"}, in); err != nil {
		t.Fatalf("build the Pillow layer: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// createExerciseFunction does the exercise's IAM and Lambda steps: the role
// with Lambda's trust and the seed's policy, the function from
// function.zip, Active.
func createExerciseFunction(t *testing.T, c apis) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.IAM.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(exRole),
		AssumeRolePolicyDocument: aws.String(string(exerciseFile(t, "trust.json")))}); err != nil {
		t.Fatalf("create-role: %v", err)
	}
	if _, err := c.IAM.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String(exRole), PolicyName: aws.String("exercise"),
		PolicyDocument: aws.String(string(exerciseFile(t, "policy.json")))}); err != nil {
		t.Fatalf("put-role-policy: %v", err)
	}
	if _, err := c.Lambda.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String(exFunction),
		Runtime: "python3.12", Handler: aws.String("lambda_function.lambda_handler"), Role: aws.String(exRoleARN),
		Code: &lambdatypes.FunctionCode{ZipFile: functionZip(t)}}); err != nil {
		t.Fatalf("create-function: %v", err)
	}
	waitActive(t, c)
}

func waitActive(t *testing.T, c apis) {
	t.Helper()
	w := lambdasdk.NewFunctionActiveV2Waiter(c.Lambda, func(o *lambdasdk.FunctionActiveV2WaiterOptions) { o.MinDelay = 100 * time.Millisecond })
	if err := w.Wait(context.Background(), &lambdasdk.GetFunctionInput{FunctionName: aws.String(exFunction)}, labtest.Patience); err != nil {
		t.Fatalf("wait function-active-v2: %v", err)
	}
}
