package emulator_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// s3types is an uploaded part.
type s3types struct {
	n    int32
	etag string
}

func completeInput(bucket, key string, uploadID *string, parts []s3types) *s3.CompleteMultipartUploadInput {
	var cp []types.CompletedPart
	for _, p := range parts {
		cp = append(cp, types.CompletedPart{PartNumber: aws.Int32(p.n), ETag: aws.String(p.etag)})
	}
	return &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: cp}}
}

func deleteInput(bucket string, keys ...string) *s3.DeleteObjectsInput {
	var ids []types.ObjectIdentifier
	for _, k := range keys {
		ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
	}
	return &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids}}
}

func versioningInput(bucket string) *s3.PutBucketVersioningInput {
	return &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}
}

// postObject uploads with a browser form POST, as an HTML upload form does.
func postObject(t *testing.T, bucketURL, key string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("key", key)
	fw, _ := w.CreateFormFile("file", "upload.txt")
	fw.Write(body)
	w.Close()
	resp, err := http.Post(bucketURL, w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("POST upload: %s", resp.Status)
	}
}
