package emulator_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// TestVerifySignatures: with signature checks on, the lab's root key with
// the right secret works, with a wrong one gets SignatureDoesNotMatch (and
// nothing is stored or sent), keys the lab did not issue still act as the
// root, and the exercise runs end to end on the functions' role sessions,
// whose requests are checked too.
func TestVerifySignatures(t *testing.T) {
	t.Parallel()
	l := labtest.Start(t, "", emulator.WithSignatureVerification())
	ctx := context.Background()
	put := func(key, secret, object string) error {
		client := labtest.Client(l.Endpoint, key, secret)
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cis-examples"), Key: aws.String(object),
			Body: bytes.NewReader(labtest.Image(t, 64, 48, "png"))})
		return err
	}
	if err := put(emulator.RootAccessKeyID, emulator.RootSecretAccessKey, "signed ok.png"); err != nil {
		t.Fatalf("right secret: %v", err)
	}
	err := put(emulator.RootAccessKeyID, "not-the-secret", "forged.png")
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "SignatureDoesNotMatch" ||
		api.ErrorMessage() != "The request signature we calculated does not match the signature you provided. Check your key and signing method." {
		t.Fatalf("wrong secret: %v", err)
	}
	if err := put("AKIAUNKNOWNKEY000000", "anything", "unknown key.png"); err != nil {
		t.Errorf("a key the lab did not issue: %v", err)
	}
	l.WaitIdle(t)

	if _, err := l.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cis-examples"), Key: aws.String("forged.png")}); err == nil {
		t.Error("the forged PUT stored its object")
	}
	ok := 0
	for _, e := range labtest.Of[bus.InvocationEnded](l.Events) {
		if e.Status != "ok" {
			t.Errorf("invocation %s: %s %s", e.RequestID, e.Status, e.Error)
		}
		ok++
	}
	if ok != 2 {
		t.Errorf("%d invocations, want 2 (the forged upload sends no event)", ok)
	}
	// The functions' own requests were signed with their session keys and
	// checked.
	checked := 0
	for _, r := range labtest.Of[bus.S3Request](l.Events) {
		if r.Principal != "root" && r.Status == 200 {
			checked++
		}
	}
	if checked < 4 {
		t.Errorf("%d signed requests from the function, want its GETs and PUTs", checked)
	}
}
