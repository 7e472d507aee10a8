package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithymw "github.com/aws/smithy-go/middleware"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/lambda"
)

// echoLab sends every object event of bucket "in" to an echo function, so
// the test sees exactly what a handler receives.
const echoLab = `
buckets:
  - name: inbox
  - name: versioned-in
functions:
  - name: echo
    handler: echo
triggers:
  - id: created
    bucket: inbox
    function: echo
    events: [s3:ObjectCreated:*]
  - id: removed
    bucket: inbox
    function: echo
    events: [s3:ObjectRemoved:*]
  - id: all
    bucket: versioned-in
    function: echo
    events: [s3:ObjectCreated:*, s3:ObjectRemoved:*]
`

func TestExerciseEndToEnd(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	key := "holiday photos/my photo+1.jpg"
	lab.Put(t, "cis-examples", key, labtest.Image(t, 800, 600, "jpeg"), "image/jpeg")
	lab.WaitIdle(t)

	out, body := lab.Get(t, "cis-examples-output", key)
	if got := aws.ToString(out.ContentType); got != "image/png" {
		t.Errorf("output content type = %q, want image/png", got)
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("output is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 300 || b.Dy() != 300 {
		t.Errorf("output is %dx%d, want 300x300", b.Dx(), b.Dy())
	}
	ended := labtest.Of[bus.InvocationEnded](lab.Events)
	if len(ended) != 1 || ended[0].Status != "ok" {
		t.Fatalf("invocations = %+v, want one ok", ended)
	}
}

func requestIDs(t *testing.T, md smithymw.Metadata) (string, string) {
	t.Helper()
	reqID, _ := awsmw.GetRequestIDMetadata(md)
	hostID, _ := s3.GetHostIDMetadata(md)
	if reqID == "" || hostID == "" {
		t.Fatalf("response lacks x-amz-request-id / x-amz-id-2 (%q, %q)", reqID, hostID)
	}
	return reqID, hostID
}

// TestEventRecordFields decodes the event a handler receives with
// aws-lambda-go's events.S3Event and checks every field FIDELITY.md lists.
func TestEventRecordFields(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, echoLab)
	body := []byte("hello, lambda")
	key := "my photo+1.png"
	put := lab.Put(t, "inbox", key, body, "image/png")
	reqID, hostID := requestIDs(t, put.ResultMetadata)
	lab.WaitIdle(t)

	ended := labtest.Of[bus.InvocationEnded](lab.Events)
	if len(ended) != 1 {
		t.Fatalf("got %d invocations, want 1", len(ended))
	}
	raw := ended[0].Result // echo returns the event it received
	var ev events.S3Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("handler result is not an S3 event: %v\n%s", err, raw)
	}
	if len(ev.Records) != 1 {
		t.Fatalf("records = %d, want 1", len(ev.Records))
	}
	r := ev.Records[0]
	check := func(field string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", field, got, want)
		}
	}
	check("eventVersion", r.EventVersion, "2.1")
	check("eventSource", r.EventSource, "aws:s3")
	check("awsRegion", r.AWSRegion, "us-east-1")
	check("eventName", r.EventName, "ObjectCreated:Put")
	check("userIdentity.principalId", r.PrincipalID.PrincipalID != "", true)
	check("requestParameters.sourceIPAddress", r.RequestParameters.SourceIPAddress, "127.0.0.1")
	check("responseElements.x-amz-request-id", r.ResponseElements["x-amz-request-id"], reqID)
	check("responseElements.x-amz-id-2", r.ResponseElements["x-amz-id-2"], hostID)
	check("s3.s3SchemaVersion", r.S3.SchemaVersion, "1.0")
	check("s3.configurationId", r.S3.ConfigurationID, "created")
	check("s3.bucket.name", r.S3.Bucket.Name, "inbox")
	check("s3.bucket.ownerIdentity.principalId", r.S3.Bucket.OwnerIdentity.PrincipalID != "", true)
	check("s3.bucket.arn", r.S3.Bucket.Arn, "arn:aws:s3:::inbox")
	check("s3.object.key", r.S3.Object.Key, "my+photo%2B1.png")
	check("s3.object.urlDecodedKey", r.S3.Object.URLDecodedKey, key)
	check("s3.object.size", r.S3.Object.Size, int64(len(body)))
	check("s3.object.eTag", r.S3.Object.ETag, strings.Trim(aws.ToString(put.ETag), `"`))
	check("s3.object.versionId", r.S3.Object.VersionID, "")
	if !regexp.MustCompile(`^[0-9A-F]{18}$`).MatchString(r.S3.Object.Sequencer) {
		t.Errorf("sequencer %q is not 18 upper-case hex digits", r.S3.Object.Sequencer)
	}
	// eventTime: ISO-8601 UTC with milliseconds and Z, in the raw JSON.
	var rawRec struct {
		Records []struct {
			EventTime string `json:"eventTime"`
		}
	}
	_ = json.Unmarshal(raw, &rawRec)
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(rawRec.Records[0].EventTime) {
		t.Errorf("eventTime %q is not ISO-8601 with milliseconds", rawRec.Records[0].EventTime)
	}
	if d := time.Since(r.EventTime); d < 0 || d > time.Minute {
		t.Errorf("eventTime %v is not now", r.EventTime)
	}
	// The payload S3 emitted is exactly what the handler received.
	emitted := labtest.Of[bus.EventEmitted](lab.Events)
	if len(emitted) != 1 || !bytes.Equal(emitted[0].Payload, raw) {
		t.Errorf("handler received a different payload than S3 emitted:\n%s\n%s", emitted[0].Payload, raw)
	}
}

// TestSequencerIncreasesPerKey writes the same key three times and deletes
// it: each event's sequencer is greater than the last.
func TestSequencerIncreasesPerKey(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, echoLab)
	for i := 0; i < 3; i++ {
		lab.Put(t, "inbox", "k", []byte{byte(i)}, "")
	}
	if _, err := lab.Client.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String("inbox"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	lab.WaitIdle(t)
	var seqs []string
	for _, e := range labtest.Of[bus.ObjectChanged](lab.Events) {
		seqs = append(seqs, e.Sequencer)
	}
	if len(seqs) != 4 {
		t.Fatalf("changes = %d, want 4", len(seqs))
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Errorf("sequencer %s after %s does not increase", seqs[i], seqs[i-1])
		}
	}
}

func TestEventNames(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, echoLab)
	ctx := context.Background()
	c := lab.Client
	lab.Put(t, "inbox", "a.txt", []byte("a"), "text/plain")
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("inbox"), Key: aws.String("b.txt"), CopySource: aws.String("inbox/a.txt")}); err != nil {
		t.Fatal(err)
	}
	part := bytes.Repeat([]byte("x"), 5<<20)
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("inbox"), Key: aws.String("big.bin")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []s3types
	for n := int32(1); n <= 2; n++ {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("inbox"), Key: aws.String("big.bin"), UploadId: mp.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(part)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s3types{n, aws.ToString(up.ETag)})
	}
	done, err := c.CompleteMultipartUpload(ctx, completeInput("inbox", "big.bin", mp.UploadId, parts))
	if err != nil {
		t.Fatal(err)
	}
	postObject(t, lab.Endpoint+"/inbox", "form/c.txt", []byte("posted"))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("inbox"), Key: aws.String("a.txt")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObjects(ctx, deleteInput("inbox", "b.txt", "big.bin")); err != nil {
		t.Fatal(err)
	}
	// Versioned bucket: a plain delete creates a delete marker.
	if _, err := c.PutBucketVersioning(ctx, versioningInput("versioned-in")); err != nil {
		t.Fatal(err)
	}
	lab.Put(t, "versioned-in", "v.txt", []byte("v1"), "")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("versioned-in"), Key: aws.String("v.txt")}); err != nil {
		t.Fatal(err)
	}
	lab.WaitIdle(t)

	var got []string
	var mpETag string
	for _, e := range labtest.Of[bus.EventEmitted](lab.Events) {
		got = append(got, e.EventName+" "+e.Bucket+"/"+e.Key)
		if e.EventName == "ObjectCreated:CompleteMultipartUpload" {
			var ev events.S3Event
			_ = json.Unmarshal(e.Payload, &ev)
			mpETag = ev.Records[0].S3.Object.ETag
			if ev.Records[0].S3.Object.Size != 10<<20 {
				t.Errorf("multipart event size = %d, want %d", ev.Records[0].S3.Object.Size, 10<<20)
			}
		}
	}
	want := []string{
		"ObjectCreated:Put inbox/a.txt",
		"ObjectCreated:Copy inbox/b.txt",
		"ObjectCreated:CompleteMultipartUpload inbox/big.bin",
		"ObjectCreated:Post inbox/form/c.txt",
		"ObjectRemoved:Delete inbox/a.txt",
		"ObjectRemoved:Delete inbox/b.txt",
		"ObjectRemoved:Delete inbox/big.bin",
		"ObjectCreated:Put versioned-in/v.txt",
		"ObjectRemoved:DeleteMarkerCreated versioned-in/v.txt",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if want := strings.Trim(aws.ToString(done.ETag), `"`); mpETag != want || !strings.HasSuffix(mpETag, "-2") {
		t.Errorf("multipart event eTag = %q, want the completion's %q (ending -2)", mpETag, want)
	}
}

func TestInvalidBucketNames(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, echoLab)
	for _, name := range []string{"My_Bucket", "xn--bucket", "bucket-s3alias", "ab", "192.168.1.1", "a..b", "-start"} {
		_, err := lab.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidBucketName" || ae.ErrorMessage() != "The specified bucket is not valid." {
			t.Errorf("CreateBucket(%q) = %v, want InvalidBucketName: The specified bucket is not valid.", name, err)
		}
	}
	// The lab still answers.
	if _, err := lab.Client.ListBuckets(context.Background(), &s3.ListBucketsInput{}); err != nil {
		t.Fatal(err)
	}
}

// TestUpdateFunctionWhileTriggersAreChecked: the console edits a function's
// environment while another goroutine (as an S3 request adding a trigger
// does) checks the trigger's recursion risk, which reads that environment:
// under -race, no data race, and the risk follows the edit.
func TestUpdateFunctionWhileTriggersAreChecked(t *testing.T) {
	t.Parallel()
	l := labtest.Start(t, "")
	const fn = "cis-exercise-demo"
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 50 {
			out := "cis-examples-output"
			if i%2 == 0 {
				out = "cis-examples"
			}
			if err := l.UpdateFunction(fn, func(c *lambda.Config) { c.Environment["OUTPUT_BUCKET"] = out }); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Go(func() {
		for range 50 {
			l.TriggerRisk("cis-examples", fn)
		}
	})
	wg.Wait()
	// The last edit (i = 49) points the output back at the other bucket.
	if risk := l.TriggerRisk("cis-examples", fn); risk != "" {
		t.Errorf("risk after the last edit: %q", risk)
	}
	if err := l.UpdateFunction(fn, func(c *lambda.Config) { c.Environment["OUTPUT_BUCKET"] = "cis-examples" }); err != nil {
		t.Fatal(err)
	}
	if risk := l.TriggerRisk("cis-examples", fn); !strings.Contains(risk, "cis-examples") {
		t.Errorf("no risk once the function writes where it is triggered: %q", risk)
	}
}
