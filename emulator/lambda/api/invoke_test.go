package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// decodeTail decodes X-Amz-Log-Result.
func decodeTail(t *testing.T, s *string) string {
	t.Helper()
	if s == nil {
		t.Fatal("no X-Amz-Log-Result")
	}
	b, err := base64.StdEncoding.DecodeString(aws.ToString(s))
	if err != nil {
		t.Fatalf("X-Amz-Log-Result is not base64: %v", err)
	}
	return string(b)
}

func TestInvokeRequestResponseWithTail(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	res, err := l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("demo"), LogType: types.LogTypeTail,
		Payload: []byte(`{"Records":[]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || string(res.Payload) != `{"Records":[]}` || res.FunctionError != nil || aws.ToString(res.ExecutedVersion) != "$LATEST" {
		t.Errorf("Invoke: status %d, payload %s, error %v, version %v", res.StatusCode, res.Payload, res.FunctionError, res.ExecutedVersion)
	}
	log := decodeTail(t, res.LogResult)
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "START RequestId: ") || !strings.HasSuffix(lines[0], " Version: $LATEST") ||
		!strings.HasPrefix(lines[len(lines)-2], "END RequestId: ") || !strings.HasPrefix(lines[len(lines)-1], "REPORT RequestId: ") {
		t.Fatalf("the tail is not START … END REPORT:\n%s", log)
	}
	if !strings.Contains(log, `echo.handler got {"Records":[]}`) {
		t.Errorf("the tail misses the handler's line:\n%s", log)
	}
	id := strings.Fields(lines[0])[2]
	if !strings.Contains(lines[len(lines)-1], id) {
		t.Errorf("REPORT names another request than START %s: %s", id, lines[len(lines)-1])
	}
}

func TestInvokeTailKeepsTheLast4KB(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	big := `{"pad":"` + strings.Repeat("x", 6000) + `"}`
	res, err := l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("demo"), LogType: types.LogTypeTail, Payload: []byte(big)})
	if err != nil {
		t.Fatal(err)
	}
	log := decodeTail(t, res.LogResult)
	if len(log) != 4096 || !strings.Contains(log, "REPORT RequestId: ") || strings.Contains(log, "START RequestId") {
		t.Errorf("tail of %d bytes (want the last 4096, REPORT without START):\n%.200s", len(log), log)
	}
}

func TestInvokeFunctionErrorIsUnhandled(t *testing.T) {
	l := newLab(t)
	l.create("failing", "fail.handler")
	res, err := l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("failing"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ ErrorMessage, ErrorType string }
	json.Unmarshal(res.Payload, &doc)
	if res.StatusCode != 200 || aws.ToString(res.FunctionError) != "Unhandled" || doc.ErrorMessage != "it failed on purpose" || doc.ErrorType != "errorString" {
		t.Errorf("a failing function: status %d, FunctionError %v, payload %s", res.StatusCode, res.FunctionError, res.Payload)
	}
	if res.LogResult != nil {
		t.Error("a log tail without LogType Tail")
	}
}

func TestInvokeEventAndDryRun(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	res, err := l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("demo"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"n":1}`)})
	if err != nil || res.StatusCode != 202 {
		t.Fatalf("Event: %v, status %d", err, res.StatusCode)
	}
	if err := l.svc.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if m, _ := l.svc.Metrics("demo"); m.Invocations != 1 || m.AsyncEventsReceived != 1 {
		t.Errorf("after an Event invoke: %+v", m)
	}
	res, err = l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("demo"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || res.StatusCode != 204 {
		t.Fatalf("DryRun: %v, status %d", err, res.StatusCode)
	}
	if m, _ := l.svc.Metrics("demo"); m.Invocations != 1 {
		t.Errorf("DryRun ran the function: %+v", m)
	}
	_, err = l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("ghost"), InvocationType: types.InvocationTypeDryRun})
	wantAPIError(t, err, "ResourceNotFoundException", "Function not found: "+fnARN+"ghost", 404)
}

func TestInvokeRefusesAPayloadThatIsNotJSON(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	_, err := l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("demo"), Payload: []byte(`{"a":`)})
	wantAPIError(t, err, "InvalidRequestContentException", "", 400)
	if m, _ := l.svc.Metrics("demo"); m.Invocations != 0 {
		t.Errorf("a refused payload ran the function: %+v", m)
	}
}

func TestNoConcurrencyThrottlesASynchronousInvoke(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	if _, err := l.client.PutFunctionConcurrency(ctx, &sdk.PutFunctionConcurrencyInput{FunctionName: aws.String("demo"),
		ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err := l.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("demo"), Payload: []byte(`{}`)})
	wantAPIError(t, err, "TooManyRequestsException", "Rate Exceeded.", 429)
	var tm *types.TooManyRequestsException
	if !asError(err, &tm) || tm.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Errorf("the throttle's Reason: %v", err)
	}
	if m, _ := l.svc.Metrics("demo"); m.Throttles != 1 || m.Invocations != 0 {
		t.Errorf("metrics after the throttle: %+v", m)
	}
	if _, err := l.client.DeleteFunctionConcurrency(ctx, &sdk.DeleteFunctionConcurrencyInput{FunctionName: aws.String("demo")}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("demo"), Payload: []byte(`{}`)}); err != nil {
		t.Errorf("invoke once the reservation is gone: %v", err)
	}
}
