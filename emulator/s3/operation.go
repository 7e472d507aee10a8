package s3

import (
	"net/http"
	"net/url"
	"strings"
)

// Operation is what an S3 request asks for, in AWS's API names.
type Operation struct {
	Name   string // PutObject, ListObjectsV2, PutBucketNotificationConfiguration, ...
	Bucket string
	Key    string
	// Sub is the bucket or object sub-resource the request addresses
	// (notification, acl, tagging, ...), "" for none.
	Sub string
}

// IsWrite reports whether the operation may change what is stored; their
// responses are held until the change's events are queued.
func (o Operation) IsWrite() bool {
	switch o.Name {
	case "PutObject", "CopyObject", "PostObject", "CompleteMultipartUpload",
		"DeleteObject", "DeleteObjects", "CreateBucket", "DeleteBucket":
		return true
	}
	return false
}

// bucketSubresources are the bucket sub-resources S3 defines; gofakes3 knows
// only a few of them and would treat the rest as the plain bucket request
// (PUT ?acl as CreateBucket, GET ?policy as ListObjects).
var bucketSubresources = []string{
	"notification", "acl", "policy", "policyStatus", "cors", "tagging", "lifecycle",
	"publicAccessBlock", "ownershipControls", "encryption", "website", "logging",
	"replication", "accelerate", "requestPayment", "object-lock", "analytics",
	"metrics", "inventory", "intelligent-tiering", "location", "versioning", "versions",
	"uploads", "delete",
}

var objectSubresources = []string{
	"acl", "tagging", "retention", "legal-hold", "attributes", "restore", "torrent",
	"uploads", "uploadId", "select",
}

func subresource(q url.Values, names []string) string {
	for _, n := range names {
		if _, ok := q[n]; ok {
			return n
		}
	}
	return ""
}

// splitPath returns the bucket and key of a path-style request path.
func splitPath(p string) (bucket, key string) {
	p = strings.TrimPrefix(p, "/")
	bucket, key, _ = strings.Cut(p, "/")
	return bucket, key
}

// Classify names the operation of a path-style request.
func Classify(r *http.Request) Operation {
	bucket, key := splitPath(r.URL.Path)
	q := r.URL.Query()
	op := Operation{Bucket: bucket, Key: key}
	switch {
	case bucket == "":
		op.Name = map[string]string{"GET": "ListBuckets"}[r.Method]
	case key == "":
		op.Sub = subresource(q, bucketSubresources)
		op.Name = bucketOperation(r.Method, op.Sub, q)
	default:
		op.Sub = subresource(q, objectSubresources)
		op.Name = objectOperation(r, op.Sub)
	}
	if op.Name == "" {
		op.Name = "Unknown"
	}
	return op
}

func bucketOperation(method, sub string, q url.Values) string {
	verb := map[string]string{"GET": "Get", "PUT": "Put", "DELETE": "Delete", "HEAD": "Head", "POST": "Post"}[method]
	switch sub {
	case "":
		switch method {
		case "GET":
			if q.Get("list-type") == "2" {
				return "ListObjectsV2"
			}
			return "ListObjects"
		case "PUT":
			return "CreateBucket"
		case "DELETE":
			return "DeleteBucket"
		case "HEAD":
			return "HeadBucket"
		case "POST":
			return "PostObject"
		}
	case "notification":
		return verb + "BucketNotificationConfiguration"
	case "location":
		return "GetBucketLocation"
	case "versions":
		return "ListObjectVersions"
	case "uploads":
		return "ListMultipartUploads"
	case "delete":
		if method == "POST" {
			return "DeleteObjects"
		}
	default:
		return verb + "Bucket" + exportName(sub)
	}
	return ""
}

func objectOperation(r *http.Request, sub string) string {
	m := r.Method
	switch sub {
	case "":
		switch m {
		case "GET":
			return "GetObject"
		case "HEAD":
			return "HeadObject"
		case "PUT":
			if r.Header.Get("X-Amz-Copy-Source") != "" {
				return "CopyObject"
			}
			return "PutObject"
		case "DELETE":
			return "DeleteObject"
		}
	case "uploads":
		if m == "POST" {
			return "CreateMultipartUpload"
		}
	case "uploadId":
		switch m {
		case "PUT":
			if r.Header.Get("X-Amz-Copy-Source") != "" {
				return "UploadPartCopy"
			}
			return "UploadPart"
		case "POST":
			return "CompleteMultipartUpload"
		case "DELETE":
			return "AbortMultipartUpload"
		case "GET":
			return "ListParts"
		}
	default:
		verb := map[string]string{"GET": "Get", "PUT": "Put", "DELETE": "Delete", "POST": "Post"}[m]
		return verb + "Object" + exportName(sub)
	}
	return ""
}

// exportName turns a sub-resource into the part of an API name: "legal-hold"
// → "LegalHold", "publicAccessBlock" → "PublicAccessBlock", "acl" → "Acl".
func exportName(sub string) string {
	var b strings.Builder
	up := true
	for _, c := range sub {
		if c == '-' {
			up = true
			continue
		}
		if up && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		b.WriteRune(c)
	}
	return b.String()
}
