package s3

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/iam"
)

// Access is one IAM permission a request needs.
type Access struct {
	Action   string // s3:GetObject, ...
	Resource string // arn:aws:s3:::bucket or arn:aws:s3:::bucket/key
}

func bucketARN(bucket string) string      { return "arn:aws:s3:::" + bucket }
func objectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }

// objectActions maps object operations to the IAM action they need on the
// object ARN.
var objectActions = map[string]string{
	"GetObject": "s3:GetObject", "HeadObject": "s3:GetObject",
	"PutObject": "s3:PutObject", "PostObject": "s3:PutObject", "CreateMultipartUpload": "s3:PutObject",
	"UploadPart": "s3:PutObject", "UploadPartCopy": "s3:PutObject", "CompleteMultipartUpload": "s3:PutObject",
	"AbortMultipartUpload": "s3:AbortMultipartUpload", "ListParts": "s3:ListMultipartUploadParts",
	"DeleteObject": "s3:DeleteObject", "GetObjectTagging": "s3:GetObjectTagging", "GetObjectAcl": "s3:GetObjectAcl",
}

// bucketActions maps bucket operations whose IAM action is not their name.
var bucketActions = map[string]string{
	"ListObjects": "s3:ListBucket", "ListObjectsV2": "s3:ListBucket", "HeadBucket": "s3:ListBucket",
	"ListObjectVersions": "s3:ListBucketVersions", "ListMultipartUploads": "s3:ListBucketMultipartUploads",
	"GetBucketNotificationConfiguration": "s3:GetBucketNotification",
	"PutBucketNotificationConfiguration": "s3:PutBucketNotification",
	"GetBucketAcl":                       "s3:GetBucketAcl",
}

// Accesses lists what a request needs: the operation's action on its
// resource; CopyObject (and UploadPartCopy) also need GetObject on the
// source; DeleteObjects needs DeleteObject on every key (keys as given).
func Accesses(op Operation, r *http.Request, keys []string) []Access {
	switch op.Name {
	case "ListBuckets":
		return []Access{{"s3:ListAllMyBuckets", "*"}}
	case "CopyObject", "UploadPartCopy":
		out := []Access{{"s3:PutObject", objectARN(op.Bucket, op.Key)}}
		if b, k, ok := copySource(r.Header.Get("X-Amz-Copy-Source")); ok {
			out = append(out, Access{"s3:GetObject", objectARN(b, k)})
		}
		return out
	case "DeleteObjects":
		out := make([]Access, 0, len(keys))
		for _, k := range keys {
			out = append(out, Access{"s3:DeleteObject", objectARN(op.Bucket, k)})
		}
		return out
	case "PostObject":
		if len(keys) == 1 {
			return []Access{{"s3:PutObject", objectARN(op.Bucket, keys[0])}}
		}
		return []Access{{"s3:PutObject", objectARN(op.Bucket, "*")}}
	}
	if a, ok := objectActions[op.Name]; ok {
		return []Access{{a, objectARN(op.Bucket, op.Key)}}
	}
	if a, ok := bucketActions[op.Name]; ok {
		return []Access{{a, bucketARN(op.Bucket)}}
	}
	if op.Bucket != "" && op.Key == "" {
		// CreateBucket, DeleteBucket, GetBucketLocation, GetBucketVersioning, …
		return []Access{{"s3:" + op.Name, bucketARN(op.Bucket)}}
	}
	return []Access{{"s3:" + op.Name, objectARN(op.Bucket, op.Key)}}
}

// copySource splits x-amz-copy-source ("/bucket/key?versionId=…",
// URL-encoded) into bucket and key.
func copySource(src string) (bucket, key string, ok bool) {
	src, _, _ = strings.Cut(src, "?")
	if dec, err := url.PathUnescape(src); err == nil {
		src = dec
	}
	bucket, key, ok = strings.Cut(strings.TrimPrefix(src, "/"), "/")
	return bucket, key, ok && bucket != "" && key != ""
}

// authorize checks every access the request needs against the caller's
// policy. The account root (and anyone with credentials the lab did not
// issue) is allowed everything.
func (s *Server) authorize(c *call, keys []string) error {
	p := c.principal
	if p.Root || p.Policy == nil {
		return nil
	}
	for _, a := range Accesses(c.op, c.r, keys) {
		d := p.Policy.Evaluate(a.Action, a.Resource)
		if d.Allowed {
			continue
		}
		s.bus.Publish(bus.AccessDenied{
			Header: bus.Header{Time: s.clock.Now()}, Principal: p.ARN, Action: a.Action, Resource: a.Resource,
			Decision: d.Reason(), RequestID: c.rec.requestID,
		})
		return NewError("AccessDenied", iam.DeniedMessage(p.ARN, a.Action, a.Resource, d))
	}
	return nil
}

// canList reports whether the caller may list bucket: without s3:ListBucket,
// S3 answers a missing key with 403 instead of 404, so that callers cannot
// probe which keys exist.
func (s *Server) canList(p Principal, bucket string) (bool, iam.Decision) {
	if p.Root || p.Policy == nil {
		return true, iam.Decision{Allowed: true}
	}
	d := p.Policy.Evaluate("s3:ListBucket", bucketARN(bucket))
	return d.Allowed, d
}
