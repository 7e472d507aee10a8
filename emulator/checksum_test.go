package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// checksumLab has one bucket and no triggers.
const checksumLab = "buckets:\n  - name: sums\n"

// sumOf is the base64 checksum S3 shows for body under algo.
func sumOf(algo types.ChecksumAlgorithm, body []byte) string {
	var raw []byte
	switch algo {
	case types.ChecksumAlgorithmCrc32:
		raw = binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(body))
	case types.ChecksumAlgorithmCrc32c:
		raw = binary.BigEndian.AppendUint32(nil, crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
	case types.ChecksumAlgorithmCrc64nvme:
		raw = binary.BigEndian.AppendUint64(nil, crc64.Checksum(body, crc64.MakeTable(0x9a6c9329ac4bc9b5)))
	case types.ChecksumAlgorithmSha1:
		s := sha1.Sum(body)
		raw = s[:]
	case types.ChecksumAlgorithmSha256:
		s := sha256.Sum256(body)
		raw = s[:]
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// checksums gathers the checksum fields of a PUT, GET or HEAD output.
type checksums struct {
	CRC32, CRC32C, CRC64NVME, SHA1, SHA256 *string
	Type                                   types.ChecksumType
}

func (c checksums) of(algo types.ChecksumAlgorithm) string {
	p := map[types.ChecksumAlgorithm]*string{
		types.ChecksumAlgorithmCrc32: c.CRC32, types.ChecksumAlgorithmCrc32c: c.CRC32C,
		types.ChecksumAlgorithmCrc64nvme: c.CRC64NVME, types.ChecksumAlgorithmSha1: c.SHA1,
		types.ChecksumAlgorithmSha256: c.SHA256,
	}[algo]
	return aws.ToString(p)
}

// any reports whether any checksum is set.
func (c checksums) any() bool {
	return c.CRC32 != nil || c.CRC32C != nil || c.CRC64NVME != nil || c.SHA1 != nil || c.SHA256 != nil || c.Type != ""
}

func putSums(o *s3.PutObjectOutput) checksums {
	return checksums{o.ChecksumCRC32, o.ChecksumCRC32C, o.ChecksumCRC64NVME, o.ChecksumSHA1, o.ChecksumSHA256, o.ChecksumType}
}

func getSums(o *s3.GetObjectOutput) checksums {
	return checksums{o.ChecksumCRC32, o.ChecksumCRC32C, o.ChecksumCRC64NVME, o.ChecksumSHA1, o.ChecksumSHA256, o.ChecksumType}
}

func headSums(o *s3.HeadObjectOutput) checksums {
	return checksums{o.ChecksumCRC32, o.ChecksumCRC32C, o.ChecksumCRC64NVME, o.ChecksumSHA1, o.ChecksumSHA256, o.ChecksumType}
}

// strictClient asks for checksums only when told to (ChecksumMode), so that
// what the server volunteers can be seen.
func strictClient(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("test", "test", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// TestChecksumReturned: S3 answers a PUT sent with a checksum with that
// checksum (x-amz-checksum-ALGO, x-amz-checksum-type FULL_OBJECT), and a
// GET or HEAD with x-amz-checksum-mode: ENABLED with the stored one; the
// SDK then checks the body it reads against it.
func TestChecksumReturned(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, checksumLab)
	c := strictClient(lab.Endpoint)
	ctx := context.Background()
	body := bytes.Repeat([]byte("checksummed lambdalab body\n"), 500)
	for _, algo := range []types.ChecksumAlgorithm{
		types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmCrc64nvme,
		types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256,
	} {
		t.Run(string(algo), func(t *testing.T) {
			key := "obj-" + strings.ToLower(string(algo))
			want := sumOf(algo, body)
			put, err := c.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String("sums"), Key: aws.String(key), Body: bytes.NewReader(body), ChecksumAlgorithm: algo,
			})
			if err != nil {
				t.Fatal(err)
			}
			if s := putSums(put); s.of(algo) != want || s.Type != types.ChecksumTypeFullObject {
				t.Errorf("PUT answered %s=%q type %q, want %q FULL_OBJECT", algo, s.of(algo), s.Type, want)
			}
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(get.Body)
			get.Body.Close()
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("GET body: %d bytes, %v", len(got), err)
			}
			if s := getSums(get); s.of(algo) != want || s.Type != types.ChecksumTypeFullObject {
				t.Errorf("GET answered %s=%q type %q, want %q FULL_OBJECT", algo, s.of(algo), s.Type, want)
			}
			if len(get.Metadata) != 0 {
				t.Errorf("GET shows user metadata %v; the checksum is not user metadata", get.Metadata)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			if s := headSums(head); s.of(algo) != want || s.Type != types.ChecksumTypeFullObject {
				t.Errorf("HEAD answered %s=%q type %q, want %q FULL_OBJECT", algo, s.of(algo), s.Type, want)
			}
			if len(head.Metadata) != 0 {
				t.Errorf("HEAD shows user metadata %v", head.Metadata)
			}
		})
	}
}

// TestChecksumOnlyWhenAsked: without x-amz-checksum-mode: ENABLED, and on a
// range GET (whose body is not what the checksum covers), S3 shows no
// checksum.
func TestChecksumOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, checksumLab)
	c := strictClient(lab.Endpoint)
	ctx := context.Background()
	body := []byte("0123456789abcdef")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("sums"), Key: aws.String("k"), Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
	}); err != nil {
		t.Fatal(err)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	get.Body.Close()
	if s := getSums(get); s.any() {
		t.Errorf("GET without checksum mode shows %+v", s)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if s := headSums(head); s.any() {
		t.Errorf("HEAD without checksum mode shows %+v", s)
	}
	ranged, err := c.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String("sums"), Key: aws.String("k"), Range: aws.String("bytes=0-3"), ChecksumMode: types.ChecksumModeEnabled,
	})
	if err != nil {
		t.Fatal(err)
	}
	part, err := io.ReadAll(ranged.Body)
	ranged.Body.Close()
	if err != nil || string(part) != "0123" {
		t.Fatalf("range GET: %q, %v", part, err)
	}
	if s := getSums(ranged); s.any() {
		t.Errorf("range GET shows %+v", s)
	}
	// A range that covers the whole object gets the whole object's.
	all, err := c.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String("sums"), Key: aws.String("k"), Range: aws.String("bytes=0-"), ChecksumMode: types.ChecksumModeEnabled,
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(all.Body)
	all.Body.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("whole-object range GET: %q, %v", got, err)
	}
	if s := getSums(all); s.of(types.ChecksumAlgorithmSha256) != sumOf(types.ChecksumAlgorithmSha256, body) {
		t.Errorf("whole-object range GET shows %+v", s)
	}
}

// TestChecksumReturnedForTrailingChecksum: over HTTPS the SDK streams an
// unseekable body aws-chunked with the checksum in a trailer; S3 answers
// with it all the same.
func TestChecksumReturnedForTrailingChecksum(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, checksumLab)
	srv := httptest.NewTLSServer(lab.Handler())
	defer srv.Close()
	c := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:                 &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
	})
	ctx := context.Background()
	body := bytes.Repeat([]byte("trailing "), 5000)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("sums"), Key: aws.String("streamed"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		Body: struct{ io.Reader }{bytes.NewReader(body)}, ContentLength: aws.Int64(int64(len(body))),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := sumOf(types.ChecksumAlgorithmCrc32, body)
	if got := aws.ToString(put.ChecksumCRC32); got != want {
		t.Errorf("PUT answered CRC32 %q, want %q", got, want)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: aws.String("streamed"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(head.ChecksumCRC32); got != want {
		t.Errorf("HEAD answered CRC32 %q, want %q", got, want)
	}
}

// compositeOf is S3's COMPOSITE checksum of parts: the checksum of the
// parts' raw checksums, then "-N".
func compositeOf(algo types.ChecksumAlgorithm, parts ...[]byte) string {
	var raw []byte
	for _, p := range parts {
		b, _ := base64.StdEncoding.DecodeString(sumOf(algo, p))
		raw = append(raw, b...)
	}
	return sumOf(algo, raw) + "-" + strconv.Itoa(len(parts))
}

// uploadInParts uploads parts to sums/key in an upload created with algo
// and typ, checking that each part is answered with its checksum.
func uploadInParts(t *testing.T, c *s3.Client, key *string, algo types.ChecksumAlgorithm, typ types.ChecksumType, unsummed bool, parts [][]byte) (*s3.CreateMultipartUploadOutput, *s3.CompleteMultipartUploadOutput) {
	t.Helper()
	ctx := context.Background()
	created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("sums"), Key: key, ChecksumAlgorithm: algo, ChecksumType: typ})
	if err != nil {
		t.Fatal(err)
	}
	var done []types.CompletedPart
	for n, p := range parts {
		in := &s3.UploadPartInput{Bucket: aws.String("sums"), Key: key, UploadId: created.UploadId, PartNumber: aws.Int32(int32(n + 1)), Body: bytes.NewReader(p)}
		if !unsummed {
			in.ChecksumAlgorithm = algo
		}
		out, err := c.UploadPart(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		s := checksums{out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256, ""}
		if got := s.of(algo); got != sumOf(algo, p) {
			t.Errorf("part %d answered %s %q, want %q", n+1, algo, got, sumOf(algo, p))
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(n + 1)), ETag: out.ETag,
			ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC32C: out.ChecksumCRC32C, ChecksumCRC64NVME: out.ChecksumCRC64NVME,
			ChecksumSHA1: out.ChecksumSHA1, ChecksumSHA256: out.ChecksumSHA256})
	}
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("sums"), Key: key,
		UploadId: created.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatal(err)
	}
	return created, out
}

// TestChecksumMultipart: an upload created with a checksum algorithm
// answers each part with the part's checksum and the completion with the
// object's, COMPOSITE (of the parts' checksums) or FULL_OBJECT (of the
// whole body), which GET and HEAD then show when asked. A later PUT of the
// key shows its own.
func TestChecksumMultipart(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, checksumLab)
	ctx := context.Background()
	parts := [][]byte{bytes.Repeat([]byte("p"), 5<<20), []byte("the last part")}
	whole := bytes.Join(parts, nil)
	cases := []struct {
		name     string
		algo     types.ChecksumAlgorithm
		typ      types.ChecksumType // asked for; "" for S3's default
		wantType types.ChecksumType
		want     string
		// unsummed sends the parts without checksums: the lab sums them.
		unsummed bool
	}{
		{"CRC32 composite by default", types.ChecksumAlgorithmCrc32, "", types.ChecksumTypeComposite, compositeOf(types.ChecksumAlgorithmCrc32, parts...), false},
		{"SHA256 composite", types.ChecksumAlgorithmSha256, types.ChecksumTypeComposite, types.ChecksumTypeComposite, compositeOf(types.ChecksumAlgorithmSha256, parts...), false},
		{"CRC32C full object", types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject, types.ChecksumTypeFullObject, sumOf(types.ChecksumAlgorithmCrc32c, whole), false},
		{"CRC64NVME full object by default", types.ChecksumAlgorithmCrc64nvme, "", types.ChecksumTypeFullObject, sumOf(types.ChecksumAlgorithmCrc64nvme, whole), false},
		{"SHA1 parts sent without checksums", types.ChecksumAlgorithmSha1, "", types.ChecksumTypeComposite, compositeOf(types.ChecksumAlgorithmSha1, parts...), true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := strictClient(lab.Endpoint)
			if tc.unsummed {
				c = s3.New(c.Options(), func(o *s3.Options) { o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired })
			}
			key := aws.String(fmt.Sprintf("mp-%d", i))
			created, out := uploadInParts(t, c, key, tc.algo, tc.typ, tc.unsummed, parts)
			if created.ChecksumAlgorithm != tc.algo || created.ChecksumType != tc.wantType {
				t.Errorf("created with %q %q, want %q %q", created.ChecksumAlgorithm, created.ChecksumType, tc.algo, tc.wantType)
			}
			s := checksums{out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256, out.ChecksumType}
			if s.of(tc.algo) != tc.want || s.Type != tc.wantType {
				t.Errorf("completion answered %s %q %q, want %q %q", tc.algo, s.of(tc.algo), s.Type, tc.want, tc.wantType)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: key, ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			if s := headSums(head); s.of(tc.algo) != tc.want || s.Type != tc.wantType {
				t.Errorf("HEAD answered %s %q %q, want %q %q", tc.algo, s.of(tc.algo), s.Type, tc.want, tc.wantType)
			}
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: key, ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(get.Body) // the SDK checks a FULL_OBJECT checksum as it reads
			get.Body.Close()
			if err != nil || !bytes.Equal(got, whole) {
				t.Fatalf("GET: %d bytes, %v", len(got), err)
			}
			if s := getSums(get); s.of(tc.algo) != tc.want {
				t.Errorf("GET answered %s %q, want %q", tc.algo, s.of(tc.algo), tc.want)
			}
			// Overwritten by a single PUT (of the same bytes, so the stored
			// MD5 is the same), the key shows the new object's checksum.
			putAndHead(t, c, key, tc.algo, whole)
		})
	}
}

// TestChecksumKeptByCopy: a copy keeps its source's checksum, and
// CopyObjectResult says which.
func TestChecksumKeptByCopy(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, checksumLab)
	c := strictClient(lab.Endpoint)
	ctx := context.Background()
	body := []byte("copy me")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("src"), Body: bytes.NewReader(body),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c}); err != nil {
		t.Fatal(err)
	}
	out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sums"), Key: aws.String("dst"), CopySource: aws.String("sums/src")})
	if err != nil {
		t.Fatal(err)
	}
	want := sumOf(types.ChecksumAlgorithmCrc32c, body)
	if r := out.CopyObjectResult; r == nil || aws.ToString(r.ChecksumCRC32C) != want || r.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("CopyObjectResult %+v, want CRC32C %q FULL_OBJECT", r, want)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: aws.String("dst"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(head.ChecksumCRC32C); got != want {
		t.Errorf("the copy's HEAD shows CRC32C %q, want %q", got, want)
	}
}

// putAndHead stores body at sums/key with a checksum and checks that HEAD
// shows that one.
func putAndHead(t *testing.T, c *s3.Client, key *string, algo types.ChecksumAlgorithm, body []byte) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: key, Body: bytes.NewReader(body), ChecksumAlgorithm: algo}); err != nil {
		t.Fatal(err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: key, ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if s := headSums(head); s.of(algo) != sumOf(algo, body) || s.Type != types.ChecksumTypeFullObject {
		t.Errorf("after a PUT, HEAD answered %s %q %q, want %q FULL_OBJECT", algo, s.of(algo), s.Type, sumOf(algo, body))
	}
}
