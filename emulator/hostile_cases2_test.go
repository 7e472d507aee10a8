package emulator_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The corpus's second half: what the hardening of issue 14 refuses — bodies
// that lie or stall, conditional requests, multipart completions, CORS,
// form uploads, DeleteObjects — and more keys, buckets, sub-resources,
// ranges and listings.

const (
	msgPrecondition = "At least one of the pre-conditions you specified did not hold"
	msgTimeout      = "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."
	msgNoChecksum   = "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"
	otherETag       = `"ffffffffffffffffffffffffffffffff"`
)

// hostileCorpus3 covers bodies, conditional requests and multipart
// uploads.
func hostileCorpus3() []hostileCase {
	return append(bodyCases(), conditionCases()...)
}

// bodyCases are bodies that lie, stall or are malformed.
func bodyCases() []hostileCase {
	return []hostileCase{
		{name: "Content-Length of exactly 5 GiB with 100 bytes", send: tcp(putHead(inBucket+"/five.png", "5368709120")+strings.Repeat("x", 100), false),
			status: 400, code: "IncompleteBody"},
		{name: "Content-Length of 5 GiB and one byte", send: tcp(putHead(inBucket+"/five.png", "5368709121")+"x", false),
			status: 400, code: "EntityTooLarge", fields: map[string]string{"ProposedSize": "5368709121"}},
		{name: "body sent chunked without a length", send: tcp("PUT /"+inBucket+"/chunked.png HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false),
			status: 411, code: "MissingContentLength", message: "You must provide the Content-Length HTTP header."},
		{name: "negative Content-Length", send: tcp(putHead(inBucket+"/neg.png", "-5")+"hello", false), status: 400},
		{name: "Content-Length that is not a number", send: tcp(putHead(inBucket+"/nan.png", "ten")+"hello", false), status: 400},
		{name: "two different Content-Lengths", send: tcp("PUT /"+inBucket+"/two.png HTTP/1.1\r\nHost: lab\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", false),
			status: 400},
		{name: "aws-chunked with a chunk size that is not hex", send: chunked("zz\r\nhello\r\n0\r\n\r\n", nil), status: 400, code: "IncompleteBody"},
		{name: "aws-chunked ending inside a chunk", send: chunked("a\r\nhello", nil), status: 400, code: "IncompleteBody"},
		{name: "aws-chunked shorter than its decoded length", send: chunked("5\r\nhello\r\n0\r\n\r\n", map[string]string{"X-Amz-Decoded-Content-Length": "9"}),
			status: 400, code: "IncompleteBody"},
		{name: "aws-chunked without its trailing checksum", send: chunked("5\r\nhello\r\n0\r\n\r\n", map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32"}),
			status: 400, code: "IncompleteBody"},
		{name: "aws-chunked with a wrong trailing checksum", send: chunked("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32"}),
			status: 400, code: "BadDigest", message: "The CRC32 you specified did not match the calculated checksum."},
		{name: "Content-MD5 of 15 bytes", send: put(inBucket+"/md5.png", map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAA"}, "hello"),
			status: 400, code: "InvalidDigest"},
		{name: "empty Content-MD5", send: put(inBucket+"/md5.png", map[string]string{"Content-MD5": ""}, "hello"), status: 400, code: "InvalidDigest"},
		{name: "x-amz-checksum-crc32c of other bytes", send: put(inBucket+"/crc.png", map[string]string{"X-Amz-Checksum-Crc32c": "AAAAAA=="}, "hello"),
			status: 400, code: "BadDigest"},
		{name: "x-amz-checksum-sha1 of other bytes", send: put(inBucket+"/sha.png", map[string]string{"X-Amz-Checksum-Sha1": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="}, "hello"),
			status: 400, code: "BadDigest"},
		{name: "x-amz-checksum-crc64nvme that is not one", send: put(inBucket+"/crc.png", map[string]string{"X-Amz-Checksum-Crc64nvme": "AAAA"}, "hello"),
			status: 400, code: "InvalidRequest"},
		{name: "a body that stops arriving", send: stall("PUT /"+inBucket+"/stalled.png", 100, "part"), status: 400, code: "RequestTimeout", message: msgTimeout},
		{name: "a part that stops arriving", send: stall("PUT /"+inBucket+"/stalled.png?partNumber=1&uploadId=x", 100, "part"),
			status: 400, code: "RequestTimeout"},
		{name: "a DeleteObjects body that stops arriving", send: stall("POST /"+outBucket+"?delete", 100, "<Delete>"), status: 400, code: "RequestTimeout"},
		{name: "a notification that stops arriving", send: stall("PUT /"+inBucket+"?notification", 100, "<Notif"), status: 400, code: "RequestTimeout"},
		{name: "a form that stops arriving", send: stall("POST /"+outBucket, 100, "--x\r\n"), status: 400, code: "RequestTimeout"},
	}
}

// conditionCases are conditional requests and multipart completions.
func conditionCases() []hostileCase {
	return []hostileCase{
		{name: "If-None-Match: * over the canary", send: put(outBucket+"/"+canaryKey, map[string]string{"If-None-Match": "*"}, "overwrite"),
			status: 412, code: "PreconditionFailed", message: msgPrecondition, fields: map[string]string{"Condition": "If-None-Match"}},
		{name: "If-None-Match: an ETag on PUT", send: put(outBucket+"/"+canaryKey, map[string]string{"If-None-Match": otherETag}, "overwrite"),
			status: 501, code: "NotImplemented", fields: map[string]string{"Header": "If-None-Match"}},
		{name: "If-None-Match: a weak ETag on PUT", send: put(outBucket+"/"+canaryKey, map[string]string{"If-None-Match": "W/" + otherETag}, "overwrite"),
			status: 501, code: "NotImplemented"},
		{name: "If-Match: another ETag over the canary", send: put(outBucket+"/"+canaryKey, map[string]string{"If-Match": otherETag}, "overwrite"),
			status: 412, code: "PreconditionFailed", fields: map[string]string{"Condition": "If-Match"}},
		{name: "If-Match of a missing key", send: put(outBucket+"/missing.txt", map[string]string{"If-Match": otherETag}, "x"),
			status: 404, code: "NoSuchKey"},
		{name: "If-Match: * of a missing key", send: put(outBucket+"/missing.txt", map[string]string{"If-Match": "*"}, "x"), status: 404, code: "NoSuchKey"},
		{name: "If-None-Match: * of a new key is stored", send: put(outBucket+"/conditional-new.txt", map[string]string{"If-None-Match": "*"}, "x"),
			status: 200, stores: outBucket + "/conditional-new.txt"},
		{name: "GET If-Match: another ETag", send: method("GET", outBucket+"/"+canaryKey, map[string]string{"If-Match": otherETag}),
			status: 412, code: "PreconditionFailed", fields: map[string]string{"Condition": "If-Match"}},
		{name: "HEAD If-Match: another ETag", send: method("HEAD", outBucket+"/"+canaryKey, map[string]string{"If-Match": otherETag}), status: 412},
		{name: "GET If-None-Match: *", send: method("GET", outBucket+"/"+canaryKey, map[string]string{"If-None-Match": "*"}), status: 304},
		{name: "GET If-Unmodified-Since 1990", send: method("GET", outBucket+"/"+canaryKey, map[string]string{"If-Unmodified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"}),
			status: 412, code: "PreconditionFailed", fields: map[string]string{"Condition": "If-Unmodified-Since"}},
		{name: "GET If-Modified-Since that is not a date", send: method("GET", outBucket+"/"+canaryKey, map[string]string{"If-Modified-Since": "soon"}), status: 200},
		{name: "GET If-Modified-Since in the future is ignored", send: method("GET", outBucket+"/"+canaryKey, map[string]string{"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}),
			status: 200},
		{name: "GET If-Match fails before a Range beyond the object", send: method("GET", outBucket+"/"+canaryKey, map[string]string{"If-Match": otherETag, "Range": "bytes=900000-"}),
			status: 412, code: "PreconditionFailed"},
		// Multipart completions.
		{name: "complete with parts 2, 1", send: complete(func(e []string) []s3types { return []s3types{{2, e[1]}, {1, e[0]}} }), status: 400, code: "InvalidPartOrder",
			message: "The list of parts was not in ascending order. The parts list must be specified in order by part number."},
		{name: "complete with part 1 twice", send: complete(func(e []string) []s3types { return []s3types{{1, e[0]}, {1, e[0]}} }), status: 400, code: "InvalidPartOrder"},
		{name: "complete with a part never uploaded", send: complete(func(e []string) []s3types { return []s3types{{1, e[0]}, {7, e[1]}} }), status: 400, code: "InvalidPart"},
		{name: "complete with another part's ETag", send: complete(func(e []string) []s3types { return []s3types{{1, e[1]}, {2, e[1]}} }), status: 400, code: "InvalidPart"},
		{name: "complete with part number 0", send: complete(func(e []string) []s3types { return []s3types{{0, e[0]}} }), status: 400, code: "InvalidPart"},
		{name: "complete with an empty list", send: completeRaw("<CompleteMultipartUpload/>"), status: 400, code: "MalformedXML", message: msgMalformedXML},
		{name: "complete with a body that is not XML", send: completeRaw("parts please"), status: 400, code: "MalformedXML"},
		{name: "complete with a first part of 4 bytes", send: completeSmall, status: 400, code: "EntityTooSmall",
			message: "Your proposed upload is smaller than the minimum allowed object size."},
		{name: "upload id 1 (a counter's first)", send: method("GET", outBucket+"/mp.bin?uploadId=1", nil), status: 404, code: "NoSuchUpload"},
		{name: "upload id that climbs out of the uploads folder", send: put(outBucket+"/mp.bin?partNumber=1&uploadId="+url.QueryEscape("../../etc/passwd"), nil, "x"),
			status: 404, code: "NoSuchUpload"},
		{name: "upload id of another key", send: otherKeysUpload, status: 404, code: "NoSuchUpload"},
		{name: "abort an upload twice", send: abortTwice, status: 404, code: "NoSuchUpload"},
		{name: "part number that is not a number", send: uploadPart("one"), status: 400, code: "InvalidArgument", message: msgPartNumber},
		{name: "part number -1", send: uploadPart("-1"), status: 400, code: "InvalidArgument"},
	}
}

// chunked PUTs an aws-chunked body (unsigned payload) to the triggered
// bucket.
func chunked(body string, header map[string]string) func(*testing.T, *hostileLab) answer {
	h := map[string]string{"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked"}
	for k, v := range header {
		h[k] = v
	}
	return put(inBucket+"/chunked.png", h, body)
}

// stall sends a request line and headers declaring length bytes, then sent,
// and waits (the connection open) for the lab's answer.
func stall(requestLine string, length int, sent string) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer {
		conn, err := net.Dial("tcp", strings.TrimPrefix(h.Endpoint, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(60 * time.Second)) // a failure bound
		ctype := ""
		if strings.HasPrefix(requestLine, "POST /"+outBucket+" ") || requestLine == "POST /"+outBucket {
			ctype = "Content-Type: multipart/form-data; boundary=x\r\n"
		}
		io.WriteString(conn, requestLine+" HTTP/1.1\r\nHost: lab\r\n"+ctype+"Content-Length: "+strconv.Itoa(length)+"\r\n\r\n"+sent)
		return readAnswer(t, conn)
	}
}

func readAnswer(t *testing.T, conn net.Conn) answer {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return answer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return parseAnswer(resp.StatusCode, b)
}

// mpParts starts an upload of outBucket/mp.bin with parts of the given
// sizes and returns its id and their ETags.
func mpParts(t *testing.T, h *hostileLab, sizes ...int) (*string, []string) {
	t.Helper()
	ctx := context.Background()
	mp, err := h.Client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(outBucket), Key: aws.String("mp.bin")})
	if err != nil {
		t.Fatal(err)
	}
	var etags []string
	for i, n := range sizes {
		out, err := h.Client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(outBucket), Key: aws.String("mp.bin"), UploadId: mp.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: strings.NewReader(strings.Repeat("p", n))})
		if err != nil {
			t.Fatal(err)
		}
		etags = append(etags, aws.ToString(out.ETag))
	}
	return mp.UploadId, etags
}

// complete uploads a 5 MiB part and a small one and completes with the
// list parts makes of their ETags.
func complete(parts func(etags []string) []s3types) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer {
		id, etags := mpParts(t, h, 5<<20, 10)
		_, err := h.Client.CompleteMultipartUpload(context.Background(), completeInput(outBucket, "mp.bin", id, parts(etags)))
		return sdk(err)
	}
}

// completeRaw completes an upload with body as the document.
func completeRaw(body string) func(*testing.T, *hostileLab) answer {
	return func(t *testing.T, h *hostileLab) answer {
		id, _ := mpParts(t, h, 10)
		return h.raw(t, "POST", "/"+outBucket+"/mp.bin?uploadId="+url.QueryEscape(*id), nil, body)
	}
}

func completeSmall(t *testing.T, h *hostileLab) answer {
	id, etags := mpParts(t, h, 4, 4)
	_, err := h.Client.CompleteMultipartUpload(context.Background(), completeInput(outBucket, "mp.bin", id, []s3types{{1, etags[0]}, {2, etags[1]}}))
	return sdk(err)
}

func otherKeysUpload(t *testing.T, h *hostileLab) answer {
	id, _ := mpParts(t, h)
	return h.raw(t, "PUT", "/"+outBucket+"/"+canaryKey+"?partNumber=1&uploadId="+url.QueryEscape(*id), nil, "overwrite")
}

func abortTwice(t *testing.T, h *hostileLab) answer {
	id, _ := mpParts(t, h, 10)
	in := &s3.AbortMultipartUploadInput{Bucket: aws.String(outBucket), Key: aws.String("mp.bin"), UploadId: id}
	if _, err := h.Client.AbortMultipartUpload(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	_, err := h.Client.AbortMultipartUpload(context.Background(), in)
	return sdk(err)
}
