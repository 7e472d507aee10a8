package api_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// waitUpdated waits with the SDK's FunctionUpdatedV2 waiter.
func (l *lab) waitUpdated(name string) {
	l.t.Helper()
	w := sdk.NewFunctionUpdatedV2Waiter(l.client, func(o *sdk.FunctionUpdatedV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	})
	if err := w.Wait(ctx, &sdk.GetFunctionInput{FunctionName: aws.String(name)}, time.Minute); err != nil {
		l.t.Fatalf("FunctionUpdatedV2 waiter: %v", err)
	}
}

func TestUpdateFunctionConfigurationReachesNewEnvironments(t *testing.T) {
	l := newLab(t)
	created := l.create("demo", "echo.handler")
	out, err := l.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("demo"), MemorySize: aws.Int32(512), Timeout: aws.Int32(30),
		Description: aws.String("resizes images"),
		Environment: &types.Environment{Variables: map[string]string{"GREETING": "bonjour"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.LastUpdateStatus != types.LastUpdateStatusInProgress || aws.ToInt32(out.MemorySize) != 512 ||
		aws.ToString(out.RevisionId) == aws.ToString(created.RevisionId) {
		t.Errorf("UpdateFunctionConfiguration answered %s, memory %d, revision %s", out.LastUpdateStatus, aws.ToInt32(out.MemorySize), aws.ToString(out.RevisionId))
	}
	l.waitUpdated("demo")
	cfg, _ := l.svc.Config("demo")
	if cfg.Memory != 512 || cfg.Timeout != 30*time.Second || cfg.Environment["GREETING"] != "bonjour" {
		t.Errorf("the execution service runs %+v", cfg)
	}
	res, err := l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("demo"), LogType: types.LogTypeTail, Payload: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if log := decodeTail(t, res.LogResult); !strings.Contains(log, "GREETING=bonjour") || !strings.Contains(log, "Memory Size: 512 MB") {
		t.Errorf("the invocation after the update logged:\n%s", log)
	}
	got, _ := l.client.GetFunctionConfiguration(ctx, &sdk.GetFunctionConfigurationInput{FunctionName: aws.String("demo")})
	if aws.ToString(got.Description) != "resizes images" || aws.ToInt32(got.Timeout) != 30 {
		t.Errorf("configuration after the update: %+v", got)
	}
}

func TestUpdateRefusalsChangeNothing(t *testing.T) {
	l := newLab(t)
	created := l.create("demo", "echo.handler")
	tests := []struct {
		name    string
		in      sdk.UpdateFunctionConfigurationInput
		code    string
		message string
		status  int
	}{
		{"stale RevisionId", sdk.UpdateFunctionConfigurationInput{MemorySize: aws.Int32(256), RevisionId: aws.String("not-the-revision")},
			"PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id", 412},
		{"memory too large", sdk.UpdateFunctionConfigurationInput{MemorySize: aws.Int32(10241)},
			"ValidationException", "1 validation error detected: Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240", 400},
		{"unknown runtime", sdk.UpdateFunctionConfigurationInput{Runtime: "nodejs20.x"},
			"InvalidParameterValueException", "Value nodejs20.x at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [python3.10, python3.11, python3.12, python3.13, provided.al2023, provided.al2] or be a valid ARN", 400},
		{"a role Lambda cannot assume", sdk.UpdateFunctionConfigurationInput{Role: aws.String("arn:aws:iam::000000000000:role/nope-role")},
			"InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.", 400},
		{"a reserved variable", sdk.UpdateFunctionConfigurationInput{Environment: &types.Environment{Variables: map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "x"}}},
			"InvalidParameterValueException", "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_LAMBDA_FUNCTION_NAME", 400},
		{"a missing layer", sdk.UpdateFunctionConfigurationInput{Layers: []string{"arn:aws:lambda:us-east-1:000000000000:layer:none:1"}},
			"InvalidParameterValueException", "Layer version arn:aws:lambda:us-east-1:000000000000:layer:none:1 does not exist.", 400},
		{"a function that does not exist", sdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("ghost"), MemorySize: aws.Int32(256)},
			"ResourceNotFoundException", "Function not found: " + fnARN + "ghost", 404},
	}
	before := l.snapshot()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.FunctionName == nil {
				in.FunctionName = aws.String("demo")
			}
			_, err := l.client.UpdateFunctionConfiguration(ctx, &in)
			wantAPIError(t, err, tc.code, tc.message, tc.status)
			if after := l.snapshot(); after != before {
				t.Errorf("a refused update changed the lab:\n%s\n%s", before, after)
			}
		})
	}
	// The current RevisionId is honoured.
	if _, err := l.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("demo"),
		MemorySize: aws.Int32(256), RevisionId: l.revision("demo")}); err != nil {
		t.Fatalf("update with the current RevisionId: %v", err)
	}
	_ = created
}

// revision is the function's current RevisionId.
func (l *lab) revision(name string) *string {
	l.t.Helper()
	out, err := l.client.GetFunctionConfiguration(ctx, &sdk.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if err != nil {
		l.t.Fatal(err)
	}
	return out.RevisionId
}

func TestAnUpdateInProgressRefusesTheNext(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	release := l.hold()
	defer release()
	if _, err := l.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("demo"), Handler: aws.String("echo.other")}); err != nil {
		t.Fatal(err)
	}
	_, err := l.client.UpdateFunctionCode(ctx, &sdk.UpdateFunctionCodeInput{FunctionName: aws.String("demo"), ZipFile: makeZip(t, code)})
	wantAPIError(t, err, "ResourceConflictException",
		"The operation cannot be performed at this time. An update is in progress for resource: "+fnARN+"demo", 409)
	// Invocations go on meanwhile, with the code that is Active.
	res, err := l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("demo"), LogType: types.LogTypeTail, Payload: []byte(`{}`)})
	if err != nil || !strings.Contains(decodeTail(t, res.LogResult), "echo.handler got") {
		t.Fatalf("invoke during the update: %v", err)
	}
	release()
	l.waitUpdated("demo")
	res, err = l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("demo"), LogType: types.LogTypeTail, Payload: []byte(`{}`)})
	if err != nil || !strings.Contains(decodeTail(t, res.LogResult), "echo.other got") {
		t.Fatalf("invoke after the update: %v", err)
	}
}

func TestAFailedUpdateSaysWhy(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	if _, err := l.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("demo"), Handler: aws.String("broken.handler")}); err != nil {
		t.Fatal(err)
	}
	l.ready("demo")
	got, err := l.client.GetFunctionConfiguration(ctx, &sdk.GetFunctionConfigurationInput{FunctionName: aws.String("demo")})
	if err != nil {
		t.Fatal(err)
	}
	if got.LastUpdateStatus != types.LastUpdateStatusFailed || aws.ToString(got.LastUpdateStatusReason) != "handler broken.handler cannot be built" {
		t.Errorf("after a failed update: %s %q", got.LastUpdateStatus, aws.ToString(got.LastUpdateStatusReason))
	}
	// The function keeps running the code it had.
	res, err := l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("demo"), LogType: types.LogTypeTail, Payload: []byte(`{}`)})
	if err != nil || !strings.Contains(decodeTail(t, res.LogResult), "echo.handler got") {
		t.Fatalf("invoke after a failed update: %v", err)
	}
}

func TestUpdateFunctionCode(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	first := codePath(t, l)
	zip2 := makeZip(t, map[string]string{"lambda_function.py": "def lambda_handler(e, c):\n    return 2\n"})
	l.objects["cis-code/v2.zip"] = zip2
	out, err := l.client.UpdateFunctionCode(ctx, &sdk.UpdateFunctionCodeInput{FunctionName: aws.String("demo"),
		S3Bucket: aws.String("cis-code"), S3Key: aws.String("v2.zip"), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	if out.LastUpdateStatus != types.LastUpdateStatusInProgress || aws.ToInt64(&out.CodeSize) != int64(len(zip2)) {
		t.Errorf("UpdateFunctionCode answered %s, CodeSize %d", out.LastUpdateStatus, out.CodeSize)
	}
	l.waitUpdated("demo")
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Errorf("the old package is still kept: %v", err)
	}
	if data, err := os.ReadFile(codePath(t, l)); err != nil || string(data) != string(zip2) {
		t.Errorf("the kept package is not the new one: %v", err)
	}
	l.mu.Lock()
	last := l.built[len(l.built)-1]
	l.mu.Unlock()
	if last.Code != codePath(t, l) || last.Runtime != "python3.12" || last.Handler != "echo.handler" {
		t.Errorf("Deps.Runtime got %+v", last)
	}
	// A zip that is not one is refused, and nothing changes.
	before := l.snapshot()
	_, err = l.client.UpdateFunctionCode(ctx, &sdk.UpdateFunctionCodeInput{FunctionName: aws.String("demo"), ZipFile: []byte("nope")})
	wantAPIError(t, err, "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again.", 400)
	if l.snapshot() != before {
		t.Error("a refused UpdateFunctionCode changed the lab")
	}
}

func TestHotReloadFolderIsTheCode(t *testing.T) {
	l := newLab(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "lambda_function.py"), []byte("x = 1\n"), 0o644)
	in := createInput(t, "live", "echo.handler")
	in.Code = &types.FunctionCode{S3Bucket: aws.String("hot-reload"), S3Key: aws.String(dir)}
	if _, err := l.client.CreateFunction(ctx, in); err != nil {
		t.Fatal(err)
	}
	l.ready("live")
	l.mu.Lock()
	spec := l.built[len(l.built)-1]
	l.mu.Unlock()
	if spec.Code != dir {
		t.Errorf("Deps.Runtime got code %q, want the folder %q", spec.Code, dir)
	}
	in.FunctionName = aws.String("relative")
	in.Code.S3Key = aws.String("function/")
	_, err := l.client.CreateFunction(ctx, in)
	wantAPIError(t, err, "InvalidParameterValueException", `hot reload needs S3Key to be an absolute path on this machine, not "function/".`, 400)
}

func TestGetListDeleteFunctions(t *testing.T) {
	l := newLab(t)
	for _, n := range []string{"c-fn", "a-fn", "b-fn"} {
		l.create(n, "echo.handler")
	}
	var names []string
	var marker *string
	for pages := 0; ; pages++ {
		out, err := l.client.ListFunctions(ctx, &sdk.ListFunctionsInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
		if marker = out.NextMarker; marker == nil {
			break
		}
		if pages > 3 {
			t.Fatal("ListFunctions does not end")
		}
	}
	if !equal(names, []string{"a-fn", "b-fn", "c-fn"}) {
		t.Errorf("ListFunctions pages gave %v", names)
	}
	got, err := l.client.GetFunction(ctx, &sdk.GetFunctionInput{FunctionName: aws.String(fnARN + "b-fn")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Code.RepositoryType) != "S3" || aws.ToString(got.Code.Location) == "" || aws.ToString(got.Configuration.FunctionName) != "b-fn" {
		t.Errorf("GetFunction by ARN: %+v", got.Code)
	}
	_, err = l.client.GetFunction(ctx, &sdk.GetFunctionInput{FunctionName: aws.String("b-fn"), Qualifier: aws.String("7")})
	wantAPIError(t, err, "ResourceNotFoundException", "Function not found: "+fnARN+"b-fn:7", 404)

	path := l.c.Snapshot().Functions[1].Code.Path
	if _, err := l.client.DeleteFunction(ctx, &sdk.DeleteFunctionInput{FunctionName: aws.String("b-fn")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the deleted function's package is still kept: %v", err)
	}
	if l.svc.FunctionExists(fnARN + "b-fn") {
		t.Error("the execution service still has the deleted function")
	}
	_, err = l.client.DeleteFunction(ctx, &sdk.DeleteFunctionInput{FunctionName: aws.String("b-fn")})
	wantAPIError(t, err, "ResourceNotFoundException", "Function not found: "+fnARN+"b-fn", 404)
	_, err = l.client.GetFunctionConfiguration(ctx, &sdk.GetFunctionConfigurationInput{FunctionName: aws.String("b-fn")})
	wantAPIError(t, err, "ResourceNotFoundException", "Function not found: "+fnARN+"b-fn", 404)
}
