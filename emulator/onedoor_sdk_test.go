package emulator_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3t "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// importError is what the seed's code logs without Pillow.
const importError = "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'PIL'"

// TestExerciseFromScratchWithTheGoSDK: the whole exercise through
// aws-sdk-go-v2 against the empty lab: buckets, role, function, the S3
// permission and trigger; the upload fails to import PIL (in the logs);
// with the Pillow layer the next upload makes a 300x300 PNG; a synchronous
// invoke with the console's S3 test event answers 200 with the log tail.
func TestExerciseFromScratchWithTheGoSDK(t *testing.T) {
	l := emptyLab(t)
	c := apisFor(l.Endpoint)
	ctx := context.Background()
	for _, b := range []string{exInput, exOutput} {
		if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("create bucket %s: %v", b, err)
		}
	}
	createExerciseFunction(t, c)
	addTrigger(t, c)

	upload(t, c, "lambda.png")
	ended := labtest.WaitFor(t, l.Events, func(e bus.InvocationEnded) bool { return e.Function == exFunction })
	if ended.Status == "ok" || !strings.Contains(ended.Error, "Runtime.ImportModuleError") {
		t.Fatalf("the first upload: %s %s, want Runtime.ImportModuleError", ended.Status, ended.Error)
	}
	logs, err := c.Logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(exLogGroup)})
	if err != nil {
		t.Fatalf("filter-log-events: %v", err)
	}
	if !hasMessage(logs, importError) || !hasMessage(logs, "REPORT RequestId: "+ended.RequestID) {
		t.Fatalf("the log group lacks the import error and the REPORT of %s:\n%s", ended.RequestID, messages(logs))
	}

	layer, err := c.Lambda.PublishLayerVersion(ctx, &lambdasdk.PublishLayerVersionInput{LayerName: aws.String("pillow"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: pillowZip(t)}, CompatibleRuntimes: []lambdatypes.Runtime{"python3.12"}})
	if err != nil {
		t.Fatalf("publish-layer-version: %v", err)
	}
	if got := aws.ToString(layer.LayerVersionArn); got != "arn:aws:lambda:us-east-1:000000000000:layer:pillow:1" {
		t.Errorf("layer version ARN %s", got)
	}
	if _, err := c.Lambda.UpdateFunctionConfiguration(ctx, &lambdasdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(exFunction), Layers: []string{aws.ToString(layer.LayerVersionArn)}}); err != nil {
		t.Fatalf("update-function-configuration: %v", err)
	}
	waitUpdated(t, c)
	upload(t, c, "lambda.png")
	labtest.WaitFor(t, l.Events, func(e bus.ObjectChanged) bool { return e.Bucket == exOutput && e.Key == "lambda.png" })
	if w, h := outputSize(t, c, "lambda.png"); w != 300 || h != 300 {
		t.Errorf("the thumbnail is %dx%d, want 300x300", w, h)
	}
	invokeTestEvent(t, c)
}

func addTrigger(t *testing.T, c apis) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.Lambda.AddPermission(ctx, &lambdasdk.AddPermissionInput{FunctionName: aws.String(exFunction),
		StatementId: aws.String("s3invoke"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"),
		SourceArn: aws.String("arn:aws:s3:::" + exInput), SourceAccount: aws.String("000000000000")}); err != nil {
		t.Fatalf("add-permission: %v", err)
	}
	if _, err := c.S3.PutBucketNotificationConfiguration(ctx, exerciseNotification()); err != nil {
		t.Fatalf("put-bucket-notification-configuration: %v", err)
	}
}

// exerciseNotification is notification.json as the SDK sends it.
func exerciseNotification() *s3.PutBucketNotificationConfigurationInput {
	return &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(exInput),
		NotificationConfiguration: &s3t.NotificationConfiguration{LambdaFunctionConfigurations: []s3t.LambdaFunctionConfiguration{{
			Id: aws.String("resize-on-put"), Events: []s3t.Event{"s3:ObjectCreated:Put"},
			LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:" + exFunction)}}}}
}

func waitUpdated(t *testing.T, c apis) {
	t.Helper()
	w := lambdasdk.NewFunctionUpdatedV2Waiter(c.Lambda, func(o *lambdasdk.FunctionUpdatedV2WaiterOptions) { o.MinDelay = 100e6 })
	if err := w.Wait(context.Background(), &lambdasdk.GetFunctionInput{FunctionName: aws.String(exFunction)}, labtest.Patience); err != nil {
		t.Fatalf("wait function-updated-v2: %v", err)
	}
}

func upload(t *testing.T, c apis, key string) {
	t.Helper()
	if _, err := c.S3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(exInput), Key: aws.String(key),
		Body: bytes.NewReader(labtest.Image(t, 640, 480, "png")), ContentType: aws.String("image/png")}); err != nil {
		t.Fatalf("upload %s: %v", key, err)
	}
}

func outputSize(t *testing.T, c apis, key string) (int, int) {
	t.Helper()
	out, err := c.S3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(exOutput), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	cfg, err := png.DecodeConfig(out.Body)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", key, err)
	}
	return cfg.Width, cfg.Height
}

// invokeTestEvent invokes the function with event.json (the console's
// s3-put test event, naming lambda.png) and a log tail.
func invokeTestEvent(t *testing.T, c apis) {
	t.Helper()
	out, err := c.Lambda.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String(exFunction),
		Payload: exerciseFile(t, "event.json"), LogType: lambdatypes.LogTypeTail})
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatalf("LogResult is not base64: %v", err)
	}
	if out.StatusCode != 200 || out.FunctionError != nil || string(out.Payload) != "null" {
		t.Errorf("invoke: status %d, function error %v, payload %s\n%s", out.StatusCode, aws.ToString(out.FunctionError), out.Payload, tail)
	}
	checkTail(t, string(tail))
}

// checkTail checks a log tail holds one invocation's START, END and REPORT.
func checkTail(t *testing.T, tail string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(tail), "\n")
	start, end, report := lines[0], "", lines[len(lines)-1]
	if len(lines) >= 2 {
		end = lines[len(lines)-2]
	}
	id, ok := strings.CutPrefix(start, "START RequestId: ")
	id, _, _ = strings.Cut(id, " ")
	if !ok || end != "END RequestId: "+id || !strings.HasPrefix(report, "REPORT RequestId: "+id+"\tDuration: ") {
		t.Errorf("the log tail is not START … END … REPORT of one request:\n%s", tail)
	}
}

func hasMessage(out *cloudwatchlogs.FilterLogEventsOutput, prefix string) bool {
	for _, e := range out.Events {
		if strings.HasPrefix(aws.ToString(e.Message), prefix) {
			return true
		}
	}
	return false
}

func messages(out *cloudwatchlogs.FilterLogEventsOutput) string {
	var b strings.Builder
	for _, e := range out.Events {
		b.WriteString(aws.ToString(e.Message) + "\n")
	}
	return b.String()
}

// TestCodeLocationDownloadsThePackage: GetFunction's Code.Location (and a
// layer version's Content.Location) downloads the package, as on AWS; a
// Location read before the code changed leads nowhere.
func TestCodeLocationDownloadsThePackage(t *testing.T) {
	l := emptyLab(t)
	c := apisFor(l.Endpoint)
	ctx := context.Background()
	createExerciseFunction(t, c)
	first := functionLocation(t, c)
	if got := download(t, first, http.StatusOK); !bytes.Equal(got, functionZip(t)) {
		t.Errorf("Code.Location gave %d bytes, not function.zip", len(got))
	}
	other := zipOf(t, map[string][]byte{"lambda_function.py": []byte("def lambda_handler(e, c):\n    return 1\n")})
	if _, err := c.Lambda.UpdateFunctionCode(ctx, &lambdasdk.UpdateFunctionCodeInput{FunctionName: aws.String(exFunction), ZipFile: other}); err != nil {
		t.Fatal(err)
	}
	waitUpdated(t, c)
	if got := download(t, functionLocation(t, c), http.StatusOK); !bytes.Equal(got, other) {
		t.Errorf("after update-function-code, Code.Location gave %d bytes, not the new package", len(got))
	}
	if got := download(t, first, http.StatusNotFound); !bytes.Contains(got, []byte("<Code>NoSuchKey</Code>")) {
		t.Errorf("the old Location: %s", got)
	}
	content := zipOf(t, map[string][]byte{"python/hello.py": []byte("X = 1\n")})
	layer, err := c.Lambda.PublishLayerVersion(ctx, &lambdasdk.PublishLayerVersionInput{LayerName: aws.String("hello"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: content}})
	if err != nil {
		t.Fatal(err)
	}
	if got := download(t, aws.ToString(layer.Content.Location), http.StatusOK); !bytes.Equal(got, content) {
		t.Errorf("the layer's Content.Location gave %d bytes, not its zip", len(got))
	}
}

func functionLocation(t *testing.T, c apis) string {
	t.Helper()
	out, err := c.Lambda.GetFunction(context.Background(), &lambdasdk.GetFunctionInput{FunctionName: aws.String(exFunction)})
	if err != nil {
		t.Fatalf("get-function: %v", err)
	}
	return aws.ToString(out.Code.Location)
}

// download GETs url as curl would (unsigned) and wants status.
func download(t *testing.T, url string, status int) []byte {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		t.Fatalf("GET %s: %s, want %d\n%s", url, res.Status, status, body)
	}
	return body
}
