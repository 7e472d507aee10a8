package emulator_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

const demoARN = "arn:aws:lambda:us-east-1:000000000000:function:cis-exercise-demo"

func lambdaConfig(id string, events []types.Event, prefix, suffix string) types.LambdaFunctionConfiguration {
	c := types.LambdaFunctionConfiguration{Id: aws.String(id), LambdaFunctionArn: aws.String(demoARN), Events: events}
	var rules []types.FilterRule
	if prefix != "" {
		rules = append(rules, types.FilterRule{Name: types.FilterRuleNamePrefix, Value: aws.String(prefix)})
	}
	if suffix != "" {
		rules = append(rules, types.FilterRule{Name: types.FilterRuleNameSuffix, Value: aws.String(suffix)})
	}
	if rules != nil {
		c.Filter = &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: rules}}
	}
	return c
}

func putNotification(lab *labtest.Lab, bucket string, cfgs ...types.LambdaFunctionConfiguration) error {
	_, err := lab.Client.PutBucketNotificationConfiguration(context.Background(), &s3.PutBucketNotificationConfigurationInput{
		Bucket:                    aws.String(bucket),
		NotificationConfiguration: &types.NotificationConfiguration{LambdaFunctionConfigurations: cfgs},
	})
	return err
}

func apiError(err error) (code, msg string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return "", ""
}

func TestNotificationValidation(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	put := []types.Event{types.EventS3ObjectCreatedPut}
	all := []types.Event{"s3:ObjectCreated:*"}
	cases := []struct {
		name     string
		cfgs     []types.LambdaFunctionConfiguration
		code     string
		contains string
	}{
		{"same event, no filters", []types.LambdaFunctionConfiguration{lambdaConfig("a", put, "", ""), lambdaConfig("b", put, "", "")},
			"InvalidArgument", "Configurations overlap. Configurations on the same bucket cannot share a common event type."},
		{"wildcard overlaps concrete", []types.LambdaFunctionConfiguration{lambdaConfig("a", all, "", ""), lambdaConfig("b", put, "", "")},
			"InvalidArgument", "Configurations overlap."},
		{"nested prefixes", []types.LambdaFunctionConfiguration{lambdaConfig("a", put, "img/", ""), lambdaConfig("b", put, "img/2024/", "")},
			"InvalidArgument", "Configurations overlap."},
		{"overlapping suffixes", []types.LambdaFunctionConfiguration{lambdaConfig("a", put, "", ".jpg"), lambdaConfig("b", put, "", "photo.jpg")},
			"InvalidArgument", "Configuration is ambiguously defined."},
		{"unknown function", []types.LambdaFunctionConfiguration{{LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:nope"), Events: put}},
			"InvalidArgument", "Unable to validate the following destination configurations"},
		{"unknown event", []types.LambdaFunctionConfiguration{lambdaConfig("a", []types.Event{"s3:ObjectCreated:Upload"}, "", "")},
			"InvalidArgument", "The event is not supported for notifications"},
		{"disjoint prefixes", []types.LambdaFunctionConfiguration{lambdaConfig("a", put, "jpg/", ""), lambdaConfig("b", put, "png/", "")}, "", ""},
		{"disjoint suffixes", []types.LambdaFunctionConfiguration{lambdaConfig("a", put, "", ".jpg"), lambdaConfig("b", put, "", ".png")}, "", ""},
		{"different events", []types.LambdaFunctionConfiguration{lambdaConfig("a", put, "", ""), lambdaConfig("b", []types.Event{"s3:ObjectRemoved:*"}, "", "")}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := putNotification(lab, "cis-examples", tc.cfgs...)
			code, msg := apiError(err)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused a valid configuration: %v", err)
				}
				return
			}
			if code != tc.code || !strings.Contains(msg, tc.contains) {
				t.Fatalf("got %v, want %s containing %q", err, tc.code, tc.contains)
			}
		})
	}
}

func TestNotificationRoundTrip(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	ctx := context.Background()
	want := []types.LambdaFunctionConfiguration{
		lambdaConfig("jpgs", []types.Event{"s3:ObjectCreated:*"}, "uploads/", ".jpg"),
		lambdaConfig("", []types.Event{"s3:ObjectRemoved:Delete"}, "", ""),
	}
	if err := putNotification(lab, "cis-examples", want...); err != nil {
		t.Fatal(err)
	}
	got, err := lab.Client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("cis-examples")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.LambdaFunctionConfigurations) != 2 {
		t.Fatalf("got %d configurations, want 2", len(got.LambdaFunctionConfigurations))
	}
	a, b := got.LambdaFunctionConfigurations[0], got.LambdaFunctionConfigurations[1]
	if aws.ToString(a.Id) != "jpgs" || aws.ToString(a.LambdaFunctionArn) != demoARN || len(a.Filter.Key.FilterRules) != 2 ||
		aws.ToString(a.Filter.Key.FilterRules[1].Value) != ".jpg" {
		t.Errorf("first configuration did not round-trip: %+v", a)
	}
	if aws.ToString(b.Id) == "" {
		t.Error("S3 gives a configuration without Id a generated one")
	}
	// The filter applies: only uploads/*.jpg invoke the function.
	lab.Put(t, "cis-examples", "uploads/cat.png", labtest.Image(t, 8, 8, "png"), "")
	lab.Put(t, "cis-examples", "uploads/cat.jpg", labtest.Image(t, 8, 8, "jpeg"), "")
	lab.WaitIdle(t)
	emitted := labtest.Of[bus.EventEmitted](lab.Events)
	if len(emitted) != 1 || emitted[0].Key != "uploads/cat.jpg" {
		t.Errorf("emitted %+v, want one event for uploads/cat.jpg", emitted)
	}
	// An empty configuration removes every trigger.
	if err := putNotification(lab, "cis-examples"); err != nil {
		t.Fatal(err)
	}
	got, _ = lab.Client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("cis-examples")})
	if len(got.LambdaFunctionConfigurations) != 0 {
		t.Errorf("empty PUT left %d configurations", len(got.LambdaFunctionConfigurations))
	}
}

func TestNotificationOnMissingBucketAndMalformedXML(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	err := putNotification(lab, "no-such-bucket", lambdaConfig("a", []types.Event{"s3:ObjectCreated:*"}, "", ""))
	if code, _ := apiError(err); code != "NoSuchBucket" {
		t.Errorf("missing bucket: %v, want NoSuchBucket", err)
	}
	resp := rawRequest(t, http.MethodPut, lab.Endpoint+"/cis-examples?notification", "", "<NotificationConfiguration><oops")
	if resp.status != 400 || !strings.Contains(resp.body, "<Code>MalformedXML</Code>") {
		t.Errorf("malformed XML: %d %s", resp.status, resp.body)
	}
	// The bucket still exists and still has its trigger.
	got, err := lab.Client.GetBucketNotificationConfiguration(context.Background(), &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("cis-examples")})
	if err != nil || len(got.LambdaFunctionConfigurations) != 1 {
		t.Errorf("after a malformed PUT the trigger is gone: %v %+v", err, got)
	}
}

type rawResponse struct {
	status int
	header http.Header
	body   string
}

func rawRequest(t *testing.T, method, url, host, body string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResponse{resp.StatusCode, resp.Header, string(b)}
}

func TestVirtualHostStyle(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	port := lab.Endpoint[strings.LastIndex(lab.Endpoint, ":")+1:]
	host := "cis-examples.localhost:" + port
	if r := rawRequest(t, http.MethodPut, lab.Endpoint+"/notes/hello.txt", host, "hi there"); r.status != 200 {
		t.Fatalf("virtual-host PUT: %d %s", r.status, r.body)
	}
	r := rawRequest(t, http.MethodGet, lab.Endpoint+"/notes/hello.txt", host, "")
	if r.status != 200 || r.body != "hi there" {
		t.Fatalf("virtual-host GET: %d %q", r.status, r.body)
	}
	// The same object, path-style.
	if r := rawRequest(t, http.MethodGet, lab.Endpoint+"/cis-examples/notes/hello.txt", "", ""); r.body != "hi there" {
		t.Errorf("path-style GET: %d %q", r.status, r.body)
	}
	// Listing the bucket virtual-host style.
	if r := rawRequest(t, http.MethodGet, lab.Endpoint+"/?list-type=2", host, ""); !strings.Contains(r.body, "<Key>notes/hello.txt</Key>") {
		t.Errorf("virtual-host list: %s", r.body)
	}
}

func TestErrorResponsesCarryAWSMessageAndIDs(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	r := rawRequest(t, http.MethodGet, lab.Endpoint+"/cis-examples/missing.png", "", "")
	reqID := r.header.Get("x-amz-request-id")
	if r.status != 404 || reqID == "" || r.header.Get("x-amz-id-2") == "" {
		t.Fatalf("status %d, ids %q %q", r.status, reqID, r.header.Get("x-amz-id-2"))
	}
	for _, want := range []string{"<Code>NoSuchKey</Code>", "<Message>The specified key does not exist.</Message>",
		"<Key>missing.png</Key>", "<RequestId>" + reqID + "</RequestId>"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("error body lacks %s:\n%s", want, r.body)
		}
	}
	_, err := lab.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("nope-bucket"), Key: aws.String("k")})
	if code, msg := apiError(err); code != "NoSuchBucket" || msg != "The specified bucket does not exist" {
		t.Errorf("got %q %q", code, msg)
	}
}

func TestCreateExistingBucketInUSEast1(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	if _, err := lab.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("cis-examples")}); err != nil {
		t.Errorf("us-east-1 answers 200 to the owner re-creating a bucket; got %v", err)
	}
}

func TestUnsupportedSubresourcesAreNotMistakenForBucketCalls(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	// gofakes3 would route PUT ?acl to CreateBucket; we answer NotImplemented.
	if r := rawRequest(t, http.MethodPut, lab.Endpoint+"/cis-examples?acl", "", ""); r.status != 501 {
		t.Errorf("PUT ?acl: %d %s", r.status, r.body)
	}
	pab, err := lab.Client.GetPublicAccessBlock(context.Background(), &s3.GetPublicAccessBlockInput{Bucket: aws.String("cis-examples")})
	if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) || !aws.ToBool(pab.PublicAccessBlockConfiguration.RestrictPublicBuckets) {
		t.Errorf("Block Public Access is on for new buckets: %v %+v", err, pab)
	}
	_, err = lab.Client.GetBucketPolicy(context.Background(), &s3.GetBucketPolicyInput{Bucket: aws.String("cis-examples")})
	if code, _ := apiError(err); code != "NoSuchBucketPolicy" {
		t.Errorf("GetBucketPolicy: %v", err)
	}
}
