package store_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/store"
)

// TestEventOfAnInterruptedWrite: the lab stops after an upload's object is
// stored and before its event is queued (a panic there, as a kill -9 would
// stop it). After the restart the event is delivered, and the function
// makes the thumbnail; an upload that finished normally is not delivered a
// second time.
func TestEventOfAnInterruptedWrite(t *testing.T) {
	dir := t.TempDir()
	d, err := store.OpenData(dir)
	if err != nil {
		t.Fatal(err)
	}
	d.SetAfterPut(func(bucket, key string) {
		if key == "crash.png" {
			panic("stopped between storing the object and queueing its event")
		}
	})
	l, client := startInternal(t, d, bus.New())
	var img bytes.Buffer
	png.Encode(&img, image.NewGray(image.Rect(0, 0, 40, 30)))
	put := func(key string) error {
		_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("cis-examples"), Key: aws.String(key),
			Body: bytes.NewReader(img.Bytes())})
		return err
	}
	if err := put("fine.png"); err != nil {
		t.Fatal(err)
	}
	var re *awshttp.ResponseError
	if err := put("crash.png"); !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Fatalf("the interrupted upload: %v", err)
	}
	waitIdle(t, l)
	l.Close()

	d, err = store.OpenData(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := bus.New()
	rec := bus.Record(b)
	l, client = startInternal(t, d, b)
	waitIdle(t, l)
	delivered := map[string]int{}
	for _, e := range rec.All() {
		if e, ok := e.(bus.EventEmitted); ok {
			delivered[e.Key]++
		}
	}
	if delivered["crash.png"] != 1 || delivered["fine.png"] != 0 {
		t.Errorf("events after the restart: %v, want crash.png's alone", delivered)
	}
	if _, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("cis-examples-output"), Key: aws.String("crash.png")}); err != nil {
		t.Errorf("no thumbnail of crash.png after the restart: %v", err)
	}
}

// startInternal starts the default lab on d, served on loopback, with a
// client of it.
func startInternal(t *testing.T, d *store.Data, b *bus.Bus) (*emulator.Lab, *s3.Client) {
	t.Helper()
	l, err := emulator.New(labfile.DefaultFile(), emulator.WithData(d), emulator.WithBus(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	endpoint, err := l.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l, s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: awscreds.NewStaticCredentialsProvider("test", "test", ""), HTTPClient: &http.Client{Timeout: 30 * time.Second},
		RetryMaxAttempts: 1})
}

func waitIdle(t *testing.T, l *emulator.Lab) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}
