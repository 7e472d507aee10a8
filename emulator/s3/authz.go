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
	"GetObject":               "s3:GetObject",
	"HeadObject":              "s3:GetObject",
	"PutObject":               "s3:PutObject",
	"PostObject":              "s3:PutObject",
	"CreateMultipartUpload":   "s3:PutObject",
	"UploadPart":              "s3:PutObject",
	"UploadPartCopy":          "s3:PutObject",
	"CompleteMultipartUpload": "s3:PutObject",
	"AbortMultipartUpload":    "s3:AbortMultipartUpload",
	"ListParts":               "s3:ListMultipartUploadParts",
	"DeleteObject":            "s3:DeleteObject",
	"GetObjectTagging":        "s3:GetObjectTagging",
	"GetObjectAcl":            "s3:GetObjectAcl",
	"PostObjectRestore":       "s3:RestoreObject",
	"PostObjectSelect":        "s3:GetObject",
}

// versionActions are the actions an object operation needs instead when it
// names a version (?versionId=…), as AWS's authorization reference lists
// them: reading or deleting one version is a permission of its own.
var versionActions = map[string]string{
	"s3:GetObject":           "s3:GetObjectVersion",
	"s3:DeleteObject":        "s3:DeleteObjectVersion",
	"s3:GetObjectTagging":    "s3:GetObjectVersionTagging",
	"s3:PutObjectTagging":    "s3:PutObjectVersionTagging",
	"s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
	"s3:GetObjectAcl":        "s3:GetObjectVersionAcl",
	"s3:PutObjectAcl":        "s3:PutObjectVersionAcl",
	"s3:GetObjectAttributes": "s3:GetObjectVersionAttributes",
	"s3:GetObjectTorrent":    "s3:GetObjectVersionTorrent",
}

// bucketActions maps bucket operations whose IAM action is not their name
// (removing a configuration is mostly the permission to put one).
var bucketActions = map[string]string{
	"ListObjects":                        "s3:ListBucket",
	"ListObjectsV2":                      "s3:ListBucket",
	"HeadBucket":                         "s3:ListBucket",
	"ListObjectVersions":                 "s3:ListBucketVersions",
	"ListMultipartUploads":               "s3:ListBucketMultipartUploads",
	"GetBucketNotificationConfiguration": "s3:GetBucketNotification",
	"PutBucketNotificationConfiguration": "s3:PutBucketNotification",
	"GetBucketAcl":                       "s3:GetBucketAcl",
	"GetBucketCors":                      "s3:GetBucketCORS",
	"PutBucketCors":                      "s3:PutBucketCORS",
	"DeleteBucketCors":                   "s3:PutBucketCORS",
	"GetBucketLifecycle":                 "s3:GetLifecycleConfiguration",
	"PutBucketLifecycle":                 "s3:PutLifecycleConfiguration",
	"DeleteBucketLifecycle":              "s3:PutLifecycleConfiguration",
	"GetBucketEncryption":                "s3:GetEncryptionConfiguration",
	"PutBucketEncryption":                "s3:PutEncryptionConfiguration",
	"DeleteBucketEncryption":             "s3:PutEncryptionConfiguration",
	"DeleteBucketTagging":                "s3:PutBucketTagging",
	"DeleteBucketPublicAccessBlock":      "s3:PutBucketPublicAccessBlock",
	"DeleteBucketOwnershipControls":      "s3:PutBucketOwnershipControls",
	"GetBucketReplication":               "s3:GetReplicationConfiguration",
	"PutBucketReplication":               "s3:PutReplicationConfiguration",
	"DeleteBucketReplication":            "s3:PutReplicationConfiguration",
	"GetBucketAccelerate":                "s3:GetAccelerateConfiguration",
	"PutBucketAccelerate":                "s3:PutAccelerateConfiguration",
	"GetBucketObjectLock":                "s3:GetBucketObjectLockConfiguration",
	"PutBucketObjectLock":                "s3:PutBucketObjectLockConfiguration",
	"GetBucketAnalytics":                 "s3:GetAnalyticsConfiguration",
	"PutBucketAnalytics":                 "s3:PutAnalyticsConfiguration",
	"DeleteBucketAnalytics":              "s3:PutAnalyticsConfiguration",
	"GetBucketMetrics":                   "s3:GetMetricsConfiguration",
	"PutBucketMetrics":                   "s3:PutMetricsConfiguration",
	"DeleteBucketMetrics":                "s3:PutMetricsConfiguration",
	"GetBucketInventory":                 "s3:GetInventoryConfiguration",
	"PutBucketInventory":                 "s3:PutInventoryConfiguration",
	"DeleteBucketInventory":              "s3:PutInventoryConfiguration",
	"GetBucketIntelligentTiering":        "s3:GetIntelligentTieringConfiguration",
	"PutBucketIntelligentTiering":        "s3:PutIntelligentTieringConfiguration",
	"DeleteBucketIntelligentTiering":     "s3:PutIntelligentTieringConfiguration",
}

// Accesses lists what a request needs: the operation's action on its
// resource (the version's action when it names a version); CopyObject (and
// UploadPartCopy) also need GetObject on the source. DeleteObjects is
// authorized per object (see DeleteAccess), so keys here are its keys only
// for locking: it needs nothing of its own.
func Accesses(op Operation, r *http.Request, keys []string) []Access {
	versioned := r.URL.Query().Get("versionId") != ""
	switch op.Name {
	case "ListBuckets":
		return []Access{{"s3:ListAllMyBuckets", "*"}}
	case "CopyObject", "UploadPartCopy":
		out := []Access{{"s3:PutObject", objectARN(op.Bucket, op.Key)}}
		if b, k, v, ok := copySource(r.Header.Get("X-Amz-Copy-Source")); ok {
			out = append(out, Access{onVersion("s3:GetObject", v), objectARN(b, k)})
		}
		return out
	case "DeleteObjects":
		return nil
	case "PostObject":
		if len(keys) == 1 {
			return []Access{{"s3:PutObject", objectARN(op.Bucket, keys[0])}}
		}
		return []Access{{"s3:PutObject", objectARN(op.Bucket, "*")}}
	case "GetObjectAttributes":
		// Attributes are read with the object: both actions are needed.
		arn := objectARN(op.Bucket, op.Key)
		return []Access{{onVersion("s3:GetObject", versioned), arn}, {onVersion("s3:GetObjectAttributes", versioned), arn}}
	}
	if a, ok := objectActions[op.Name]; ok {
		return []Access{{onVersion(a, versioned), objectARN(op.Bucket, op.Key)}}
	}
	if a, ok := bucketActions[op.Name]; ok {
		return []Access{{a, bucketARN(op.Bucket)}}
	}
	if op.Bucket != "" && op.Key == "" {
		// CreateBucket, DeleteBucket, GetBucketLocation, GetBucketVersioning, …
		return []Access{{"s3:" + op.Name, bucketARN(op.Bucket)}}
	}
	return []Access{{onVersion("s3:"+op.Name, versioned), objectARN(op.Bucket, op.Key)}}
}

// DeleteAccess is what deleting one object of a DeleteObjects request
// needs: S3 checks each object on its own and reports the ones denied in
// the response, deleting the rest.
func DeleteAccess(bucket, key, versionID string) Access {
	return Access{onVersion("s3:DeleteObject", versionID != ""), objectARN(bucket, key)}
}

func onVersion(action string, versioned bool) string {
	if v, ok := versionActions[action]; ok && versioned {
		return v
	}
	return action
}

// copySource splits x-amz-copy-source ("/bucket/key?versionId=…",
// URL-encoded) into bucket and key, and says whether it names a version.
func copySource(src string) (bucket, key string, version, ok bool) {
	src, query, _ := strings.Cut(src, "?")
	if q, err := url.ParseQuery(query); err == nil && q.Get("versionId") != "" {
		version = true
	}
	if dec, err := url.PathUnescape(src); err == nil {
		src = dec
	}
	bucket, key, ok = strings.Cut(strings.TrimPrefix(src, "/"), "/")
	return bucket, key, version, ok && bucket != "" && key != ""
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
			Decision: d.Reason(), RequestID: c.rec.requestID, Trace: c.r.Header.Get(TraceHeader),
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
