package emulator_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// TestListingPagesWithDelimiter: every common prefix and key appears exactly
// once across pages (gofakes3 repeats a prefix when a page ends inside it).
func TestListingPagesWithDelimiter(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	keys := []string{"a/1", "a/2", "a/3", "b/1", "b/2", "c", "d/1", "d/2", "e", "f/x/1"}
	for _, k := range keys {
		lab.Put(t, "cis-examples-output", k, []byte("x"), "")
	}
	want := "P:a/ P:b/ K:c P:d/ K:e P:f/"
	for _, maxKeys := range []int32{1, 2, 3, 100} {
		var got []string
		p := s3.NewListObjectsV2Paginator(lab.Client, &s3.ListObjectsV2Input{Bucket: aws.String("cis-examples-output"),
			Delimiter: aws.String("/"), MaxKeys: aws.Int32(maxKeys)})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if int(aws.ToInt32(page.KeyCount)) != len(page.CommonPrefixes)+len(page.Contents) {
				t.Errorf("KeyCount %d for %d entries", aws.ToInt32(page.KeyCount), len(page.CommonPrefixes)+len(page.Contents))
			}
			for _, cp := range page.CommonPrefixes {
				got = append(got, "P:"+aws.ToString(cp.Prefix))
			}
			for _, c := range page.Contents {
				got = append(got, "K:"+aws.ToString(c.Key))
			}
		}
		if s := sortEntries(got); s != want {
			t.Errorf("V2 max-keys %d: %s, want %s", maxKeys, s, want)
		}
		// ListObjects (V1) with markers.
		got = nil
		var marker *string
		for i := 0; i < 50; i++ {
			page, err := lab.Client.ListObjects(context.Background(), &s3.ListObjectsInput{Bucket: aws.String("cis-examples-output"),
				Delimiter: aws.String("/"), MaxKeys: aws.Int32(maxKeys), Marker: marker})
			if err != nil {
				t.Fatal(err)
			}
			for _, cp := range page.CommonPrefixes {
				got = append(got, "P:"+aws.ToString(cp.Prefix))
			}
			for _, c := range page.Contents {
				got = append(got, "K:"+aws.ToString(c.Key))
			}
			if !aws.ToBool(page.IsTruncated) {
				break
			}
			marker = page.NextMarker
		}
		if s := sortEntries(got); s != want {
			t.Errorf("V1 max-keys %d: %s, want %s", maxKeys, s, want)
		}
	}
}

func sortEntries(e []string) string {
	// S3 lists in key order, prefixes among keys; compare as a sorted set
	// that must not contain duplicates.
	seen := map[string]bool{}
	var out []string
	for _, x := range e {
		if seen[x] {
			return "duplicate " + x + " in " + strings.Join(e, " ")
		}
		seen[x] = true
		out = append(out, x)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j][2:] < out[i][2:] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return strings.Join(out, " ")
}

// TestCopySourceKeepsPlus: "+" in x-amz-copy-source is a plus sign.
func TestCopySourceKeepsPlus(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	lab.Put(t, "cis-examples-output", "a+b.txt", []byte("plus"), "text/plain")
	lab.Put(t, "cis-examples-output", "a b.txt", []byte("space"), "text/plain")
	for src, want := range map[string]string{"cis-examples-output/a+b.txt": "plus", "cis-examples-output/a%2Bb.txt": "plus",
		"cis-examples-output/a%20b.txt": "space"} {
		_, err := lab.Client.CopyObject(context.Background(), &s3.CopyObjectInput{Bucket: aws.String("cis-examples-output"),
			Key: aws.String("copy.txt"), CopySource: aws.String(src)})
		if err != nil {
			t.Fatalf("copy %s: %v", src, err)
		}
		if _, got := lab.Get(t, "cis-examples-output", "copy.txt"); string(got) != want {
			t.Errorf("copy from %s gave %q, want %q", src, got, want)
		}
	}
}

// TestMultipartETagEverywhere: the multipart ETag (…-N) is the same on
// completion, HEAD, GET and list.
func TestMultipartETagEverywhere(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	ctx := context.Background()
	c := lab.Client
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("cis-examples-output"), Key: aws.String("big.bin")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []s3types
	for n := int32(1); n <= 3; n++ {
		size := 5 << 20
		if n == 3 {
			size = 1000
		}
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("cis-examples-output"), Key: aws.String("big.bin"),
			UploadId: mp.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(bytes.Repeat([]byte{byte(n)}, size))})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s3types{n, aws.ToString(up.ETag)})
	}
	done, err := c.CompleteMultipartUpload(ctx, completeInput("cis-examples-output", "big.bin", mp.UploadId, parts))
	if err != nil {
		t.Fatal(err)
	}
	want := aws.ToString(done.ETag)
	if !strings.HasSuffix(strings.Trim(want, `"`), "-3") {
		t.Fatalf("completion ETag %s", want)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cis-examples-output"), Key: aws.String("big.bin")})
	if err != nil || aws.ToString(head.ETag) != want {
		t.Errorf("HEAD ETag %s (%v), want %s", aws.ToString(head.ETag), err, want)
	}
	get, _ := lab.Get(t, "cis-examples-output", "big.bin")
	if aws.ToString(get.ETag) != want {
		t.Errorf("GET ETag %s, want %s", aws.ToString(get.ETag), want)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("cis-examples-output")})
	if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].ETag) != want {
		t.Errorf("list ETag %+v (%v), want %s", list.Contents, err, want)
	}
	// Overwritten by a plain PUT, it has a plain ETag again.
	lab.Put(t, "cis-examples-output", "big.bin", []byte("small now"), "")
	head, _ = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cis-examples-output"), Key: aws.String("big.bin")})
	if strings.Contains(aws.ToString(head.ETag), "-") {
		t.Errorf("a plain PUT kept the multipart ETag %s", aws.ToString(head.ETag))
	}
}

// TestRequestHeadersAreNotMetadata: the SDK's own X-Amz-* request headers
// are not stored and echoed as object metadata; x-amz-meta-* is.
func TestRequestHeadersAreNotMetadata(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	_, err := lab.Client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("cis-examples-output"), Key: aws.String("m.txt"),
		Body: strings.NewReader("m"), Metadata: map[string]string{"colour": "blue"}, ContentType: aws.String("text/plain")})
	if err != nil {
		t.Fatal(err)
	}
	r := rawRequest(t, http.MethodHead, lab.Endpoint+"/cis-examples-output/m.txt", "", "")
	for name := range r.header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-amz-") && !strings.HasPrefix(lower, "x-amz-meta-") && !strings.HasPrefix(lower, "x-amz-checksum-") &&
			lower != "x-amz-request-id" && lower != "x-amz-id-2" {
			t.Errorf("HEAD echoes request header %s: %v", name, r.header[name])
		}
	}
	if r.header.Get("X-Amz-Meta-Colour") != "blue" || r.header.Get("Content-Type") != "text/plain" {
		t.Errorf("metadata lost: %v", r.header)
	}
}

func TestMoreErrorMessages(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	lab.Put(t, "cis-examples-output", "keep.txt", []byte("x"), "")
	_, err := lab.Client.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String("cis-examples-output")})
	if code, msg := apiError(err); code != "BucketNotEmpty" || msg != "The bucket you tried to delete is not empty" {
		t.Errorf("BucketNotEmpty: %q %q", code, msg)
	}
	_, err = lab.Client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket-here")})
	if code, msg := apiError(err); code != "NoSuchBucket" || msg != "The specified bucket does not exist" {
		t.Errorf("NoSuchBucket: %q %q", code, msg)
	}
	_, err = lab.Client.UploadPart(context.Background(), &s3.UploadPartInput{Bucket: aws.String("cis-examples-output"), Key: aws.String("k"),
		UploadId: aws.String("nope"), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	if code, msg := apiError(err); code != "NoSuchUpload" || !strings.HasPrefix(msg, "The specified upload does not exist.") {
		t.Errorf("NoSuchUpload: %q %q", code, msg)
	}
}
