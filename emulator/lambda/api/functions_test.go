package api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// lastModified is Lambda's LastModified format.
var lastModified = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$`)

func TestCreateFunctionIsPendingUntilItsCodeIsPrepared(t *testing.T) {
	l := newLab(t)
	release := l.hold()
	defer release()
	in := createInput(t, "cis-exercise-demo", "lambda_function.lambda_handler")
	in.Environment = &types.Environment{Variables: map[string]string{"GREETING": "hi"}}
	out, err := l.client.CreateFunction(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	checkCreated(t, in, out)
	sum := sha256.Sum256(in.Code.ZipFile)
	// The package is kept as code/NAME/<sha256>.zip.
	kept := filepath.Join(l.c.Snapshot().Functions[0].Configuration.FunctionName, hex.EncodeToString(sum[:])+".zip")
	if !strings.HasSuffix(codePath(t, l), kept) {
		t.Errorf("package kept at %s, want …/%s", codePath(t, l), kept)
	}

	// Pending: GetFunction says so, and neither Invoke nor an update is taken.
	got, err := l.client.GetFunction(ctx, &sdk.GetFunctionInput{FunctionName: aws.String("cis-exercise-demo")})
	if err != nil || got.Configuration.State != types.StatePending {
		t.Fatalf("GetFunction while preparing: %v, %+v", err, got)
	}
	pending := "The operation cannot be performed at this time. The function is currently in the following state: Pending"
	_, err = l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("cis-exercise-demo")})
	wantAPIError(t, err, "ResourceConflictException", pending, 409)
	_, err = l.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("cis-exercise-demo"), MemorySize: aws.Int32(256)})
	wantAPIError(t, err, "ResourceConflictException", pending, 409)

	// The SDK's waiter polls until Active: it sees Pending first.
	waited := make(chan error, 1)
	go func() {
		w := sdk.NewFunctionActiveV2Waiter(l.client, func(o *sdk.FunctionActiveV2WaiterOptions) {
			o.MinDelay, o.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
		})
		waited <- w.Wait(ctx, &sdk.GetFunctionInput{FunctionName: aws.String("cis-exercise-demo")}, time.Minute)
	}()
	l.waitRequest("GetFunction")
	release()
	if err := <-waited; err != nil {
		t.Fatalf("FunctionActiveV2 waiter: %v", err)
	}
	conf, err := l.client.GetFunctionConfiguration(ctx, &sdk.GetFunctionConfigurationInput{FunctionName: aws.String("cis-exercise-demo")})
	if err != nil {
		t.Fatal(err)
	}
	if conf.State != types.StateActive || conf.LastUpdateStatus != types.LastUpdateStatusSuccessful || conf.StateReason != nil {
		t.Errorf("after preparing: State %s, LastUpdateStatus %s, StateReason %v", conf.State, conf.LastUpdateStatus, conf.StateReason)
	}
	if aws.ToString(conf.RevisionId) == aws.ToString(out.RevisionId) {
		t.Error("RevisionId did not change when the function became Active")
	}
	if !l.svc.FunctionExists(fnARN + "cis-exercise-demo") {
		t.Error("the execution service does not have the Active function")
	}
}

// checkCreated checks CreateFunction's answer member by member.
func checkCreated(t *testing.T, in *sdk.CreateFunctionInput, out *sdk.CreateFunctionOutput) {
	t.Helper()
	sum := sha256.Sum256(in.Code.ZipFile)
	checks := []struct {
		name      string
		got, want any
	}{
		{"FunctionName", aws.ToString(out.FunctionName), "cis-exercise-demo"},
		{"FunctionArn", aws.ToString(out.FunctionArn), fnARN + "cis-exercise-demo"},
		{"Runtime", out.Runtime, types.RuntimePython312},
		{"Role", aws.ToString(out.Role), role},
		{"Handler", aws.ToString(out.Handler), "lambda_function.lambda_handler"},
		{"CodeSha256", aws.ToString(out.CodeSha256), base64.StdEncoding.EncodeToString(sum[:])},
		{"CodeSize", out.CodeSize, int64(len(in.Code.ZipFile))},
		{"MemorySize", aws.ToInt32(out.MemorySize), int32(128)},
		{"Timeout", aws.ToInt32(out.Timeout), int32(3)},
		{"Version", aws.ToString(out.Version), "$LATEST"},
		{"State", out.State, types.StatePending},
		{"StateReasonCode", out.StateReasonCode, types.StateReasonCodeCreating},
		{"StateReason", aws.ToString(out.StateReason), "The function is being created."},
		{"PackageType", out.PackageType, types.PackageTypeZip},
		{"Architectures", out.Architectures, []types.Architecture{types.ArchitectureX8664}},
		{"EphemeralStorage", aws.ToInt32(out.EphemeralStorage.Size), int32(512)},
		{"LogGroup", aws.ToString(out.LoggingConfig.LogGroup), "/aws/lambda/cis-exercise-demo"},
		{"LogFormat", out.LoggingConfig.LogFormat, types.LogFormatText},
		{"TracingConfig", out.TracingConfig.Mode, types.TracingModePassThrough},
		{"Environment", out.Environment.Variables["GREETING"], "hi"},
	}
	for _, c := range checks {
		if !equal(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !lastModified.MatchString(aws.ToString(out.LastModified)) {
		t.Errorf("LastModified %q is not in Lambda's format", aws.ToString(out.LastModified))
	}
}

// codePath is where the lab's only function's package is kept; it must
// exist.
func codePath(t *testing.T, l *lab) string {
	t.Helper()
	p := l.c.Snapshot().Functions[0].Code.Path
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the package is not kept: %v", err)
	}
	return p
}

func equal(a, b any) bool { return reflect.DeepEqual(a, b) }
