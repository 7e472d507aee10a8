package emulator_test

import (
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
