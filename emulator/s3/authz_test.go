package s3

import (
	"net/http/httptest"
	"slices"
	"testing"
)

// TestAccesses checks the IAM actions requests map to against AWS's
// authorization reference, above all where the action is not the
// operation's name.
func TestAccesses(t *testing.T) {
	cases := []struct {
		method, target, copySource string
		want                       []string
	}{
		{"GET", "/b/k", "", []string{"s3:GetObject arn:aws:s3:::b/k"}},
		{"GET", "/b/k?versionId=v1", "", []string{"s3:GetObjectVersion arn:aws:s3:::b/k"}},
		{"HEAD", "/b/k?versionId=v1", "", []string{"s3:GetObjectVersion arn:aws:s3:::b/k"}},
		{"DELETE", "/b/k?versionId=v1", "", []string{"s3:DeleteObjectVersion arn:aws:s3:::b/k"}},
		{"PUT", "/b/k?tagging&versionId=v1", "", []string{"s3:PutObjectVersionTagging arn:aws:s3:::b/k"}},
		{"GET", "/b/k?acl&versionId=v1", "", []string{"s3:GetObjectVersionAcl arn:aws:s3:::b/k"}},
		{"PUT", "/b/k", "/src/a%20b.txt?versionId=v1", []string{"s3:PutObject arn:aws:s3:::b/k", "s3:GetObjectVersion arn:aws:s3:::src/a b.txt"}},
		{"GET", "/b/k?attributes", "", []string{"s3:GetObject arn:aws:s3:::b/k", "s3:GetObjectAttributes arn:aws:s3:::b/k"}},
		{"POST", "/b/k?restore", "", []string{"s3:RestoreObject arn:aws:s3:::b/k"}},
		{"DELETE", "/b/k?uploadId=u", "", []string{"s3:AbortMultipartUpload arn:aws:s3:::b/k"}},
		{"GET", "/b/k?uploadId=u", "", []string{"s3:ListMultipartUploadParts arn:aws:s3:::b/k"}},
		{"GET", "/b?uploads", "", []string{"s3:ListBucketMultipartUploads arn:aws:s3:::b"}},
		{"GET", "/b?cors", "", []string{"s3:GetBucketCORS arn:aws:s3:::b"}},
		{"DELETE", "/b?cors", "", []string{"s3:PutBucketCORS arn:aws:s3:::b"}},
		{"GET", "/b?lifecycle", "", []string{"s3:GetLifecycleConfiguration arn:aws:s3:::b"}},
		{"DELETE", "/b?lifecycle", "", []string{"s3:PutLifecycleConfiguration arn:aws:s3:::b"}},
		{"GET", "/b?encryption", "", []string{"s3:GetEncryptionConfiguration arn:aws:s3:::b"}},
		{"DELETE", "/b?tagging", "", []string{"s3:PutBucketTagging arn:aws:s3:::b"}},
		{"DELETE", "/b?publicAccessBlock", "", []string{"s3:PutBucketPublicAccessBlock arn:aws:s3:::b"}},
		{"GET", "/b?object-lock", "", []string{"s3:GetBucketObjectLockConfiguration arn:aws:s3:::b"}},
		{"GET", "/b?accelerate", "", []string{"s3:GetAccelerateConfiguration arn:aws:s3:::b"}},
		{"GET", "/b?replication", "", []string{"s3:GetReplicationConfiguration arn:aws:s3:::b"}},
		{"GET", "/b?policy", "", []string{"s3:GetBucketPolicy arn:aws:s3:::b"}},
		{"GET", "/b?versioning", "", []string{"s3:GetBucketVersioning arn:aws:s3:::b"}},
		// DeleteObjects is authorized per object, with DeleteAccess.
		{"POST", "/b?delete", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			if tc.copySource != "" {
				r.Header.Set("X-Amz-Copy-Source", tc.copySource)
			}
			var got []string
			for _, a := range Accesses(Classify(r), r, []string{"k"}) {
				got = append(got, a.Action+" "+a.Resource)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if a := DeleteAccess("b", "k", "v1"); a.Action != "s3:DeleteObjectVersion" || a.Resource != "arn:aws:s3:::b/k" {
		t.Errorf("DeleteAccess of a version: %+v", a)
	}
}
