package api_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/control"
)

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	in := &sdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("demo"), MemorySize: aws.Int32(256),
		Environment: &types.Environment{Variables: map[string]string{"GREETING": "restored"}}}
	if _, err := l.client.UpdateFunctionConfiguration(ctx, in); err != nil {
		t.Fatal(err)
	}
	l.ready("demo")
	if _, err := l.client.AddPermission(ctx, s3Permission("s3invoke", "arn:aws:s3:::cis-examples")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.client.PutFunctionEventInvokeConfig(ctx, &sdk.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("demo"),
		MaximumRetryAttempts: aws.Int32(1), DestinationConfig: onFailure("arn:aws:s3:::failed-events")}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.client.PutFunctionRecursionConfig(ctx, &sdk.PutFunctionRecursionConfigInput{FunctionName: aws.String("demo"), RecursiveLoop: types.RecursiveLoopAllow}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.client.PutFunctionConcurrency(ctx, &sdk.PutFunctionConcurrencyInput{FunctionName: aws.String("demo"), ReservedConcurrentExecutions: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(l.c.Snapshot())
	if err != nil {
		t.Fatal(err)
	}

	// A new control plane over a new service, on the same code folder.
	var snap control.Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	svc := lambda.New()
	t.Cleanup(svc.Close)
	c2 := control.New(svc, control.Deps{Runtime: l.runtime, Layers: l.reg, CodeDir: t.TempDir(), IDs: ids.NewSeeded(9, 9)})
	t.Cleanup(c2.Close)
	if err := c2.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if err := c2.WaitReady(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	conf, err := c2.GetFunctionConfiguration("demo", "")
	if err != nil {
		t.Fatal(err)
	}
	if conf.State != control.StateActive || conf.MemorySize != 256 || conf.Environment.Variables["GREETING"] != "restored" {
		t.Errorf("restored configuration: %+v", conf)
	}
	if !c2.Allows("demo", "s3.amazonaws.com", "arn:aws:s3:::cis-examples", account) {
		t.Error("the restored policy does not allow S3")
	}
	cfg, ok := svc.Config("demo")
	if !ok || cfg.Memory != 256 || *cfg.MaximumRetryAttempts != 1 || cfg.OnFailure != "failed-events" || cfg.RecursiveLoop != "Allow" ||
		cfg.ReservedConcurrency == nil || *cfg.ReservedConcurrency != 2 {
		t.Errorf("the restored service runs %+v", cfg)
	}
	res, err := c2.Invoke(ctx, control.InvokeInput{FunctionName: "demo", LogType: "Tail", Payload: []byte(`{}`)})
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("invoking the restored function: %v", err)
	}
	// Restoring twice is refused.
	if err := c2.Restore(snap); err == nil {
		t.Error("Restore into a control plane that has functions succeeded")
	}
}
