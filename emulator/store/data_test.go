package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/store"
)

// startData serves the default lab kept in dir.
func startData(t *testing.T, dir string, opts ...emulator.Option) *labtest.Lab {
	t.Helper()
	d, err := store.OpenData(dir)
	if err != nil {
		t.Fatal(err)
	}
	return labtest.Start(t, "", append(opts, emulator.WithData(d))...)
}

// TestDataSurvivesRestart: objects, a trigger set over the API, a role
// policy and a function setting changed at runtime are all back after the
// lab restarts on the same directory, and a deleted lab bucket stays deleted.
func TestDataSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	l := startData(t, dir)
	photo := labtest.Image(t, 640, 480, "jpeg")
	l.Put(t, "cis-examples", "photos/cat.jpg", photo, "image/jpeg")
	l.WaitIdle(t)
	if _, err := l.Client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("notes")}); err != nil {
		t.Fatal(err)
	}
	l.Put(t, "notes", "a b+c.txt", []byte("kept"), "text/plain")
	l.AllowS3(t, "cis-exercise-demo", "notes")
	cfg := &types.NotificationConfiguration{LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{
		Id:                aws.String("notes-trigger"),
		LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:cis-exercise-demo"),
		Events:            []types.Event{"s3:ObjectCreated:*"},
	}}}
	if _, err := l.Client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String("notes"), NotificationConfiguration: cfg}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	if err := l.SetRolePolicy("cis-exercise-demo", []byte(policy)); err != nil {
		t.Fatal(err)
	}
	if err := l.UpdateFunction("cis-exercise-demo", func(c *lambda.Config) { c.Memory = 512; c.Environment["EXTRA"] = "1" }); err != nil {
		t.Fatal(err)
	}
	l.Close()

	l = startData(t, dir)
	restored := labtest.WaitFor(t, l.Events, func(bus.DataRestored) bool { return true })
	if restored.Buckets != 3 || restored.MadeFrom != "default" {
		t.Errorf("restored: %+v", restored)
	}
	if _, body := l.Get(t, "cis-examples", "photos/cat.jpg"); !bytes.Equal(body, photo) {
		t.Error("the photo changed across the restart")
	}
	if _, body := l.Get(t, "notes", "a b+c.txt"); string(body) != "kept" {
		t.Errorf("notes/a b+c.txt = %q", body)
	}
	if _, body := l.Get(t, "cis-examples-output", "photos/cat.jpg"); len(body) == 0 {
		t.Error("the thumbnail is gone")
	}
	got, err := l.Client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("notes")})
	if err != nil || len(got.LambdaFunctionConfigurations) != 1 || aws.ToString(got.LambdaFunctionConfigurations[0].Id) != "notes-trigger" {
		t.Errorf("notes trigger after restart: %+v %v", got, err)
	}
	if _, p := l.RolePolicy("cis-exercise-demo"); p == nil || !p.Evaluate("s3:DeleteBucket", "arn:aws:s3:::notes").Allowed {
		t.Errorf("role policy after restart: %+v", p)
	}
	if c, _ := l.Lambda().Config("cis-exercise-demo"); c.Memory != 512 || c.Environment["EXTRA"] != "1" {
		t.Errorf("function config after restart: %+v", c)
	}

	// Removing a trigger and deleting a lab bucket are kept too: the lab
	// file does not bring them back.
	if _, err := l.Client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String("cis-examples"), NotificationConfiguration: &types.NotificationConfiguration{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("cis-examples-output"), Key: aws.String("photos/cat.jpg")}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("cis-examples-output")}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	l = startData(t, dir)
	got, err = l.Client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("cis-examples")})
	if err != nil || len(got.LambdaFunctionConfigurations) != 0 {
		t.Errorf("removed trigger came back: %+v %v", got, err)
	}
	if _, err := l.Client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("cis-examples-output")}); err == nil {
		t.Error("the deleted bucket came back")
	}
}

// TestDataDeliversQueuedEvents: events accepted before the lab stopped
// (here: on a virtual clock that never ran them) are delivered after it
// restarts on the same directory, once each.
func TestDataDeliversQueuedEvents(t *testing.T) {
	dir := t.TempDir()
	// Started now: events older than the function's maximum event age (6 h)
	// would be dropped after the restart, as Lambda drops them.
	virtual := clock.NewVirtual(time.Now())
	l := startData(t, dir, emulator.WithClock(virtual))
	const n = 5
	for i := range n {
		l.Put(t, "cis-examples", fmt.Sprintf("queued-%d.png", i), labtest.Image(t, 400, 300, "png"), "image/png")
	}
	if q := len(labtest.Of[bus.InvocationQueued](l.Events)); q != n {
		t.Fatalf("%d events queued before the stop, want %d", q, n)
	}
	if s := len(labtest.Of[bus.InvocationStarted](l.Events)); s != 0 {
		t.Fatalf("%d invocations ran on the virtual clock before it was driven", s)
	}
	l.Close()

	l = startData(t, dir)
	l.WaitIdle(t)
	ended := labtest.Of[bus.InvocationEnded](l.Events)
	if len(ended) != n {
		t.Fatalf("%d invocations after the restart, want %d", len(ended), n)
	}
	for i := range n {
		if _, body := l.Get(t, "cis-examples-output", fmt.Sprintf("queued-%d.png", i)); len(body) == 0 {
			t.Errorf("queued-%d.png has no thumbnail", i)
		}
	}
	l.Close()

	// Done events are not sent a third time.
	l = startData(t, dir)
	l.WaitIdle(t)
	if r := labtest.WaitFor(t, l.Events, func(bus.DataRestored) bool { return true }); r.Events != 0 {
		t.Errorf("%d events restored after they were delivered", r.Events)
	}
}

// TestDataInUse: a second lab on the same directory is refused with a clear
// error instead of corrupting it.
func TestDataInUse(t *testing.T) {
	dir := t.TempDir()
	d, err := store.OpenData(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, err = store.OpenData(dir)
	if !errors.Is(err, store.ErrDataInUse) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second open: %v", err)
	}
}
