package s3

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// readBody reads the body of a PutObject or UploadPart before anything is
// locked (see spool.go), as gofakes3 expects it: an aws-chunked body
// (signed, unsigned, with a trailing checksum) decoded to its payload with
// the checksum verified, a plain body with its x-amz-checksum-ALGO
// verified. A chunked body must be decoded in full anyway: its trailing
// checksum is known only at the end, and gofakes3 fixes an object's
// metadata before reading the body.
func (s *Server) readBody(c *call) error {
	r := c.r
	sha := r.Header.Get("X-Amz-Content-Sha256")
	chunked := strings.HasPrefix(sha, "STREAMING-") || hasAWSChunked(r.Header.Get("Content-Encoding"))
	if !chunked && r.ContentLength < 0 {
		e := NewError("MissingContentLength", "")
		e.Status = http.StatusLengthRequired
		return e
	}
	algo, expected := checksumHeader(r.Header)
	var src io.Reader = r.Body
	var cr *chunkReader
	if chunked {
		trailer := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Amz-Trailer")))
		if a, ok := strings.CutPrefix(trailer, "x-amz-checksum-"); ok {
			algo, expected = a, ""
		}
		cr = &chunkReader{in: bufio.NewReader(r.Body), algo: algo, expected: expected, hash: newChecksum(algo)}
		src = cr
	} else if algo != "" {
		src = &checksumReader{body: r.Body, algo: algo, expected: expected, hash: newChecksum(algo)}
	}
	sp, err := newSpool(src, MaxPutSize, s.spoolDir)
	if err != nil {
		return err
	}
	c.spool = sp
	if sp.size > MaxPutSize {
		return NewError("EntityTooLarge", "", Field{"ProposedSize", strconv.FormatInt(sp.size, 10)},
			Field{"MaxSizeAllowed", strconv.FormatInt(MaxPutSize, 10)})
	}
	if chunked {
		if d := r.Header.Get("X-Amz-Decoded-Content-Length"); d != "" && d != strconv.FormatInt(sp.size, 10) {
			return NewError("IncompleteBody", "")
		}
		if cr.algo != "" {
			r.Header.Set("X-Amz-Checksum-"+checksumNames[cr.algo], cr.expected)
		}
		removeAWSChunked(r.Header)
	}
	r.Body = sp
	r.ContentLength = sp.size
	r.Header.Set("Content-Length", strconv.FormatInt(sp.size, 10))
	return nil
}

// prepareBody removes the request's own X-Amz-* headers, so that gofakes3
// does not store them and echo them back as object metadata.
func prepareBody(r *http.Request, op Operation) {
	switch op.Name {
	case "PutObject", "UploadPart", "CreateMultipartUpload", "CopyObject", "PostObject":
		stripRequestHeaders(r.Header)
	}
}

// keptAmzHeaders are the X-Amz-* request headers that describe the object
// rather than the request.
var keptAmzHeaders = []string{
	"X-Amz-Meta-", "X-Amz-Copy-Source", "X-Amz-Metadata-Directive", "X-Amz-Storage-Class",
	"X-Amz-Website-Redirect-Location", "X-Amz-Server-Side-Encryption", "X-Amz-Tagging",
	"X-Amz-Checksum-", "X-Amz-Object-Lock-",
}

func stripRequestHeaders(h http.Header) {
	for name := range h {
		if !strings.HasPrefix(name, "X-Amz-") {
			continue
		}
		keep := false
		for _, k := range keptAmzHeaders {
			if strings.HasPrefix(name, k) {
				keep = true
				break
			}
		}
		if !keep || name == "X-Amz-Checksum-Mode" || name == "X-Amz-Checksum-Algorithm" {
			h.Del(name)
		}
	}
}

func hasAWSChunked(ce string) bool {
	for _, v := range strings.Split(ce, ",") {
		if strings.TrimSpace(v) == "aws-chunked" {
			return true
		}
	}
	return false
}

func removeAWSChunked(h http.Header) {
	var kept []string
	for _, v := range strings.Split(h.Get("Content-Encoding"), ",") {
		if v = strings.TrimSpace(v); v != "" && v != "aws-chunked" {
			kept = append(kept, v)
		}
	}
	if len(kept) == 0 {
		h.Del("Content-Encoding")
	} else {
		h.Set("Content-Encoding", strings.Join(kept, ","))
	}
}

// checksumHeader finds an x-amz-checksum-ALGO header sent with the request.
func checksumHeader(h http.Header) (algo, value string) {
	for name, v := range h {
		if a, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-checksum-"); ok && newChecksum(a) != nil && len(v) > 0 {
			return a, v[0]
		}
	}
	return "", ""
}

var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// newChecksum returns the hash of one of S3's checksum algorithms, or nil.
func newChecksum(algo string) hash.Hash {
	switch algo {
	case "crc32":
		return crc32.NewIEEE()
	case "crc32c":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "crc64nvme":
		return crc64.New(crc64NVME)
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	}
	return nil
}

// checksumNames are the spellings S3 uses in messages.
var checksumNames = map[string]string{
	"crc32": "CRC32", "crc32c": "CRC32C", "crc64nvme": "CRC64NVME", "sha1": "SHA1", "sha256": "SHA256",
}

// verifyChecksum compares a computed checksum with the base64 value the
// client sent and stores it as the object's checksum header.
func verifyChecksum(algo, expected string, h hash.Hash) error {
	got := base64.StdEncoding.EncodeToString(h.Sum(nil))
	if expected != got {
		return gofakes3.ErrorMessage(gofakes3.ErrBadDigest,
			fmt.Sprintf("The %s you specified did not match the calculated checksum.", checksumNames[algo]))
	}
	return nil
}

// checksumReader verifies a checksum header against a plain body.
type checksumReader struct {
	body     io.Reader
	algo     string
	expected string
	hash     hash.Hash
}

func (c *checksumReader) Read(p []byte) (int, error) {
	n, err := c.body.Read(p)
	c.hash.Write(p[:n])
	if err == io.EOF {
		if verr := verifyChecksum(c.algo, c.expected, c.hash); verr != nil {
			return n, verr
		}
	}
	return n, err
}

// chunkReader decodes an aws-chunked body: hex-size lines (with optional
// ;chunk-signature=…), data, CRLF, a zero-size chunk, then trailer lines.
// A trailing checksum is verified at the end.
type chunkReader struct {
	in       *bufio.Reader
	remain   int64
	started  bool
	done     bool
	algo     string
	expected string
	hash     hash.Hash
}

func malformedChunk(why string) error {
	return gofakes3.ErrorMessage(gofakes3.ErrIncompleteBody, "aws-chunked body: "+why)
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.done {
		return 0, io.EOF
	}
	if c.remain == 0 {
		if err := c.nextChunk(); err != nil {
			return 0, err
		}
		if c.done {
			return 0, io.EOF
		}
	}
	if int64(len(p)) > c.remain {
		p = p[:c.remain]
	}
	n, err := c.in.Read(p)
	c.remain -= int64(n)
	if c.hash != nil {
		c.hash.Write(p[:n])
	}
	if err == io.EOF {
		return n, malformedChunk("ends inside a chunk")
	}
	return n, err
}

func (c *chunkReader) nextChunk() error {
	if c.started {
		if crlf, err := c.readLine(); err != nil || crlf != "" {
			return malformedChunk("chunk data not followed by CRLF")
		}
	}
	c.started = true
	line, err := c.readLine()
	if err != nil {
		return malformedChunk("missing chunk size")
	}
	sizeHex, _, _ := strings.Cut(line, ";")
	size, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
	if err != nil || size < 0 {
		return malformedChunk(fmt.Sprintf("bad chunk size %q", sizeHex))
	}
	if size > 0 {
		c.remain = size
		return nil
	}
	c.done = true
	return c.readTrailers()
}

func (c *chunkReader) readTrailers() error {
	for {
		line, err := c.readLine()
		if line == "" || err != nil {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if a, ok := strings.CutPrefix(name, "x-amz-checksum-"); ok && a == c.algo {
			c.expected = strings.TrimSpace(value)
		}
	}
	if c.algo == "" || c.hash == nil {
		return nil
	}
	if c.expected == "" {
		return malformedChunk("the trailing checksum x-amz-checksum-" + c.algo + " is missing")
	}
	return verifyChecksum(c.algo, c.expected, c.hash)
}

func (c *chunkReader) readLine() (string, error) {
	line, err := c.in.ReadString('\n')
	if err != nil && !(err == io.EOF && line != "") {
		return "", err
	}
	return string(bytes.TrimRight([]byte(line), "\r\n")), nil
}
