package emulator_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator/labtest"
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

// postObject uploads with a browser form POST, as an HTML upload form does,
// signed for the account root as the Go SDK presigns it.
func postObject(t *testing.T, bucketURL, key string, body []byte) {
	t.Helper()
	endpoint, bucket := bucketURL[:strings.LastIndex(bucketURL, "/")], bucketURL[strings.LastIndex(bucketURL, "/")+1:]
	url, fields := presignPost(t, labtest.Client(endpoint, "test", "test"), bucket, key)
	if a := postForm(t, url, fields, body); a.status >= 300 {
		t.Fatalf("POST upload: %+v", a)
	}
}
