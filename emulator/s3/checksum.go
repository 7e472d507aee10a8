package s3

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// Checksums S3 keeps with an object and shows back. A single PUT's verified
// x-amz-checksum-ALGO header (a trailing checksum is moved there by
// prepareBody) is stored by gofakes3 with the object's headers, under its
// own name and never as x-amz-meta-*; a multipart object's checksum is kept
// in multipartETags. S3 answers a PUT with the checksum it stored, and a GET
// or HEAD with it only when asked (x-amz-checksum-mode: ENABLED) and only
// when the body is the whole object.

const (
	checksumPrefix     = "x-amz-checksum-"
	checksumModeHeader = "X-Amz-Checksum-Mode"
	checksumTypeHeader = "X-Amz-Checksum-Type"
	checksumAlgoHeader = "X-Amz-Checksum-Algorithm"
	// fullObject and composite are S3's x-amz-checksum-type values: a
	// checksum of the whole body, or (multipart) a checksum of the parts'
	// checksums, written "…-N" for N parts.
	fullObject = "FULL_OBJECT"
	composite  = "COMPOSITE"
)

// checksumType is the type of a stored checksum value.
func checksumType(value string) string {
	if strings.Contains(value, "-") {
		return composite
	}
	return fullObject
}

// answerPutChecksum adds to a stored PutObject's (or UploadPart's) answer
// the checksum it was verified against.
func answerPutChecksum(c *call) {
	algo, v := checksumHeader(c.r.Header)
	if algo == "" {
		return
	}
	h := c.rec.Header()
	h.Set(checksumPrefix+algo, v)
	if c.op.Name == "PutObject" {
		h.Set(checksumTypeHeader, fullObject)
	}
}

// checksumFixer shows a GET or HEAD answer's checksum as S3 does: only
// when the request asked for it and the body is the whole object, with its
// type; a multipart object's comes from s.mpETags.
func (s *Server) checksumFixer(r *http.Request, op Operation) func(http.Header) {
	asked := strings.EqualFold(r.Header.Get(checksumModeHeader), "ENABLED")
	return func(h http.Header) {
		show := asked && wholeBody(h)
		value := ""
		for name, v := range h {
			algo, ok := strings.CutPrefix(strings.ToLower(name), checksumPrefix)
			if !ok {
				continue
			}
			if !show || newChecksum(algo) == nil || len(v) == 0 {
				h.Del(name)
				continue
			}
			value = v[0]
		}
		if show && value == "" {
			if algo, v, ok := s.mpETags.sum(op.Bucket, op.Key, strings.Trim(h.Get("ETag"), `"`)); ok {
				h.Set(checksumPrefix+algo, v)
				value = v
			}
		}
		if value != "" {
			h.Set(checksumTypeHeader, checksumType(value))
		}
	}
}

// wholeBody reports whether a GET answer's body is the whole object: no
// Content-Range, or one from the first byte to the last.
func wholeBody(h http.Header) bool {
	cr := h.Get("Content-Range")
	if cr == "" {
		return true
	}
	rng, total, ok := strings.Cut(strings.TrimPrefix(cr, "bytes "), "/")
	first, last, ok2 := strings.Cut(rng, "-")
	size, err := strconv.ParseInt(total, 10, 64)
	return ok && ok2 && err == nil && first == "0" && last == strconv.FormatInt(size-1, 10)
}

// checksumElements are the <ChecksumALGO> and <ChecksumType> elements of a
// CopyObjectResult or CompleteMultipartUploadResult.
func checksumElements(algo, value string) []byte {
	var b bytes.Buffer
	name := "Checksum" + checksumNames[algo]
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(&b, []byte(value)) // writes to a buffer: cannot fail
	b.WriteString("</" + name + "><ChecksumType>" + checksumType(value) + "</ChecksumType>")
	return b.Bytes()
}

// insertBeforeEnd puts elements just before the closing tag of a held
// result document; it does nothing when the tag is missing.
func insertBeforeEnd(rec *recorder, closing string, elements []byte) {
	body := rec.Held()
	end := bytes.LastIndex(body, []byte(closing))
	if end < 0 {
		return
	}
	out := make([]byte, 0, len(body)+len(elements))
	out = append(append(append(out, body[:end]...), elements...), body[end:]...)
	rec.body.Reset()
	rec.body.Write(out)
}

// answerCopyChecksum adds the copy's stored checksum to a CopyObjectResult,
// as S3 does for an object that has one.
func (s *Server) answerCopyChecksum(c *call) {
	obj, err := s.backend.HeadObject(c.op.Bucket, c.op.Key)
	if err != nil {
		return
	}
	if obj.Contents != nil {
		obj.Contents.Close()
	}
	for name, v := range obj.Metadata {
		if algo, ok := strings.CutPrefix(strings.ToLower(name), checksumPrefix); ok && newChecksum(algo) != nil {
			insertBeforeEnd(c.rec, "</CopyObjectResult>", checksumElements(algo, v))
			return
		}
	}
}

// msgMissingChecksum is S3's answer to a request that must carry a checksum
// of its body (DeleteObjects, PutBucketCors, ...) and carries none.
const msgMissingChecksum = "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"

// requireBodyChecksum checks the body of a request S3 takes only with a
// checksum of it: Content-MD5, or an x-amz-checksum-ALGO header, which
// must match the body.
func requireBodyChecksum(h http.Header, body []byte) error {
	md := h.Get("Content-MD5")
	algo, value := checksumHeader(h)
	if md == "" && algo == "" {
		return NewError("InvalidRequest", msgMissingChecksum)
	}
	if md != "" {
		raw, err := base64.StdEncoding.DecodeString(md)
		if err != nil || len(raw) != md5.Size {
			return NewError("InvalidDigest", "")
		}
		if sum := md5.Sum(body); !bytes.Equal(sum[:], raw) {
			return NewError("BadDigest", "")
		}
	}
	if algo != "" {
		if err := checkChecksumHeaders(h); err != nil {
			return err
		}
		sum := newChecksum(algo)
		sum.Write(body)
		if err := verifyChecksum(algo, value, sum); err != nil {
			return asError(err)
		}
	}
	return nil
}
