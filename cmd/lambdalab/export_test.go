package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/goccy/go-yaml"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// samTemplate is what the tests read of an exported template.
type samTemplate struct {
	Resources map[string]struct {
		Type       string         `yaml:"Type"`
		Properties map[string]any `yaml:"Properties"`
	} `yaml:"Resources"`
}

// exportSAM runs lambdalab export sam ARGS with the lab's cache, and
// returns its exit code and output.
func exportSAM(t *testing.T, cache string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"export", "sam"}, args...)...)
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache)
	out, _ := cmd.CombinedOutput()
	return cmd.ProcessState.ExitCode(), string(out)
}

// lintedTemplate checks dir/template.yaml with cfn-lint and reads it.
func lintedTemplate(t *testing.T, dir string) (samTemplate, []byte) {
	t.Helper()
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatalf("cfn-lint is not installed (./scripts/test.sh installs it with pip): %v", err)
	}
	path := filepath.Join(dir, "template.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := exec.Command(lint, path).CombinedOutput(); err != nil {
		t.Fatalf("cfn-lint: %v\n%s\n%s", err, res, data)
	}
	var tmpl samTemplate
	if err := yaml.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
	return tmpl, data
}

// TestExportSAMOfTheLiveLab: a lab built through the APIs (serve --lab
// empty --data: buckets, a role with the seed's policy and an AWS managed
// policy, a Python function with its zip, a layer, a trigger, retry and
// concurrency settings) exports as it is, with the code and the layer's
// content next to the template; the template passes cfn-lint. The same lab
// read from its data directory, without serve, exports the same.
func TestExportSAMOfTheLiveLab(t *testing.T) {
	t.Parallel()
	cache, data, dir := t.TempDir(), t.TempDir(), exerciseDir(t)
	s := serveLab(t, cache, "--lab", "empty", "--data", data)
	buildExerciseWithSDK(t, s.endpoint, dir)

	live := filepath.Join(t.TempDir(), "live")
	code, out := exportSAM(t, cache, "--addr", strings.TrimPrefix(s.endpoint, "http://"), "--out", live)
	if code != 0 || !strings.Contains(out, "not exported: bucket cis-examples-output's trigger gone-trigger names arn:aws:lambda:us-east-1:000000000000:function:gone") ||
		!strings.Contains(out, "role temp-role, which a function names, is not in IAM") {
		t.Fatalf("export sam --addr: exit %d\n%s", code, out)
	}
	tmpl, liveYAML := lintedTemplate(t, live)
	checkExercise(t, tmpl, live, dir)

	if code, out := exportSAM(t, cache, "--data", data, "--out", t.TempDir()); code != 2 || !strings.Contains(out, "in use by another lambdalab") ||
		!strings.Contains(out, "--addr") {
		t.Errorf("export sam --data while serve uses it: exit %d\n%s", code, out)
	}
	if code, out := exportSAM(t, cache, "--addr", strings.TrimPrefix(s.endpoint, "http://"), "--out", live); code != 2 || !strings.Contains(out, "is not empty") {
		t.Errorf("export sam into a folder that is not empty: exit %d\n%s", code, out)
	}
	kill9(t, s)

	kept := filepath.Join(t.TempDir(), "kept")
	if code, out := exportSAM(t, cache, "--data", data, "--out", kept); code != 0 {
		t.Fatalf("export sam --data: exit %d\n%s", code, out)
	}
	_, keptYAML := lintedTemplate(t, kept)
	if a, b := withoutDescription(liveYAML), withoutDescription(keptYAML); a != b {
		t.Errorf("--data exports another template than --addr:\n%s\n---\n%s", a, b)
	}
	for _, f := range []string{"functions/cis-exercise-demo/lambda_function.py", "layers/pillow-1/python/PIL/__init__.py"} {
		a, _ := os.ReadFile(filepath.Join(live, f))
		b, err := os.ReadFile(filepath.Join(kept, f))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between --addr and --data (%v)", f, err)
		}
	}
}

func withoutDescription(b []byte) string {
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "Description: ") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// buildExerciseWithSDK builds the exercise through the APIs, and leaves a
// trigger naming a deleted function (S3 keeps it).
func buildExerciseWithSDK(t *testing.T, endpoint, dir string) {
	t.Helper()
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	st, fn, roles := labtest.Client(endpoint, "test", "test"), lambdasdk.NewFromConfig(cfg), iam.NewFromConfig(cfg)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range []string{exInput, exOutput} {
		must(st.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
	}
	role := aws.String("lambda-s3-role")
	must(roles.CreateRole(ctx, &iam.CreateRoleInput{RoleName: role, AssumeRolePolicyDocument: aws.String(string(read("trust.json")))}))
	must(roles.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: role, PolicyName: aws.String("exercise"), PolicyDocument: aws.String(string(read("policy.json")))}))
	must(roles.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: aws.String(basicExecution)}))
	layer, err := fn.PublishLayerVersion(ctx, &lambdasdk.PublishLayerVersionInput{LayerName: aws.String("pillow"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: read("pillow.zip")}, CompatibleRuntimes: []lambdatypes.Runtime{"python3.12"}})
	must(layer, err)
	for _, name := range []string{exFunction, "gone"} {
		must(fn.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String(name), Runtime: "python3.12",
			Handler: aws.String("lambda_function.lambda_handler"), Role: aws.String("arn:aws:iam::000000000000:role/lambda-s3-role"),
			Code: &lambdatypes.FunctionCode{ZipFile: read("function.zip")}, Layers: []string{aws.ToString(layer.LayerVersionArn)},
			Timeout: aws.Int32(10), Environment: &lambdatypes.Environment{Variables: map[string]string{"OUTPUT_BUCKET": exOutput}}}))
		must(nil, lambdasdk.NewFunctionActiveV2Waiter(fn).Wait(ctx, &lambdasdk.GetFunctionInput{FunctionName: aws.String(name)}, patience))
	}
	must(fn.PutFunctionEventInvokeConfig(ctx, &lambdasdk.PutFunctionEventInvokeConfigInput{FunctionName: aws.String(exFunction), MaximumRetryAttempts: aws.Int32(1)}))
	must(fn.PutFunctionConcurrency(ctx, &lambdasdk.PutFunctionConcurrencyInput{FunctionName: aws.String(exFunction), ReservedConcurrentExecutions: aws.Int32(5)}))
	for fnName, bucket := range map[string]string{exFunction: exInput, "gone": exOutput} {
		must(fn.AddPermission(ctx, &lambdasdk.AddPermissionInput{FunctionName: aws.String(fnName), StatementId: aws.String("s3invoke"),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::" + bucket)}))
		must(st.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(bucket),
			NotificationConfiguration: &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
				Id: aws.String(map[string]string{exFunction: "resize-on-put", "gone": "gone-trigger"}[fnName]), Events: []s3types.Event{"s3:ObjectCreated:Put"},
				LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:" + fnName),
				Filter:            &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{{Name: "Suffix", Value: aws.String(".png")}}}}}}}}))
	}
	must(fn.DeleteFunction(ctx, &lambdasdk.DeleteFunctionInput{FunctionName: aws.String("gone")}))
	// A function whose role was deleted after it was created.
	must(roles.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("temp-role"), AssumeRolePolicyDocument: aws.String(string(read("trust.json")))}))
	must(fn.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("orphan"), Runtime: "python3.12",
		Handler: aws.String("lambda_function.lambda_handler"), Role: aws.String("arn:aws:iam::000000000000:role/temp-role"),
		Code: &lambdatypes.FunctionCode{ZipFile: read("function.zip")}}))
	must(roles.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("temp-role")}))
}

const basicExecution = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

// checkExercise checks the exported exercise against what was built.
func checkExercise(t *testing.T, tmpl samTemplate, out, dir string) {
	t.Helper()
	fn := tmpl.Resources["CisExerciseDemoFunction"].Properties
	want := map[string]any{"FunctionName": exFunction, "CodeUri": "./functions/cis-exercise-demo/", "Handler": "lambda_function.lambda_handler",
		"Runtime": "python3.12", "Timeout": uint64(10), "MemorySize": uint64(128), "ReservedConcurrentExecutions": uint64(5),
		"Layers": []any{map[string]any{"Ref": "Pillow1Layer"}}, "Environment": map[string]any{"Variables": map[string]any{"OUTPUT_BUCKET": exOutput}},
		"EventInvokeConfig": map[string]any{"MaximumRetryAttempts": uint64(1)}, "Role": map[string]any{"Fn::GetAtt": []any{"LambdaS3Role", "Arn"}},
		"Events": map[string]any{"CisExamplesResizeOnPut": map[string]any{"Type": "S3", "Properties": map[string]any{
			"Bucket": map[string]any{"Ref": "CisExamplesBucket"}, "Events": []any{"s3:ObjectCreated:Put"},
			"Filter": map[string]any{"S3Key": map[string]any{"Rules": []any{map[string]any{"Name": "suffix", "Value": ".png"}}}}}}}}
	for k, v := range want {
		if !reflect.DeepEqual(fn[k], v) {
			t.Errorf("the function's %s: %#v, want %#v", k, fn[k], v)
		}
	}
	orphan, temp := tmpl.Resources["OrphanFunction"].Properties, tmpl.Resources["TempRole"].Properties
	if !reflect.DeepEqual(orphan["Role"], map[string]any{"Fn::GetAtt": []any{"TempRole", "Arn"}}) || temp["RoleName"] != "temp-role" || temp["Policies"] != nil {
		t.Errorf("the function whose role is gone: %#v\nits role: %#v", orphan, temp)
	}
	if _, ok := tmpl.Resources["GoneFunction"]; ok {
		t.Error("the deleted function was exported")
	}
	role := tmpl.Resources["LambdaS3Role"].Properties
	policies, _ := role["Policies"].([]any)
	if len(policies) != 1 || !reflect.DeepEqual(policies[0].(map[string]any)["PolicyDocument"], jsonFile(t, filepath.Join(dir, "policy.json"))) ||
		!reflect.DeepEqual(role["ManagedPolicyArns"], []any{basicExecution}) {
		t.Errorf("the role: %#v", role)
	}
	layer := tmpl.Resources["Pillow1Layer"]
	if layer.Type != "AWS::Serverless::LayerVersion" || layer.Properties["ContentUri"] != "./layers/pillow-1/" || layer.Properties["LayerName"] != "pillow" {
		t.Errorf("the layer: %#v", layer)
	}
	src, _ := os.ReadFile("../../emulator/labs/python/lambda_function.py")
	if got, err := os.ReadFile(filepath.Join(out, "functions", exFunction, "lambda_function.py")); err != nil || !bytes.Equal(got, src) {
		t.Errorf("the exported code is not the function's (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(out, "layers", "pillow-1", "python", "PIL", "__init__.py")); err != nil {
		t.Errorf("the exported layer lacks PIL: %v", err)
	}
}

func jsonFile(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestExportSAMOfTheRunningDefaultLab: the default lab as served (a
// built-in handler) exports as the lab file does: a provided.al2023 arm64
// function built from cmd/resize-lambda.
func TestExportSAMOfTheRunningDefaultLab(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	out := filepath.Join(t.TempDir(), "stack")
	if code, msg := exportSAM(t, t.TempDir(), "--addr", strings.TrimPrefix(s.endpoint, "http://"), "--out", out); code != 0 {
		t.Fatalf("exit %d\n%s", code, msg)
	}
	tmpl, _ := lintedTemplate(t, out)
	fn := tmpl.Resources["CisExerciseDemoFunction"].Properties
	if fn["Runtime"] != "provided.al2023" || fn["Handler"] != "bootstrap" || fn["CodeUri"] != "./cmd/resize-lambda/" {
		t.Errorf("function: %v", fn)
	}
	if code, msg := exportSAM(t, t.TempDir(), "--addr", freeAddr(t), "--out", filepath.Join(t.TempDir(), "x")); code != 2 || !strings.Contains(msg, "no lab answers at") {
		t.Errorf("no lab at --addr: exit %d\n%s", code, msg)
	}
}
