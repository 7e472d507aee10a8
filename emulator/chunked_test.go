package emulator_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// TestTrailingChecksumOverHTTPS: over HTTPS, current SDKs send a stream
// aws-chunked with a trailing CRC32 (what S3 calls
// STREAMING-UNSIGNED-PAYLOAD-TRAILER; the Go SDK signs it UNSIGNED-PAYLOAD).
// gofakes3 alone stores the chunk framing; the lab must store the payload.
func TestTrailingChecksumOverHTTPS(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	srv := httptest.NewTLSServer(lab.Handler())
	defer srv.Close()
	var sentEncoding, sentTrailer string
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:   &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}},
		// What config.LoadDefaultConfig gives a current SDK.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		APIOptions: []func(*middleware.Stack) error{func(s *middleware.Stack) error {
			return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("spy", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				if r, ok := in.Request.(*smithyhttp.Request); ok {
					sentEncoding, sentTrailer = r.Header.Get("Content-Encoding"), r.Header.Get("X-Amz-Trailer")
				}
				return next.HandleDeserialize(ctx, in)
			}), middleware.After)
		}},
	})
	body := bytes.Repeat([]byte("lambdalab "), 10000)
	// A body that cannot seek makes the SDK stream it with a trailer.
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("cis-examples-output"), Key: aws.String("chunked.txt"),
		Body: struct{ io.Reader }{bytes.NewReader(body)}, ContentLength: aws.Int64(int64(len(body))),
	})
	if err != nil {
		t.Fatal(err)
	}
	if sentEncoding != "aws-chunked" || !strings.HasPrefix(sentTrailer, "x-amz-checksum-") {
		t.Fatalf("the SDK sent Content-Encoding %q, X-Amz-Trailer %q; this test needs a trailing-checksum upload", sentEncoding, sentTrailer)
	}
	_, got := lab.Get(t, "cis-examples-output", "chunked.txt")
	if !bytes.Equal(got, body) {
		t.Fatalf("stored %d bytes (starting %q), want the %d-byte payload", len(got), got[:min(len(got), 20)], len(body))
	}
}

// chunkedBody frames payload as aws-chunked; ext is a chunk extension such
// as ";chunk-signature=…" (signed chunks).
func chunkedBody(payload []byte, chunk int, ext, trailer string) string {
	var b strings.Builder
	for i := 0; i < len(payload); i += chunk {
		end := min(i+chunk, len(payload))
		fmt.Fprintf(&b, "%x%s\r\n%s\r\n", end-i, ext, payload[i:end])
	}
	b.WriteString("0" + ext + "\r\n")
	if trailer != "" {
		b.WriteString(trailer + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

func TestAWSChunkedBodies(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	payload := []byte("hello chunked world, with a trailing checksum")
	sum := crc32.ChecksumIEEE(payload)
	good := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
	cases := []struct {
		name, sha, trailerHeader, body string
		status                         int
		code                           string
	}{
		{"unsigned with trailer", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32",
			chunkedBody(payload, 10, "", "x-amz-checksum-crc32:"+good), 200, ""},
		{"signed chunks", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "",
			chunkedBody(payload, 16, ";chunk-signature="+strings.Repeat("0", 64), ""), 200, ""},
		{"wrong trailing checksum", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-checksum-crc32",
			chunkedBody(payload, 10, "", "x-amz-checksum-crc32:AAAAAA=="), 400, "BadDigest"},
		{"truncated", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "", "ff\r\nshort", 400, "IncompleteBody"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := fmt.Sprintf("chunked-%d.txt", i)
			req, _ := http.NewRequest(http.MethodPut, lab.Endpoint+"/cis-examples-output/"+key, strings.NewReader(tc.body))
			req.Header.Set("X-Amz-Content-Sha256", tc.sha)
			req.Header.Set("Content-Encoding", "aws-chunked")
			req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(payload)))
			if tc.trailerHeader != "" {
				req.Header.Set("X-Amz-Trailer", tc.trailerHeader)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			buf.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || !strings.Contains(buf.String(), tc.code) {
				t.Fatalf("status %d %s, want %d %s", resp.StatusCode, buf.String(), tc.status, tc.code)
			}
			if tc.status == 200 {
				out, got := lab.Get(t, "cis-examples-output", key)
				if !bytes.Equal(got, payload) {
					t.Fatalf("stored %q", got)
				}
				if out.ContentEncoding != nil {
					t.Errorf("aws-chunked leaked into Content-Encoding: %q", *out.ContentEncoding)
				}
			}
		})
	}
}
