// Package labtest starts labs for tests: served on a free loopback port and
// reached with a real aws-sdk-go-v2 client, as any user would reach them.
package labtest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/store"
)

// Lab is a served lab with a client and a recording of its bus.
type Lab struct {
	*emulator.Lab
	Endpoint string
	Client   *s3.Client
	Events   *Recorder
}

// Start builds the lab of labYAML ("" for the default lab), serves it on
// 127.0.0.1 and closes it when the test ends. With LAMBDALAB_TEST_DATA set,
// the lab keeps its objects in a data directory, as `--data` does.
func Start(t testing.TB, labYAML string, opts ...emulator.Option) *Lab {
	t.Helper()
	file := labfile.DefaultFile()
	if labYAML != "" {
		var err error
		file, err = labfile.ParseFile("test-lab.yaml", []byte(labYAML))
		if err != nil {
			t.Fatalf("lab file: %v", err)
		}
	}
	b := bus.New()
	rec := Record(b)
	if os.Getenv("LAMBDALAB_TEST_DATA") != "" {
		// Every lab kept in a data directory (bbolt), as with --data.
		d, err := store.OpenData(t.TempDir())
		if err != nil {
			t.Fatalf("data directory: %v", err)
		}
		opts = append([]emulator.Option{emulator.WithData(d)}, opts...)
	}
	lab, err := emulator.New(file, append([]emulator.Option{emulator.WithBus(b)}, opts...)...)
	if err != nil {
		t.Fatalf("new lab: %v", err)
	}
	endpoint, err := lab.Serve("127.0.0.1:0")
	if err != nil {
		lab.Close()
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(lab.Close)
	return &Lab{Lab: lab, Endpoint: endpoint, Client: Client(endpoint, "test", "test"), Events: rec}
}

// Client returns an SDK client for endpoint with the given credentials.
func Client(endpoint, key, secret string) *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, ""),
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
		// What config.LoadDefaultConfig gives a current SDK.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
	})
}

// Patience bounds every wait in the lab's tests. It guards against a hang
// (and says what never came); it is not an expectation of speed: a test
// waits for what it needs to see, however long a loaded machine takes.
const Patience = 3 * time.Minute

// WaitIdle waits until no event is queued or running.
func (l *Lab) WaitIdle(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Patience)
	defer cancel()
	if err := l.Lab.WaitIdle(ctx); err != nil {
		t.Fatalf("lab did not become idle: %v", err)
	}
}

// Put uploads body to bucket/key with the test client.
func (l *Lab) Put(t testing.TB, bucket, key string, body []byte, contentType string) *s3.PutObjectOutput {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	out, err := l.Client.PutObject(context.Background(), in)
	if err != nil {
		t.Fatalf("put s3://%s/%s: %v", bucket, key, err)
	}
	return out
}

// Get downloads bucket/key.
func (l *Lab) Get(t testing.TB, bucket, key string) (*s3.GetObjectOutput, []byte) {
	t.Helper()
	out, err := l.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get s3://%s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(out.Body); err != nil {
		t.Fatalf("read s3://%s/%s: %v", bucket, key, err)
	}
	return out, buf.Bytes()
}

// Image returns an encoded w×h test image ("png" or "jpeg").
func Image(t testing.TB, w, h int, format string) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 255 / max(w, 1)), uint8(y * 255 / max(h, 1)), uint8((x + y) % 256), 255})
		}
	}
	var buf bytes.Buffer
	var err error
	if format == "jpeg" {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	} else {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Recorder is the bus recorder tests read events from.
type Recorder = bus.Recorder

// Record subscribes to b and keeps what it publishes.
func Record(b *bus.Bus) *Recorder { return bus.Record(b) }

// Of returns the recorded events of type T.
func Of[T bus.Event](r *Recorder) []T {
	var out []T
	for _, ev := range r.All() {
		if e, ok := ev.(T); ok {
			out = append(out, e)
		}
	}
	return out
}

// WaitFor waits until an event of type T satisfying ok arrives and returns
// it.
func WaitFor[T bus.Event](t testing.TB, r *Recorder, ok func(T) bool) T {
	t.Helper()
	deadline := time.After(Patience)
	for {
		for _, ev := range r.Poll() {
			if e, is := ev.(T); is && (ok == nil || ok(e)) {
				return e
			}
		}
		select {
		case <-deadline:
			var zero T
			t.Fatalf("no %T event arrived within %v", zero, Patience)
			return zero
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// AllowS3 lets S3 invoke function for bucket, as `aws lambda
// add-permission --principal s3.amazonaws.com --source-arn
// arn:aws:s3:::BUCKET` does before a trigger may name the function.
func (l *Lab) AllowS3(t testing.TB, function, bucket string) {
	t.Helper()
	client := lambdasdk.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(l.Endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	_, err := client.AddPermission(context.Background(), &lambdasdk.AddPermissionInput{
		FunctionName: aws.String(function), StatementId: aws.String("s3-" + bucket),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"),
		SourceArn: aws.String("arn:aws:s3:::" + bucket)})
	if err != nil {
		t.Fatalf("add-permission for s3 on %s: %v", function, err)
	}
}
