package s3

import (
	"net/http/httptest"
	"testing"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		method, target, copySource, want string
	}{
		{"GET", "/", "", "ListBuckets"},
		{"PUT", "/b", "", "CreateBucket"},
		{"GET", "/b?list-type=2", "", "ListObjectsV2"},
		{"GET", "/b", "", "ListObjects"},
		{"PUT", "/b?notification", "", "PutBucketNotificationConfiguration"},
		{"GET", "/b?notification", "", "GetBucketNotificationConfiguration"},
		{"GET", "/b?publicAccessBlock", "", "GetBucketPublicAccessBlock"},
		{"PUT", "/b?acl", "", "PutBucketAcl"},
		{"POST", "/b?delete", "", "DeleteObjects"},
		{"POST", "/b", "", "PostObject"},
		{"PUT", "/b/k", "", "PutObject"},
		{"PUT", "/b/k", "/b/src", "CopyObject"},
		{"GET", "/b/dir/k.png", "", "GetObject"},
		{"HEAD", "/b/k", "", "HeadObject"},
		{"DELETE", "/b/k", "", "DeleteObject"},
		{"POST", "/b/k?uploads", "", "CreateMultipartUpload"},
		{"PUT", "/b/k?partNumber=1&uploadId=x", "", "UploadPart"},
		{"PUT", "/b/k?partNumber=1&uploadId=x", "/b/src", "UploadPartCopy"},
		{"POST", "/b/k?uploadId=x", "", "CompleteMultipartUpload"},
		{"GET", "/b/k?tagging", "", "GetObjectTagging"},
		{"GET", "/b/k?legal-hold", "", "GetObjectLegalHold"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		if tc.copySource != "" {
			r.Header.Set("X-Amz-Copy-Source", tc.copySource)
		}
		if got := Classify(r).Name; got != tc.want {
			t.Errorf("%s %s = %s, want %s", tc.method, tc.target, got, tc.want)
		}
	}
}

func TestAccessKeyID(t *testing.T) {
	r := httptest.NewRequest("GET", "/b", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc")
	if got := AccessKeyID(r); got != "ASIAEXAMPLE" {
		t.Errorf("header SigV4: %q", got)
	}
	r = httptest.NewRequest("GET", "/b/k?X-Amz-Credential=AKIAQUERY%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=x", nil)
	if got := AccessKeyID(r); got != "AKIAQUERY" {
		t.Errorf("presigned: %q", got)
	}
	if got := AccessKeyID(httptest.NewRequest("GET", "/", nil)); got != "" {
		t.Errorf("unsigned: %q", got)
	}
}
