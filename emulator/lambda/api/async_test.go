package api_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func onFailure(dest string) *types.DestinationConfig {
	return &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(dest)}}
}

func TestEventInvokeConfigTakesEffect(t *testing.T) {
	l := newLab(t)
	l.create("failing", "fail.handler")
	_, err := l.client.GetFunctionEventInvokeConfig(ctx, &sdk.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("failing")})
	wantAPIError(t, err, "ResourceNotFoundException", "The function "+fnARN+"failing:$LATEST doesn't have an EventInvokeConfig", 404)

	put, err := l.client.PutFunctionEventInvokeConfig(ctx, &sdk.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("failing"),
		MaximumRetryAttempts: aws.Int32(0), DestinationConfig: onFailure("arn:aws:s3:::failed-events")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.FunctionArn) != fnARN+"failing:$LATEST" || aws.ToInt32(put.MaximumRetryAttempts) != 0 ||
		aws.ToString(put.DestinationConfig.OnFailure.Destination) != "arn:aws:s3:::failed-events" || put.LastModified == nil ||
		time.Since(*put.LastModified) > time.Hour {
		t.Errorf("PutFunctionEventInvokeConfig answered %+v", put)
	}
	cfg, _ := l.svc.Config("failing")
	if *cfg.MaximumRetryAttempts != 0 || cfg.OnFailure != "failed-events" || cfg.MaximumEventAge != 6*time.Hour {
		t.Errorf("the execution service runs %+v", cfg)
	}

	// A failing function with no retries is attempted once, and its event
	// goes to the bucket.
	if _, err := l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("failing"), InvocationType: types.InvocationTypeEvent,
		Payload: []byte(`{"n":1}`)}); err != nil {
		t.Fatal(err)
	}
	if err := l.svc.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if m, _ := l.svc.Metrics("failing"); m.Invocations != 1 || m.Errors != 1 {
		t.Errorf("attempts: %+v", m)
	}
	l.mu.Lock()
	var record struct {
		RequestContext struct {
			Condition              string
			ApproximateInvokeCount int
		}
	}
	for key, body := range l.records {
		if len(key) > len("failed-events/") && key[:len("failed-events/")] == "failed-events/" {
			json.Unmarshal(body, &record)
		}
	}
	l.mu.Unlock()
	if record.RequestContext.Condition != "RetriesExhausted" || record.RequestContext.ApproximateInvokeCount != 1 {
		t.Errorf("the on-failure record: %+v (records %d)", record, len(l.records))
	}

	// Update merges; Delete brings back the defaults.
	upd, err := l.client.UpdateFunctionEventInvokeConfig(ctx, &sdk.UpdateFunctionEventInvokeConfigInput{FunctionName: aws.String("failing"),
		MaximumEventAgeInSeconds: aws.Int32(120)})
	if err != nil || aws.ToInt32(upd.MaximumRetryAttempts) != 0 || aws.ToInt32(upd.MaximumEventAgeInSeconds) != 120 ||
		aws.ToString(upd.DestinationConfig.OnFailure.Destination) != "arn:aws:s3:::failed-events" {
		t.Fatalf("UpdateFunctionEventInvokeConfig: %v %+v", err, upd)
	}
	got, err := l.client.GetFunctionEventInvokeConfig(ctx, &sdk.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("failing")})
	if err != nil || aws.ToInt32(got.MaximumEventAgeInSeconds) != 120 {
		t.Fatalf("GetFunctionEventInvokeConfig: %v %+v", err, got)
	}
	if _, err := l.client.DeleteFunctionEventInvokeConfig(ctx, &sdk.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String("failing")}); err != nil {
		t.Fatal(err)
	}
	cfg, _ = l.svc.Config("failing")
	if *cfg.MaximumRetryAttempts != 2 || cfg.OnFailure != "" || cfg.MaximumEventAge != 6*time.Hour {
		t.Errorf("after DeleteFunctionEventInvokeConfig the service runs %+v", cfg)
	}
}

func TestEventInvokeConfigRefusals(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	before := l.snapshot()
	tests := []struct {
		name    string
		in      sdk.PutFunctionEventInvokeConfigInput
		code    string
		message string
		status  int
	}{
		{"nothing to set", sdk.PutFunctionEventInvokeConfigInput{},
			"InvalidParameterValueException", "You must specify at least one of error handling or destination setting.", 400},
		{"three retries", sdk.PutFunctionEventInvokeConfigInput{MaximumRetryAttempts: aws.Int32(3)},
			"ValidationException", "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2", 400},
		{"an event age under a minute", sdk.PutFunctionEventInvokeConfigInput{MaximumEventAgeInSeconds: aws.Int32(59)},
			"ValidationException", "1 validation error detected: Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60", 400},
		{"an SQS destination", sdk.PutFunctionEventInvokeConfigInput{DestinationConfig: onFailure("arn:aws:sqs:us-east-1:000000000000:dlq")},
			"InvalidParameterValueException", "lambdalab delivers on-failure records only to S3 buckets (arn:aws:s3:::BUCKET), not to SQS destinations such as arn:aws:sqs:us-east-1:000000000000:dlq.", 400},
		{"a function that does not exist", sdk.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("ghost"), MaximumRetryAttempts: aws.Int32(1)},
			"ResourceNotFoundException", "The function doesn't exist.", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.FunctionName == nil {
				in.FunctionName = aws.String("demo")
			}
			_, err := l.client.PutFunctionEventInvokeConfig(ctx, &in)
			wantAPIError(t, err, tc.code, tc.message, tc.status)
			if after := l.snapshot(); after != before {
				t.Errorf("a refusal changed the lab:\n%s\n%s", before, after)
			}
		})
	}
	_, err := l.client.UpdateFunctionEventInvokeConfig(ctx, &sdk.UpdateFunctionEventInvokeConfigInput{FunctionName: aws.String("demo"), MaximumRetryAttempts: aws.Int32(1)})
	wantAPIError(t, err, "ResourceNotFoundException", "The function "+fnARN+"demo:$LATEST doesn't have an EventInvokeConfig", 404)
}

func TestRecursionConfig(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	got, err := l.client.GetFunctionRecursionConfig(ctx, &sdk.GetFunctionRecursionConfigInput{FunctionName: aws.String("demo")})
	if err != nil || got.RecursiveLoop != types.RecursiveLoopTerminate {
		t.Fatalf("default recursion config: %v %v", err, got)
	}
	put, err := l.client.PutFunctionRecursionConfig(ctx, &sdk.PutFunctionRecursionConfigInput{FunctionName: aws.String("demo"), RecursiveLoop: types.RecursiveLoopAllow})
	if err != nil || put.RecursiveLoop != types.RecursiveLoopAllow {
		t.Fatalf("PutFunctionRecursionConfig: %v %v", err, put)
	}
	if cfg, _ := l.svc.Config("demo"); cfg.RecursiveLoop != "Allow" {
		t.Errorf("the service's RecursiveLoop is %s", cfg.RecursiveLoop)
	}
	before := l.snapshot()
	_, err = l.client.PutFunctionRecursionConfig(ctx, &sdk.PutFunctionRecursionConfigInput{FunctionName: aws.String("demo"), RecursiveLoop: "Sometimes"})
	wantAPIError(t, err, "ValidationException", "1 validation error detected: Value 'Sometimes' at 'recursiveLoop' failed to satisfy constraint: Member must satisfy enum value set: [Terminate, Allow]", 400)
	if l.snapshot() != before {
		t.Error("a refused PutFunctionRecursionConfig changed the lab")
	}
}

func TestConcurrencyAndAccountSettings(t *testing.T) {
	l := newLab(t)
	l.create("a", "echo.handler")
	l.create("b", "echo.handler")
	acct, err := l.client.GetAccountSettings(ctx, &sdk.GetAccountSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	lim, use := acct.AccountLimit, acct.AccountUsage
	if lim.ConcurrentExecutions != 10 || aws.ToInt32(lim.UnreservedConcurrentExecutions) != 10 || lim.CodeSizeUnzipped != 262144000 ||
		lim.CodeSizeZipped != 52428800 || lim.TotalCodeSize != 80530636800 || use.FunctionCount != 2 || use.TotalCodeSize <= 0 {
		t.Errorf("GetAccountSettings: %+v %+v", lim, use)
	}
	got, err := l.client.GetFunctionConcurrency(ctx, &sdk.GetFunctionConcurrencyInput{FunctionName: aws.String("a")})
	if err != nil || got.ReservedConcurrentExecutions != nil {
		t.Fatalf("GetFunctionConcurrency without a reservation: %v %v", err, got.ReservedConcurrentExecutions)
	}
	if _, err := l.client.PutFunctionConcurrency(ctx, &sdk.PutFunctionConcurrencyInput{FunctionName: aws.String("a"), ReservedConcurrentExecutions: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	got, _ = l.client.GetFunctionConcurrency(ctx, &sdk.GetFunctionConcurrencyInput{FunctionName: aws.String("a")})
	if aws.ToInt32(got.ReservedConcurrentExecutions) != 7 {
		t.Errorf("GetFunctionConcurrency: %v", got.ReservedConcurrentExecutions)
	}
	fn, _ := l.client.GetFunction(ctx, &sdk.GetFunctionInput{FunctionName: aws.String("a")})
	if fn.Concurrency == nil || aws.ToInt32(fn.Concurrency.ReservedConcurrentExecutions) != 7 {
		t.Errorf("GetFunction's Concurrency: %+v", fn.Concurrency)
	}
	acct, _ = l.client.GetAccountSettings(ctx, &sdk.GetAccountSettingsInput{})
	if aws.ToInt32(acct.AccountLimit.UnreservedConcurrentExecutions) != 3 {
		t.Errorf("unreserved after reserving 7 of 10: %d", aws.ToInt32(acct.AccountLimit.UnreservedConcurrentExecutions))
	}
	before := l.snapshot()
	_, err = l.client.PutFunctionConcurrency(ctx, &sdk.PutFunctionConcurrencyInput{FunctionName: aws.String("b"), ReservedConcurrentExecutions: aws.Int32(4)})
	wantAPIError(t, err, "InvalidParameterValueException", "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [0].", 400)
	_, err = l.client.PutFunctionConcurrency(ctx, &sdk.PutFunctionConcurrencyInput{FunctionName: aws.String("b:1"), ReservedConcurrentExecutions: aws.Int32(1)})
	wantAPIError(t, err, "InvalidParameterValueException", "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.", 400)
	_, err = l.client.PutFunctionConcurrency(ctx, &sdk.PutFunctionConcurrencyInput{FunctionName: aws.String("ghost"), ReservedConcurrentExecutions: aws.Int32(1)})
	wantAPIError(t, err, "ResourceNotFoundException", "Function not found: "+fnARN+"ghost:$LATEST", 404)
	if l.snapshot() != before {
		t.Error("a refused PutFunctionConcurrency changed the lab")
	}
	if cfg, _ := l.svc.Config("b"); cfg.ReservedConcurrency != nil {
		t.Errorf("the service reserved %d for b", *cfg.ReservedConcurrency)
	}
}
