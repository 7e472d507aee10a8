package emulator_test

import (
	"bytes"
	"encoding/base64"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// hostileCorpus4 covers CORS, form uploads, DeleteObjects, and more keys,
// buckets, sub-resources, ranges, listings and notifications.
func hostileCorpus4() []hostileCase {
	return append(append(corsCases(), formCases()...), hostileCorpus5()...)
}

// corsCases are preflights and CORS configurations (no bucket has one).
func corsCases() []hostileCase {
	return []hostileCase{
		{name: "preflight without an Origin", send: preflight("", "GET"), status: 400, code: "BadRequest",
			message: "Insufficient information. Origin request header needed."},
		{name: "preflight for method PATCH", send: preflight("http://evil.example", "PATCH"), status: 400, code: "BadRequest"},
		{name: "preflight to a bucket without CORS", send: preflight("http://evil.example", "PUT"), status: 403, code: "CORSResponse",
			message: "CORS is not enabled for this bucket."},
		{name: "preflight to the service", send: method("OPTIONS", "", map[string]string{"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"}),
			status: 403, code: "CORSResponse"},
		{name: "preflight to a missing bucket", send: method("OPTIONS", "no-such-bucket/x", map[string]string{"Origin": "http://e.example", "Access-Control-Request-Method": "GET"}),
			status: 403, code: "CORSResponse"},
		{name: "PutBucketCors without Content-MD5", send: put(inBucket+"?cors", nil, corsDoc("GET", "*")), status: 400, code: "InvalidRequest", message: msgNoChecksum},
		{name: "PutBucketCors with method PATCH", send: withMD5("PUT", inBucket+"?cors", corsDoc("PATCH", "*")), status: 400, code: "InvalidRequest",
			message: "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"},
		{name: "PutBucketCors with two wildcards in an origin", send: withMD5("PUT", inBucket+"?cors", corsDoc("GET", "http://*.*.example")), status: 400, code: "InvalidRequest"},
		{name: "PutBucketCors that is not XML", send: withMD5("PUT", inBucket+"?cors", "{}"), status: 400, code: "MalformedXML"},
		{name: "PutBucketCors of 101 rules", send: withMD5("PUT", inBucket+"?cors", corsRules(101)), status: 400, code: "InvalidRequest"},
		{name: "PutBucketCors on a missing bucket", send: withMD5("PUT", "no-such-bucket?cors", corsDoc("GET", "*")), status: 404, code: "NoSuchBucket"},
		{name: "GetBucketCors without a configuration", send: method("GET", inBucket+"?cors", nil), status: 404, code: "NoSuchCORSConfiguration",
			message: "The CORS configuration does not exist"},
		{name: "DeleteBucketCors on a missing bucket", send: method("DELETE", "no-such-bucket?cors", nil), status: 404, code: "NoSuchBucket"},
	}
}

// formCases are form uploads and DeleteObjects.
func formCases() []hostileCase {
	long := strings.Repeat("k", 1025)
	return []hostileCase{
		{name: "form without credentials", send: form(outBucket, map[string]string{"key": "anon.txt"}, 1), status: 403, code: "AccessDenied"},
		{name: "CreateBucket of a lab bucket with a body that is not XML", send: put(outBucket, nil, "x"), status: 400, code: "MalformedXML"},
		{name: "POST of a body that is not a form", send: rawPost(outBucket, "text/plain", "key=x"), status: 400, code: "MalformedPOSTRequest"},
		{name: "form without a file", send: form(outBucket, v2Fields("nofile.txt", outBucket), 0), status: 400, code: "IncorrectNumberOfFilesInPostRequest"},
		{name: "form with two files", send: form(outBucket, v2Fields("two.txt", outBucket), 2), status: 400, code: "IncorrectNumberOfFilesInPostRequest"},
		{name: "form with an empty key", send: form(outBucket, v2Fields("", outBucket), 1), status: 400, code: "InvalidArgument",
			fields: map[string]string{"ArgumentName": "key"}},
		{name: "form with an invalid UTF-8 key", send: form(outBucket, v2Fields("bad\xff.txt", outBucket), 1), status: 400, code: "InvalidURI"},
		{name: "form with a key of 1,025 bytes", send: form(outBucket, v2Fields(long, outBucket), 1), status: 400, code: "KeyTooLongError"},
		{name: "form whose policy is not base64", send: form(outBucket, withField(v2Fields("p.txt", outBucket), "policy", "%%%"), 1),
			status: 400, code: "InvalidPolicyDocument"},
		{name: "form whose policy is not JSON", send: form(outBucket, withField(v2Fields("p.txt", outBucket), "policy", b64("{not json")), 1),
			status: 400, code: "InvalidPolicyDocument", message: "Invalid Policy: Invalid JSON."},
		{name: "form whose policy has no expiration", send: form(outBucket, withField(v2Fields("p.txt", outBucket), "policy", b64(`{"conditions": []}`)), 1),
			status: 400, code: "InvalidPolicyDocument", message: "Invalid Policy: Policy missing expiration."},
		{name: "form whose policy has an unknown condition", send: form(outBucket, withField(v2Fields("p.txt", outBucket), "policy",
			b64(`{"expiration": "2100-01-01T00:00:00Z", "conditions": [["like", "$key", "x"]]}`)), 1), status: 400, code: "InvalidPolicyDocument"},
		{name: "form whose policy expired", send: form(outBucket, withField(v2Fields("p.txt", outBucket), "policy", b64(`{"expiration": "2000-01-01T00:00:00Z", "conditions": []}`)), 1),
			status: 403, code: "AccessDenied", message: "Invalid according to Policy: Policy expired."},
		{name: "form for another bucket than its policy's", send: form(outBucket, v2Fields("p.txt", inBucket), 1), status: 403, code: "AccessDenied",
			message: `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "` + inBucket + `"]`},
		{name: "form with a field its policy does not name", send: form(outBucket, withField(v2Fields("p.txt", outBucket), "acl", "public-read"), 1),
			status: 403, code: "AccessDenied", message: "Invalid according to Policy: Extra input fields: acl"},
		{name: "form over its content-length-range", send: signedForm(outBucket, "big.txt", 64, nil, []any{"content-length-range", 1, 10}),
			status: 400, code: "EntityTooLarge"},
		{name: "form under its content-length-range", send: signedForm(outBucket, "small.txt", 1, nil, []any{"content-length-range", 5, 10}),
			status: 400, code: "EntityTooSmall"},
		{name: "form with algorithm HMAC-SHA1", send: signedForm(outBucket, "alg.txt", 1, func(f map[string]string) { f["X-Amz-Algorithm"] = "AWS4-HMAC-SHA1" }),
			status: 400, code: "InvalidArgument"},
		{name: "form without x-amz-signature", send: signedForm(outBucket, "nosig.txt", 1, func(f map[string]string) { delete(f, "X-Amz-Signature") }),
			status: 400, code: "InvalidArgument"},
		{name: "form with a malformed credential", send: signedForm(outBucket, "cred.txt", 1, func(f map[string]string) { f["X-Amz-Credential"] = "nokey" }),
			status: 400, code: "InvalidArgument"},
		{name: "form with 3 KB of metadata", send: signedForm(outBucket, "meta.txt", 1, func(f map[string]string) { f["x-amz-meta-big"] = strings.Repeat("m", 3000) },
			[]any{"starts-with", "$x-amz-meta-big", ""}), status: 400, code: "MetadataTooLarge"},
		{name: "form signed by a role into a bucket its policy does not allow", send: roleForm, status: 403, code: "AccessDenied"},
		{name: "form signed by the root is stored", send: signedForm(outBucket, "posted.txt", 5, nil), status: 204, stores: outBucket + "/posted.txt"},
		// DeleteObjects.
		{name: "DeleteObjects of 1,001 keys", send: withMD5("POST", outBucket+"?delete", deleteDoc(1001)), status: 400, code: "MalformedXML"},
		{name: "DeleteObjects of no key", send: withMD5("POST", outBucket+"?delete", deleteDoc(0)), status: 400, code: "MalformedXML"},
		{name: "DeleteObjects of the canary without Content-MD5", send: post(outBucket+"?delete", nil, "<Delete><Object><Key>"+canaryKey+"</Key></Object></Delete>"),
			status: 400, code: "InvalidRequest", message: msgNoChecksum},
		{name: "DeleteObjects of the canary with another body's Content-MD5", send: post(outBucket+"?delete", map[string]string{"Content-MD5": md5Of("x")},
			"<Delete><Object><Key>"+canaryKey+"</Key></Object></Delete>"), status: 400, code: "BadDigest"},
		{name: "DeleteObjects that is not XML", send: withMD5("POST", outBucket+"?delete", "delete everything"), status: 400, code: "MalformedXML"},
	}
}

// hostileCorpus5 covers keys, buckets, sub-resources, ranges, listings and
// notifications.
func hostileCorpus5() []hostileCase {
	long := strings.Repeat("k", 1025)
	return []hostileCase{
		{name: "GET of an invalid UTF-8 key", send: method("GET", outBucket+"/%FF", nil), status: 400, code: "InvalidURI"},
		{name: "DELETE of a key of 1,025 bytes", send: method("DELETE", outBucket+"/"+long, nil), status: 400, code: "KeyTooLongError"},
		{name: "HEAD of a key of 1,025 bytes", send: method("HEAD", outBucket+"/"+long, nil), status: 400},
		{name: "copy to a key of 1,025 bytes", send: put(outBucket+"/"+long, map[string]string{"X-Amz-Copy-Source": outBucket + "/" + canaryKey}, ""),
			status: 400, code: "KeyTooLongError"},
		{name: "copy from a key of 1,025 bytes", send: put(outBucket+"/copy.png", map[string]string{"X-Amz-Copy-Source": outBucket + "/" + long}, ""),
			status: 400, code: "KeyTooLongError"},
		{name: "copy from a missing key", send: put(outBucket+"/copy.png", map[string]string{"X-Amz-Copy-Source": outBucket + "/missing.png"}, ""),
			status: 404, code: "NoSuchKey"},
		{name: "copy from an invalid UTF-8 key", send: put(outBucket+"/copy.png", map[string]string{"X-Amz-Copy-Source": outBucket + "/%FF"}, ""),
			status: 400, code: "InvalidArgument"},
		{name: "multipart upload of a key of 1,025 bytes", send: post(outBucket+"/"+long+"?uploads", nil, ""), status: 400, code: "KeyTooLongError"},
		{name: "bucket name with capitals", send: put("BadBucket", nil, ""), status: 400, code: "InvalidBucketName"},
		{name: "bucket name xn--", send: put("xn--bucket", nil, ""), status: 400, code: "InvalidBucketName"},
		{name: "bucket name of two characters", send: put("ab", nil, ""), status: 400, code: "InvalidBucketName"},
		{name: "bucket name ending -s3alias", send: put("my-bucket-s3alias", nil, ""), status: 400, code: "InvalidBucketName"},
		{name: "bucket name starting sthree-", send: put("sthree-bucket", nil, ""), status: 400, code: "InvalidBucketName"},
		{name: "listing of a missing bucket", send: method("GET", "no-such-bucket?list-type=2", nil), status: 404, code: "NoSuchBucket"},
		{name: "object into a missing bucket", send: put("no-such-bucket/x.png", nil, "x"), status: 404, code: "NoSuchBucket"},
		{name: "HEAD of a missing bucket", send: method("HEAD", "no-such-bucket", nil), status: 404},
		{name: "DELETE of a bucket holding objects", send: method("DELETE", outBucket, nil), status: 409, code: "BucketNotEmpty"},
		{name: "uploads of a missing bucket", send: method("GET", "no-such-bucket?uploads", nil), status: 404, code: "NoSuchBucket"},
		{name: "PUT ?acl", send: put(inBucket+"?acl", nil, "<AccessControlPolicy/>"), status: 501, code: "NotImplemented"},
		{name: "PUT ?policy", send: put(inBucket+"?policy", nil, `{"Statement": []}`), status: 501, code: "NotImplemented"},
		{name: "PUT ?lifecycle", send: put(inBucket+"?lifecycle", nil, "<LifecycleConfiguration/>"), status: 501, code: "NotImplemented"},
		{name: "PUT ?tagging on an object", send: put(outBucket+"/"+canaryKey+"?tagging", nil, "<Tagging/>"), status: 501, code: "NotImplemented"},
		{name: "GET ?policy", send: method("GET", inBucket+"?policy", nil), status: 404, code: "NoSuchBucketPolicy"},
		{name: "GET ?website", send: method("GET", inBucket+"?website", nil), status: 404, code: "NoSuchWebsiteConfiguration"},
		{name: "GET ?lifecycle", send: method("GET", inBucket+"?lifecycle", nil), status: 404, code: "NoSuchLifecycleConfiguration"},
		{name: "GET ?tagging of a bucket", send: method("GET", inBucket+"?tagging", nil), status: 404, code: "NoSuchTagSet"},
		{name: "UploadPartCopy", send: put(outBucket+"/mp.bin?partNumber=1&uploadId=x", map[string]string{"X-Amz-Copy-Source": outBucket + "/" + canaryKey}, ""),
			status: 501, code: "NotImplemented"},
		{name: "?versions on an object", send: method("GET", outBucket+"/"+canaryKey+"?versions", nil), status: 405, code: "MethodNotAllowed"},
		{name: "POST ?select", send: post(outBucket+"/"+canaryKey+"?select&select-type=2", nil, "<SelectObjectContentRequest/>"), status: 501, code: "NotImplemented"},
		{name: "POST ?restore", send: post(outBucket+"/"+canaryKey+"?restore", nil, "<RestoreRequest/>"), status: 501, code: "NotImplemented"},
		{name: "range whose end is before its start is ignored", send: ranged("bytes=5-3"), status: 200},
		{name: "range of another unit is ignored", send: ranged("items=0-1"), status: 200},
		{name: "range of the last 0 bytes", send: method("GET", outBucket+"/"+canaryKey, map[string]string{"Range": "bytes=-0"}), status: 416, code: "InvalidRange"},
		{name: "marker with an invalid UTF-8 byte", send: method("GET", inBucket+"?marker=%FF", nil), status: 400, code: "InvalidURI"},
		{name: "start-after with an invalid UTF-8 byte", send: method("GET", inBucket+"?list-type=2&start-after=%FE", nil), status: 400, code: "InvalidURI"},
		{name: "delimiter with an invalid UTF-8 byte", send: method("GET", inBucket+"?list-type=2&delimiter=%C0", nil), status: 400, code: "InvalidURI"},
		{name: "max-keys 0", send: method("GET", inBucket+"?list-type=2&max-keys=0", nil), status: 200},
		{name: "notification for an event S3 does not have", send: notification(`<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>` +
			demoARN + `</CloudFunction><Event>s3:ObjectCreated:Nope</Event></CloudFunctionConfiguration></NotificationConfiguration>`), status: 400, code: "InvalidArgument"},
		{name: "notification with a filter rule named middle", send: notification(`<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>` +
			demoARN + `</CloudFunction><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>middle</Name><Value>x</Value></FilterRule></S3Key></Filter>` +
			`</CloudFunctionConfiguration></NotificationConfiguration>`), status: 400, code: "InvalidArgument"},
		{name: "notification with the prefix rule twice", send: notification(`<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>` +
			demoARN + `</CloudFunction><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>a</Value></FilterRule>` +
			`<FilterRule><Name>prefix</Name><Value>b</Value></FilterRule></S3Key></Filter></CloudFunctionConfiguration></NotificationConfiguration>`), status: 400, code: "InvalidArgument"},
		{name: "notification for a missing bucket", send: put("no-such-bucket?notification", nil, "<NotificationConfiguration/>"), status: 404, code: "NoSuchBucket"},
	}
}

// post sends a POST with a body.
func post(path string, header map[string]string, body string) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer { return h.raw(t, "POST", "/"+path, header, body) }
}

// withMD5 sends body with its Content-MD5.
func withMD5(m, path, body string) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer { return h.raw(t, m, "/"+path, contentMD5(body), body) }
}

func preflight(origin, m string) func(*testing.T, *hostileLab) answer {
	header := map[string]string{"Access-Control-Request-Method": m}
	if origin != "" {
		header["Origin"] = origin
	}
	return method("OPTIONS", outBucket+"/"+canaryKey, header)
}

func corsDoc(m, origin string) string {
	return "<CORSConfiguration><CORSRule><AllowedOrigin>" + origin + "</AllowedOrigin><AllowedMethod>" + m + "</AllowedMethod></CORSRule></CORSConfiguration>"
}

func corsRules(n int) string {
	rule := "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>"
	return "<CORSConfiguration>" + strings.Repeat(rule, n) + "</CORSConfiguration>"
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// v2Fields are a SigV2 form's fields for key, its policy allowing bucket
// for an hour (the lab checks no SigV2 signature of a key it did not
// issue).
func v2Fields(key, bucket string) map[string]string {
	doc := `{"expiration": "` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `", "conditions": [{"bucket": "` + bucket +
		`"}, ["starts-with", "$key", ""]]}`
	return map[string]string{"key": key, "AWSAccessKeyId": "test", "signature": "unchecked", "policy": b64(doc)}
}

func withField(f map[string]string, name, value string) map[string]string {
	f[name] = value
	return f
}

// form posts fields and files copies of a file to bucket.
func form(bucket string, fields map[string]string, files int) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range fields {
			w.WriteField(k, v)
		}
		for range files {
			fw, _ := w.CreateFormFile("file", "f.txt")
			fw.Write([]byte("form file"))
		}
		w.Close()
		return h.raw(t, "POST", "/"+bucket, map[string]string{"Content-Type": w.FormDataContentType()}, buf.String())
	}
}

func rawPost(bucket, ctype, body string) func(*testing.T, *hostileLab) answer {
	return post(bucket, map[string]string{"Content-Type": ctype}, body)
}

// signedForm posts a file of size bytes with a form the SDK presigned for
// the root (with conditions), changed by mutate.
func signedForm(bucket, key string, size int, mutate func(map[string]string), conditions ...any) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer {
		u, fields := presignPostWith(t, h, bucket, key, conditions)
		if mutate != nil {
			mutate(fields)
		}
		return postForm(t, u, fields, bytes.Repeat([]byte("f"), size))
	}
}

func presignPostWith(t *testing.T, h *hostileLab, bucket, key string, conditions []any) (string, map[string]string) {
	t.Helper()
	return presignPost(t, h.Client, bucket, key, func(o *s3.PresignPostOptions) { o.Conditions = conditions })
}

func roleForm(t *testing.T, h *hostileLab) answer {
	creds := h.FunctionCredentials("cis-exercise-demo")
	role := labtest.Client(h.Endpoint, creds.AccessKeyID, creds.SecretAccessKey)
	u, fields := presignPost(t, role, inBucket, "role.png")
	return postForm(t, u, fields, []byte("png"))
}
