package emulator_test

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// deleteDoc is a DeleteObjects document naming n keys.
func deleteDoc(n int) string {
	var b strings.Builder
	b.WriteString("<Delete>")
	for i := range n {
		fmt.Fprintf(&b, "<Object><Key>k%d</Key></Object>", i)
	}
	b.WriteString("</Delete>")
	return b.String()
}

func contentMD5(body string) map[string]string {
	sum := md5.Sum([]byte(body))
	return map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}
}

// TestDeleteObjectsLimits: DeleteObjects takes at most 1,000 keys and only
// with a checksum of its body, as S3 does.
func TestDeleteObjectsLimits(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	lab.Put(t, outBucket, "k1", []byte("kept"), "")
	h := &hostileLab{Lab: lab}
	cases := []struct {
		name, body string
		header     map[string]string
		code, msg  string
	}{
		{"1,001 keys", deleteDoc(1001), contentMD5(deleteDoc(1001)), "MalformedXML", msgMalformedXML},
		{"no key", deleteDoc(0), contentMD5(deleteDoc(0)), "MalformedXML", msgMalformedXML},
		{"no Content-MD5 nor checksum", deleteDoc(2), nil, "InvalidRequest", "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"},
		{"a Content-MD5 of other bytes", deleteDoc(2), contentMD5("other"), "BadDigest", ""},
		{"an x-amz-checksum-crc32 of other bytes", deleteDoc(2), map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA=="}, "BadDigest",
			"The CRC32 you specified did not match the calculated checksum."},
	}
	for _, tc := range cases {
		a := h.raw(t, "POST", "/"+outBucket+"?delete", tc.header, tc.body)
		if a.status != 400 || a.code != tc.code || tc.msg != "" && a.message != tc.msg {
			t.Errorf("%s: %+v", tc.name, a)
		}
	}
	if _, got := lab.Get(t, outBucket, "k1"); string(got) != "kept" {
		t.Error("a refused DeleteObjects deleted k1")
	}
	if a := h.raw(t, "POST", "/"+outBucket+"?delete", contentMD5(deleteDoc(1000)), deleteDoc(1000)); a.status != 200 {
		t.Errorf("1,000 keys: %+v", a)
	}
	if keys := listKeys(t, lab.Client, outBucket); len(keys) != 0 {
		t.Errorf("left %q", keys)
	}
}

// TestClientLineageIsIgnored: a client's own X-Amzn-Trace-Id saying the
// upload is 16 deep in a loop does not get the upload's invocation dropped:
// only the lab's functions (signed with their role session) carry lineage.
func TestClientLineageIsIgnored(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	h := &hostileLab{Lab: lab}
	trace := "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a87bd80c:16"
	if a := h.raw(t, "PUT", "/"+inBucket+"/traced.png", map[string]string{"X-Amzn-Trace-Id": trace}, string(labtest.Image(t, 40, 30, "png"))); a.status != 200 {
		t.Fatalf("upload: %+v", a)
	}
	lab.WaitIdle(t)
	if stopped := labtest.Of[bus.LoopStopped](lab.Events); len(stopped) > 0 {
		t.Errorf("the upload was stopped as a loop: %+v", stopped[0])
	}
	ended := labtest.Of[bus.InvocationEnded](lab.Events)
	if len(ended) != 1 || ended[0].Status != "ok" {
		t.Errorf("invocations: %+v", ended)
	}
}

// TestConsoleRequestsAreVerified: the console's client signs with the one
// root key (lambdalab env's), so under --verify-signatures its requests are
// checked like anyone's: with the wrong secret they are refused.
func TestConsoleRequestsAreVerified(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "", emulator.WithSignatureVerification())
	ctx := context.Background()
	console := lab.RootClient()
	if _, err := console.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(outBucket), Key: aws.String("console.txt"), Body: strings.NewReader("ok")}); err != nil {
		t.Fatalf("the console's upload: %v", err)
	}
	creds, err := console.Options().Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != emulator.RootAccessKeyID || creds.SecretAccessKey != emulator.RootSecretAccessKey {
		t.Errorf("the console signs as %s, lambdalab env hands out %s", creds.AccessKeyID, emulator.RootAccessKeyID)
	}
	forged := lab.ClientFor(emulator.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: "not the secret"})
	_, err = forged.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(outBucket), Key: aws.String("forged.txt"), Body: strings.NewReader("no")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "SignatureDoesNotMatch" {
		t.Errorf("a console-client request with a wrong secret: %v", err)
	}
}
