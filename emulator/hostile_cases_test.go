package emulator_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator/notify"
)

// AWS's messages the corpus expects.
const (
	msgKeyTooLong   = "Your key is too long"
	msgInvalidURI   = "Couldn't parse the specified URI."
	msgMetadata     = "Your metadata headers exceed the maximum allowed metadata size"
	msgMalformedXML = "The XML you provided was not well-formed or did not validate against our published schema"
	msgNoSuchUpload = "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
	msgPartNumber   = "Part number must be an integer between 1 and 10000, inclusive"
	msgMaxKeysRange = "Argument maxKeys must be an integer between 0 and 2147483647"
	msgMaxKeysInt   = "Provided max-keys not an integer or within integer range"
)

// hostileCorpus is the table of hostile inputs and S3's answers.
func hostileCorpus() []hostileCase {
	long := strings.Repeat("k", 1025)
	cases := []hostileCase{
		// Keys.
		{name: "key of 1,025 bytes through the SDK", send: sdkPut(inBucket, long, nil),
			status: 400, code: "KeyTooLongError", message: msgKeyTooLong},
		{name: "key of 1,025 bytes", send: put(inBucket+"/"+long, nil, "x"),
			status: 400, code: "KeyTooLongError", message: msgKeyTooLong, fields: map[string]string{"Size": "1025", "MaxSizeAllowed": "1024"}},
		{name: "key of 342 euro signs is 1,026 bytes", send: put(inBucket+"/"+url.PathEscape(strings.Repeat("€", 342)), nil, "x"),
			status: 400, code: "KeyTooLongError", fields: map[string]string{"Size": "1026"}},
		{name: "key of exactly 1,024 bytes is accepted", send: put(outBucket+"/"+strings.Repeat("x", 1024), nil, "x"),
			status: 200, stores: outBucket + "/" + strings.Repeat("x", 1024)},
		{name: "GET of a key over 1,024 bytes", send: method("GET", inBucket+"/"+long, nil),
			status: 400, code: "KeyTooLongError", message: msgKeyTooLong},
		{name: "key with an invalid UTF-8 byte", send: put(inBucket+"/bad%FF.png", nil, "x"),
			status: 400, code: "InvalidURI", message: msgInvalidURI},
		{name: "key with an overlong UTF-8 slash", send: put(inBucket+"/a%C0%AF..%C0%AFb", nil, "x"),
			status: 400, code: "InvalidURI", message: msgInvalidURI},
		{name: "key with a UTF-8 surrogate", send: put(inBucket+"/%ED%A0%80.png", nil, "x"),
			status: 400, code: "InvalidURI", message: msgInvalidURI},
		{name: "key with control characters is stored as sent", send: sdkPut(outBucket, "ctl\x01\x1b\x7f\r\n.txt", nil),
			status: 200, stores: outBucket + "/ctl\x01\x1b\x7f\r\n.txt"},
		{name: "key with a null byte is stored as sent", send: put(outBucket+"/nul%00byte", nil, "x"),
			status: 200, stores: outBucket + "/nul\x00byte"},
		{name: "key .. is a name, not a path", send: put(outBucket+"/..", nil, "x"),
			status: 200, stores: outBucket + "/.."},
		{name: "key ../x through the SDK", send: sdkPut(outBucket, "../x", nil),
			status: 200, stores: outBucket + "/../x"},
		{name: "key a/../../b", send: put(outBucket+"/a/../../b", nil, "x"),
			status: 200, stores: outBucket + "/a/../../b"},
		{name: "key climbing into another bucket stays in its own", send: put(outBucket+"/../../"+inBucket+"/escape.png", nil, "x"),
			status: 200, stores: outBucket + "/../../" + inBucket + "/escape.png"},
		{name: "key of only a slash", send: put(outBucket+"//", nil, "x"),
			status: 200, stores: outBucket + "//"},
		{name: "empty key on PUT is CreateBucket with a body that is not XML", send: put(inBucket+"/", nil, "image bytes"),
			status: 400, code: "MalformedXML", message: msgMalformedXML},
		// Listing parameters.
		{name: "prefix with an invalid UTF-8 byte", send: method("GET", inBucket+"?list-type=2&prefix=%FF", nil),
			status: 400, code: "InvalidURI", message: msgInvalidURI},
		{name: "max-keys negative", send: method("GET", inBucket+"?list-type=2&max-keys=-1", nil),
			status: 400, code: "InvalidArgument", message: msgMaxKeysRange, fields: map[string]string{"ArgumentName": "maxKeys", "ArgumentValue": "-1"}},
		{name: "max-keys beyond 32 bits", send: method("GET", inBucket+"?max-keys=99999999999", nil),
			status: 400, code: "InvalidArgument", message: msgMaxKeysInt, fields: map[string]string{"ArgumentName": "max-keys"}},
		{name: "max-keys not a number", send: method("GET", inBucket+"?list-type=2&max-keys=ten", nil),
			status: 400, code: "InvalidArgument", message: msgMaxKeysInt, fields: map[string]string{"ArgumentValue": "ten"}},
		{name: "max-keys of two billion is capped, not refused", send: method("GET", inBucket+"?list-type=2&max-keys=2147483647", nil),
			status: 200},
		{name: "encoding-type other than url", send: method("GET", inBucket+"?list-type=2&encoding-type=base64", nil),
			status: 400, code: "InvalidArgument", fields: map[string]string{"ArgumentName": "encoding-type"}},
		{name: "continuation token that is not one", send: method("GET", inBucket+"?list-type=2&continuation-token=%21%21%21", nil),
			status: 400, code: "InvalidArgument", fields: map[string]string{"ArgumentName": "continuation-token"}},
		// Metadata and headers.
		{name: "metadata of 2,049 bytes", send: sdkPut(inBucket, "meta.png", map[string]string{"k": strings.Repeat("v", 2048)}),
			status: 400, code: "MetadataTooLarge", message: msgMetadata},
		{name: "metadata of exactly 2,048 bytes is accepted", send: sdkPut(outBucket, "meta.txt", map[string]string{"k": strings.Repeat("v", 2047)}),
			status: 200, stores: outBucket + "/meta.txt"},
		{name: "metadata over 100 headers", send: put(inBucket+"/meta100.png", hundredMetaHeaders(), "x"),
			status: 400, code: "MetadataTooLarge", fields: map[string]string{"Size": "2800", "MaxSizeAllowed": "2048"}},
		{name: "16 KB header section", send: method("GET", "", map[string]string{"X-Pad": strings.Repeat("a", 16<<10)}),
			status: 400, code: "RequestHeaderSectionTooLarge", message: "Your request header section exceeds the maximum allowed size.",
			fields: map[string]string{"MaxSizeAllowed": "8192"}},
		{name: "2 MB header is refused by the HTTP server", send: tcp("GET / HTTP/1.1\r\nHost: lab\r\nX-Pad: "+strings.Repeat("a", 2<<20)+"\r\n\r\n", false),
			status: 431},
		// Bodies.
		{name: "Content-Length larger than the body", send: tcp(putHead(inBucket+"/liar.png", "1048576")+"only ten b", false),
			status: 400, code: "IncompleteBody", message: "You did not provide the number of bytes specified by the Content-Length HTTP header"},
		{name: "Content-Length smaller than the body", send: shortLength,
			status: 200, stores: outBucket + "/short.txt"},
		{name: "body cut off by a dropped connection", send: tcp(putHead(inBucket+"/cut.png", "1000")+"0123456789", true),
			status: 0},
		{name: "Content-Length of 6 GiB", send: tcp(putHead(inBucket+"/huge.png", "6442450944")+"tiny", false),
			status: 400, code: "EntityTooLarge", fields: map[string]string{"ProposedSize": "6442450944", "MaxSizeAllowed": "5368709120"}},
		{name: "Content-MD5 that is not base64", send: put(inBucket+"/md5.png", map[string]string{"Content-MD5": "not base64!"}, "hello"),
			status: 400, code: "InvalidDigest", message: "The Content-MD5 you specified was invalid."},
		{name: "Content-MD5 of other bytes", send: put(inBucket+"/md5.png", map[string]string{"Content-MD5": md5Of("other")}, "hello"),
			status: 400, code: "BadDigest", message: "The Content-MD5 you specified did not match what we received."},
		{name: "x-amz-checksum-crc32 of other bytes", send: put(inBucket+"/crc.png", map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA=="}, "hello"),
			status: 400, code: "BadDigest", message: "The CRC32 you specified did not match the calculated checksum."},
		{name: "x-amz-checksum-sha256 that is not a SHA-256", send: put(inBucket+"/sha.png", map[string]string{"X-Amz-Checksum-Sha256": "abc"}, "hello"),
			status: 400, code: "InvalidRequest", message: "Value for x-amz-checksum-sha256 header is invalid."},
	}
	cases = append(cases, hostileCorpus2()...)
	cases = append(cases, hostileCorpus3()...)
	return append(cases, hostileCorpus4()...)
}

// hostileCorpus2 is the rest of the corpus: notification documents, bucket
// names, copy sources, multipart uploads, ranges, sub-resources, policies.
func hostileCorpus2() []hostileCase {
	return []hostileCase{
		{name: "notification that is not XML", send: notification("{\"LambdaFunctionConfigurations\": []}"),
			status: 400, code: "MalformedXML", message: msgMalformedXML},
		{name: "notification with an entity bomb", send: notification(billionLaughs()),
			status: 400, code: "MalformedXML", message: msgMalformedXML},
		{name: "notification nested 100,000 deep", send: notification("<NotificationConfiguration>" + strings.Repeat("<a>", 100000)),
			status: 400, code: "MalformedXML", message: msgMalformedXML},
		{name: "notification of 2 MB", send: notification("<NotificationConfiguration>" + strings.Repeat(" ", 2<<20) + "</NotificationConfiguration>"),
			status: 400, code: "MalformedXML", message: msgMalformedXML},
		{name: "notification with an unknown element", send: notification(`<NotificationConfiguration><CloudFunctionConfiguration>` +
			`<CloudFunction>` + demoARN + `</CloudFunction><Event>s3:ObjectCreated:Put</Event><Bogus>1</Bogus></CloudFunctionConfiguration></NotificationConfiguration>`),
			status: 400, code: "MalformedXML", message: msgMalformedXML},
		{name: "notification to a missing function", send: func(t *testing.T, h *hostileLab) answer {
			return sdk(putNotification(h.Lab, inBucket, types.LambdaFunctionConfiguration{
				LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:nope"), Events: []types.Event{"s3:ObjectCreated:*"}}))
		}, status: 400, code: "InvalidArgument", message: notify.MsgDestination},
		{name: "bucket name with capitals and an underscore", send: func(t *testing.T, h *hostileLab) answer {
			_, err := h.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("Bad_Bucket")})
			return sdk(err)
		}, status: 400, code: "InvalidBucketName", message: "The specified bucket is not valid."},
		{name: "bucket name ..", send: put("..", nil, ""), status: 400, code: "InvalidBucketName"},
		{name: "bucket name that is an IP address", send: put("192.168.0.1", nil, ""), status: 400, code: "InvalidBucketName"},
		{name: "bucket name of 64 characters", send: put(strings.Repeat("b", 64), nil, ""), status: 400, code: "InvalidBucketName"},
		{name: "copy source ../../etc/passwd", send: put(inBucket+"/copy.png", map[string]string{"X-Amz-Copy-Source": "../../etc/passwd"}, ""),
			status: 404, code: "NoSuchBucket"},
		{name: "copy source without a key", send: put(inBucket+"/copy.png", map[string]string{"X-Amz-Copy-Source": outBucket}, ""),
			status: 400, code: "InvalidArgument", message: "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
			fields: map[string]string{"ArgumentName": "x-amz-copy-source", "ArgumentValue": outBucket}},
		{name: "copy source in a missing bucket", send: put(inBucket+"/copy.png", map[string]string{"X-Amz-Copy-Source": "/no-such-bucket/cat.png"}, ""),
			status: 404, code: "NoSuchBucket"},
		{name: "copy source with a broken escape", send: put(inBucket+"/copy.png", map[string]string{"X-Amz-Copy-Source": outBucket + "/%zz"}, ""),
			status: 400, code: "InvalidArgument", fields: map[string]string{"ArgumentName": "x-amz-copy-source"}},
		{name: "part number 0", send: uploadPart("0"), status: 400, code: "InvalidArgument", message: msgPartNumber,
			fields: map[string]string{"ArgumentName": "partNumber", "ArgumentValue": "0"}},
		{name: "part number 10001", send: uploadPart("10001"), status: 400, code: "InvalidArgument", message: msgPartNumber},
		{name: "upload id that does not exist", send: func(t *testing.T, h *hostileLab) answer {
			_, err := h.Client.UploadPart(context.Background(), &s3.UploadPartInput{Bucket: aws.String(inBucket), Key: aws.String("mp.png"),
				UploadId: aws.String("no-such-upload"), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
			return sdk(err)
		}, status: 404, code: "NoSuchUpload", message: msgNoSuchUpload},
		{name: "empty upload id on PUT does not store the object", send: put(inBucket+"/mp.png?partNumber=1&uploadId=", nil, "x"),
			status: 404, code: "NoSuchUpload"},
		{name: "empty upload id on DELETE does not delete the object", send: method("DELETE", outBucket+"/"+canaryKey+"?uploadId=", nil),
			status: 404, code: "NoSuchUpload"},
		{name: "complete an upload that does not exist", send: func(t *testing.T, h *hostileLab) answer {
			_, err := h.Client.CompleteMultipartUpload(context.Background(), completeInput(inBucket, "mp.png", aws.String("no-such-upload"),
				[]s3types{{1, `"0123456789abcdef0123456789abcdef"`}}))
			return sdk(err)
		}, status: 404, code: "NoSuchUpload"},
		{name: "range beyond the object", send: method("GET", outBucket+"/"+canaryKey, map[string]string{"Range": "bytes=1000000-2000000"}),
			status: 416, code: "InvalidRange", message: "The requested range is not satisfiable",
			fields: map[string]string{"RangeRequested": "bytes=1000000-2000000"}},
		{name: "suffix range longer than the object is the whole object", send: ranged("bytes=-99999999"), status: 206},
		{name: "range that does not parse is ignored", send: ranged("bytes=ten-twenty"), status: 200},
		{name: "several ranges are ignored", send: ranged("bytes=0-1,5-6"), status: 200},
		{name: "?versioning on an object is not a bucket call", send: versioningOnObject,
			status: 405, code: "MethodNotAllowed"},
		{name: "policy cut short", send: policy(`{"Version": "2012-10-17", "Statement": [`),
			code: "MalformedPolicyDocument", message: "1:41"},
		{name: "policy followed by a second document", send: policy(`{"Version": "2012-10-17", "Statement": []} {"Statement": []}`),
			code: "MalformedPolicyDocument", message: "1:44"},
		{name: "policy missing a comma", send: policy("{\"Version\": \"2012-10-17\"\n  \"Statement\": []}"),
			code: "MalformedPolicyDocument", message: "2:3"},
		{name: "policy whose Statement is a number", send: policy(`{"Version": "2012-10-17", "Statement": 42}`),
			code: "MalformedPolicyDocument", message: "1:40"},
		{name: "policy nested 100,000 deep", send: policy(`{"Version": "2012-10-17", "Statement": ` + strings.Repeat("[", 100000)),
			code: "MalformedPolicyDocument"},
	}
}

// put sends a PUT of body to path (bucket/key, escaped as written).
func put(path string, header map[string]string, body string) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer { return h.raw(t, "PUT", "/"+path, header, body) }
}

// method sends a request without a body.
func method(m, path string, header map[string]string) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer { return h.raw(t, m, "/"+path, header, "") }
}

// tcp sends raw bytes (see hostileLab.tcp).
func tcp(request string, hangUp bool) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer { return h.tcp(t, request, hangUp) }
}

// putHead is the head of a PUT with the given Content-Length.
func putHead(path, length string) string {
	return "PUT /" + path + " HTTP/1.1\r\nHost: lab\r\nContent-Length: " + length + "\r\n\r\n"
}

// sdkPut uploads through the SDK, as a program would.
func sdkPut(bucket, key string, meta map[string]string) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer {
		_, err := h.Client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
			Body: strings.NewReader("x"), Metadata: meta})
		return sdk(err)
	}
}

// shortLength sends more body than its Content-Length: S3 (any HTTP server)
// takes the declared bytes; the rest is not part of the object.
func shortLength(t *testing.T, h *hostileLab) answer {
	a := h.tcp(t, putHead(outBucket+"/short.txt", "5")+"hello, and then some", false)
	if _, got := h.Get(t, outBucket, "short.txt"); string(got) != "hello" {
		t.Errorf("stored %q, want the 5 declared bytes", got)
	}
	return a
}

func hundredMetaHeaders() map[string]string {
	m := map[string]string{}
	for i := range 100 {
		m[fmt.Sprintf("X-Amz-Meta-K%02d", i)] = strings.Repeat("a", 25)
	}
	return m
}

func md5Of(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// notification PUTs a notification configuration document on the
// triggered bucket.
func notification(doc string) func(*testing.T, *hostileLab) answer {
	return put(inBucket+"?notification", nil, doc)
}

// billionLaughs is the classic entity-expansion bomb.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">`)
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, `<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString(`]><NotificationConfiguration>&lol9;</NotificationConfiguration>`)
	return b.String()
}

// uploadPart starts a multipart upload and sends a part with partNumber.
func uploadPart(partNumber string) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer {
		mp, err := h.Client.CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: aws.String(inBucket), Key: aws.String("mp.png")})
		if err != nil {
			t.Fatal(err)
		}
		return h.raw(t, "PUT", "/"+inBucket+"/mp.png?partNumber="+partNumber+"&uploadId="+url.QueryEscape(aws.ToString(mp.UploadId)), nil, "part")
	}
}

// ranged GETs the canary with a Range header; whatever the status, the
// bytes must be the whole canary.
func ranged(r string) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer {
		out, err := h.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(outBucket), Key: aws.String(canaryKey), Range: aws.String(r)})
		if err != nil {
			return sdk(err)
		}
		defer out.Body.Close()
		if got, err := io.ReadAll(out.Body); err != nil || !bytes.Equal(got, h.canary) {
			t.Errorf("Range %s gave %d bytes (%v), want the whole %d", r, len(got), err, len(h.canary))
		}
		status := 200
		if out.ContentRange != nil {
			status = 206
		}
		return answer{status: status}
	}
}

// versioningOnObject sends ?versioning on an object path; gofakes3 alone
// would switch versioning on for the bucket, and our write path would emit
// an event for an object never written.
func versioningOnObject(t *testing.T, h *hostileLab) answer {
	a := h.raw(t, "PUT", "/"+inBucket+"/v.png?versioning", nil,
		`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`)
	v, err := h.Client.GetBucketVersioning(context.Background(), &s3.GetBucketVersioningInput{Bucket: aws.String(inBucket)})
	if err != nil {
		t.Errorf("GetBucketVersioning: %v", err)
	} else if v.Status != "" {
		t.Errorf("versioning of %s is now %q", inBucket, v.Status)
	}
	return a
}

// policy replaces the demo function's role policy through the lab API.
func policy(doc string) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer {
		return policyAnswer(h.SetRolePolicy("cis-exercise-demo", []byte(doc)))
	}
}
