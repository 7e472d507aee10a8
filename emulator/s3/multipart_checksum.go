package s3

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Checksums of multipart uploads. gofakes3 takes an assembled object's
// headers from CreateMultipartUpload and knows nothing of checksums, so the
// lab follows them itself: the algorithm an upload was created with, each
// part's checksum, and on completion the object's checksum, either
// COMPOSITE (the checksum of the parts' checksums, "…-N") or FULL_OBJECT
// (of the whole body; CRC algorithms only). The object's checksum is kept
// in multipartETags beside its ETag, in memory: a lab restarted from its
// data directory shows multipart objects without one.

// upload is what the lab knows of one multipart upload's checksums.
type upload struct {
	algo  string         // crc32, sha256, …
	full  bool           // FULL_OBJECT rather than COMPOSITE
	parts map[int][]byte // part number → raw checksum
}

// uploadSums are the uploads in progress that were created with a
// checksum algorithm, by upload id.
type uploadSums struct {
	mu sync.Mutex
	m  map[string]*upload
}

func (u *uploadSums) start(id string, up *upload) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m == nil {
		u.m = map[string]*upload{}
	}
	u.m[id] = up
}

func (u *uploadSums) algorithm(id string) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if up, ok := u.m[id]; ok {
		return up.algo
	}
	return ""
}

func (u *uploadSums) setPart(id string, n int, raw []byte) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if up, ok := u.m[id]; ok {
		up.parts[n] = raw
	}
}

// end forgets an upload and returns what was known of it (nil if nothing).
func (u *uploadSums) end(id string) *upload {
	u.mu.Lock()
	defer u.mu.Unlock()
	up := u.m[id]
	delete(u.m, id)
	return up
}

// requestedUpload reads the checksum algorithm and type a
// CreateMultipartUpload asks for (before prepareBody drops the headers).
// CRC64NVME is always FULL_OBJECT and the SHAs always COMPOSITE; a type the
// algorithm cannot have is ignored here (unverified: S3 may refuse it).
func requestedUpload(c *call) *upload {
	if c.op.Name != "CreateMultipartUpload" {
		return nil
	}
	algo := strings.ToLower(c.r.Header.Get(checksumAlgoHeader))
	if newChecksum(algo) == nil {
		return nil
	}
	crc := strings.HasPrefix(algo, "crc")
	full := algo == "crc64nvme" || crc && strings.EqualFold(c.r.Header.Get(checksumTypeHeader), fullObject)
	return &upload{algo: algo, full: full, parts: map[int][]byte{}}
}

// partSum is the checksum of one UploadPart in an upload with an
// algorithm: the verified one the client sent, or one the lab computes
// when the part came without it (unverified: S3 may refuse such a part).
type partSum struct {
	algo  string
	value string
	hash  hash.Hash
}

// hashingBody sums what is read through it.
type hashingBody struct {
	io.ReadCloser
	hash hash.Hash
}

func (b *hashingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.hash.Write(p[:n])
	return n, err
}

// sumPart prepares the checksum of an UploadPart (after prepareBody).
func (s *Server) sumPart(c *call) *partSum {
	if c.op.Name != "UploadPart" {
		return nil
	}
	algo := s.uploads.algorithm(c.r.URL.Query().Get("uploadId"))
	if algo == "" {
		return nil
	}
	if a, v := checksumHeader(c.r.Header); a == algo {
		return &partSum{algo: algo, value: v}
	}
	h := newChecksum(algo)
	c.r.Body = &hashingBody{ReadCloser: c.r.Body, hash: h}
	return &partSum{algo: algo, hash: h}
}

// answerUpload records and shows the checksums of a successful
// CreateMultipartUpload or UploadPart.
func (s *Server) answerUpload(c *call, created *upload, part *partSum) {
	h := c.rec.Header()
	switch {
	case created != nil:
		var res struct {
			UploadID string `xml:"UploadId"`
		}
		if xml.Unmarshal(c.rec.Held(), &res) != nil || res.UploadID == "" {
			return
		}
		s.uploads.start(res.UploadID, created)
		h.Set(checksumAlgoHeader, checksumNames[created.algo])
		h.Set(checksumTypeHeader, map[bool]string{true: fullObject, false: composite}[created.full])
	case c.op.Name == "UploadPart":
		answerPutChecksum(c)
		if part == nil {
			return
		}
		value := part.value
		if part.hash != nil {
			value = base64.StdEncoding.EncodeToString(part.hash.Sum(nil))
		}
		raw, err := base64.StdEncoding.DecodeString(value)
		n, nerr := strconv.Atoi(c.r.URL.Query().Get("partNumber"))
		if err != nil || nerr != nil {
			return
		}
		s.uploads.setPart(c.r.URL.Query().Get("uploadId"), n, raw)
		h.Set(checksumPrefix+part.algo, value)
	}
}

// completedParts reads the part numbers a CompleteMultipartUpload lists,
// leaving the body for gofakes3.
func completedParts(r *http.Request) []int {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	var req struct {
		Parts []struct {
			PartNumber int `xml:"PartNumber"`
		} `xml:"Part"`
	}
	if err != nil || xml.Unmarshal(body, &req) != nil {
		return nil
	}
	out := make([]int, 0, len(req.Parts))
	for _, p := range req.Parts {
		out = append(out, p.PartNumber)
	}
	return out
}

// completeChecksum works out the checksum of an object a
// CompleteMultipartUpload assembled (the key is locked), adds it to the
// result and keeps it for GET and HEAD. Without every part's checksum
// there is no composite one, and the object gets none.
func (s *Server) completeChecksum(c *call, parts []int) {
	up := s.uploads.end(c.r.URL.Query().Get("uploadId"))
	if up == nil || len(parts) == 0 {
		return
	}
	var value string
	if up.full {
		obj, err := s.backend.GetObject(c.op.Bucket, c.op.Key, nil)
		if err != nil {
			return
		}
		h := newChecksum(up.algo)
		_, err = io.Copy(h, obj.Contents)
		obj.Contents.Close()
		if err != nil {
			return
		}
		value = base64.StdEncoding.EncodeToString(h.Sum(nil))
	} else {
		h := newChecksum(up.algo)
		for _, n := range parts {
			raw, ok := up.parts[n]
			if !ok {
				return
			}
			h.Write(raw)
		}
		value = base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
	}
	obj, err := s.backend.HeadObject(c.op.Bucket, c.op.Key)
	if err != nil {
		return
	}
	if obj.Contents != nil {
		obj.Contents.Close()
	}
	s.mpETags.setSum(c.op.Bucket, c.op.Key, hex.EncodeToString(obj.Hash), up.algo, value)
	insertBeforeEnd(c.rec, "</CompleteMultipartUploadResult>", checksumElements(up.algo, value))
}
