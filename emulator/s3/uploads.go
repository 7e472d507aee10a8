package s3

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// Multipart uploads are the lab's own, not gofakes3's: gofakes3 keeps them
// in memory only (a lab with --data lost every upload in progress at a
// restart), numbers them from 1 again after a restart (so a client resuming
// an old upload could land in someone else's), and assembles whatever part
// list it is given (in any order, a part twice, none at all). Uploads is
// gofakes3's MultipartBackend: it answers as S3 does, with random upload
// ids, and — with a directory — keeps every acknowledged part on disk.

// MinPartSize is the smallest part but the last of a multipart upload.
const MinPartSize = 5 << 20

// Uploads holds the multipart uploads in progress.
type Uploads struct {
	mu      sync.Mutex
	backend gofakes3.Backend
	clock   func() time.Time
	disk    *uploadDir // nil: parts in memory
	byID    map[gofakes3.UploadID]*mpUpload
}

// mpUpload is one multipart upload in progress.
type mpUpload struct {
	ID        gofakes3.UploadID `json:"id"`
	Bucket    string            `json:"bucket"`
	Key       string            `json:"key"`
	Meta      map[string]string `json:"meta"`
	Initiated time.Time         `json:"initiated"`
	parts     map[int]*mpPart
}

// mpPart is one uploaded part: its bytes in memory, or in a file.
type mpPart struct {
	number   int
	etag     string // quoted
	size     int64
	modified time.Time
	data     []byte
	path     string
}

func (p *mpPart) open() (io.ReadCloser, error) {
	if p.path == "" {
		return io.NopCloser(bytes.NewReader(p.data)), nil
	}
	return openPart(p.path)
}

var _ gofakes3.MultipartBackend = (*Uploads)(nil)

// newUploadID returns an id no upload has had: 48 random bytes, never a
// counter, so that ids are not reused across restarts. It starts with a
// letter or digit, as S3's do: one starting with - is taken for an option
// by the aws CLI (`--upload-id -x…`: "expected one argument").
func newUploadID() gofakes3.UploadID {
	b := make([]byte, 48)
	for {
		_, _ = rand.Read(b) // never fails (crypto/rand)
		id := base64.RawURLEncoding.EncodeToString(b)
		if id[0] != '-' && id[0] != '_' {
			return gofakes3.UploadID(id)
		}
	}
}

// CreateMultipartUpload starts an upload (kept on disk before it is
// answered, with a directory).
func (u *Uploads) CreateMultipartUpload(bucket, object string, meta map[string]string) (gofakes3.UploadID, error) {
	up := &mpUpload{ID: newUploadID(), Bucket: bucket, Key: object, Meta: maps.Clone(meta),
		Initiated: u.clock(), parts: map[int]*mpPart{}}
	if u.disk != nil {
		if err := u.disk.create(up); err != nil {
			return "", err
		}
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.byID[up.ID] = up
	return up.ID, nil
}

// get returns an upload of bucket/object.
func (u *Uploads) get(bucket, object string, id gofakes3.UploadID) (*mpUpload, error) {
	up := u.byID[id]
	if up == nil || up.Bucket != bucket || up.Key != object {
		return nil, refuse("NoSuchUpload", Field{"UploadId", string(id)})
	}
	return up, nil
}

// UploadPart stores a part (synced to disk before it is answered, with a
// directory); a part of the same number replaces it.
func (u *Uploads) UploadPart(bucket, object string, id gofakes3.UploadID, partNumber int, contentLength int64, input io.Reader) (string, error) {
	u.mu.Lock()
	_, err := u.get(bucket, object, id)
	u.mu.Unlock()
	if err != nil {
		return "", err
	}
	part := &mpPart{number: partNumber, modified: u.clock()}
	h := md5.New()
	if u.disk != nil {
		part.path, part.size, err = u.disk.writePart(id, partNumber, io.TeeReader(input, h))
	} else {
		var buf bytes.Buffer
		buf.Grow(int(min(contentLength, spoolMemory)))
		part.size, err = io.Copy(&buf, io.TeeReader(input, h))
		part.data = buf.Bytes()
	}
	if err != nil {
		return "", err
	}
	if part.size != contentLength {
		return "", refuse("IncompleteBody")
	}
	part.etag = `"` + hex.EncodeToString(h.Sum(nil)) + `"`
	if u.disk != nil {
		if err := u.disk.commitPart(id, part); err != nil {
			return "", err
		}
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	up, err := u.get(bucket, object, id)
	if err != nil { // completed or aborted meanwhile
		if u.disk != nil {
			u.disk.removeFile(part.path)
		}
		return "", err
	}
	up.parts[partNumber] = part
	return part.etag, nil
}

// ListParts lists an upload's parts in number order, after marker.
func (u *Uploads) ListParts(bucket, object string, id gofakes3.UploadID, marker int, limit int64) (*gofakes3.ListMultipartUploadPartsResult, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	up, err := u.get(bucket, object, id)
	if err != nil {
		return nil, err
	}
	res := &gofakes3.ListMultipartUploadPartsResult{Bucket: bucket, Key: object, UploadID: id, MaxParts: limit,
		PartNumberMarker: marker, StorageClass: "STANDARD"}
	for _, n := range slices.Sorted(maps.Keys(up.parts)) {
		if n <= marker {
			continue
		}
		if int64(len(res.Parts)) >= limit {
			res.IsTruncated = true
			break
		}
		p := up.parts[n]
		res.Parts = append(res.Parts, gofakes3.ListMultipartUploadPartItem{PartNumber: n, ETag: p.etag, Size: p.size,
			LastModified: gofakes3.NewContentTime(p.modified)})
		res.NextPartNumberMarker = n
	}
	return res, nil
}

// AbortMultipartUpload drops an upload and its parts.
func (u *Uploads) AbortMultipartUpload(bucket, object string, id gofakes3.UploadID) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, err := u.get(bucket, object, id); err != nil {
		return err
	}
	return u.remove(id)
}

// remove forgets an upload (u.mu held).
func (u *Uploads) remove(id gofakes3.UploadID) error {
	delete(u.byID, id)
	if u.disk != nil {
		return u.disk.remove(id)
	}
	return nil
}

// CompleteMultipartUpload assembles the listed parts into the object, as
// S3 does: a list that is empty (MalformedXML), out of order or naming a
// part twice (InvalidPartOrder), naming a part not uploaded or with another
// ETag (InvalidPart), or with a part but the last under 5 MiB
// (EntityTooSmall) is refused and the upload kept.
func (u *Uploads) CompleteMultipartUpload(bucket, object string, id gofakes3.UploadID, in *gofakes3.CompleteMultipartUploadRequest) (gofakes3.VersionID, string, error) {
	u.mu.Lock()
	up, err := u.get(bucket, object, id)
	var parts []*mpPart
	if err == nil {
		parts, err = up.chosen(in.Parts)
	}
	u.mu.Unlock()
	if err != nil {
		return "", "", err
	}
	readers := make([]io.Reader, 0, len(parts))
	sums := md5.New()
	var size int64
	for _, p := range parts {
		rc, err := p.open()
		if err != nil {
			return "", "", err
		}
		defer rc.Close()
		readers = append(readers, rc)
		raw, _ := hex.DecodeString(strings.Trim(p.etag, `"`))
		sums.Write(raw)
		size += p.size
	}
	meta := maps.Clone(up.Meta)
	meta["Last-Modified"] = u.clock().UTC().Format("Mon, 02 Jan 2006 15:04:05") + " GMT"
	res, err := u.backend.PutObject(bucket, object, meta, io.MultiReader(readers...), size, nil)
	if err != nil {
		return "", "", err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := u.remove(id); err != nil {
		return "", "", err
	}
	return res.VersionID, fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sums.Sum(nil)), len(parts)), nil
}

// chosen checks a completion's part list against the upload and returns
// the parts in order.
func (up *mpUpload) chosen(list []gofakes3.CompletedPart) ([]*mpPart, error) {
	if len(list) == 0 {
		return nil, refuse("MalformedXML")
	}
	out := make([]*mpPart, 0, len(list))
	for i, c := range list {
		if i > 0 && c.PartNumber <= list[i-1].PartNumber {
			return nil, refuse("InvalidPartOrder")
		}
		p := up.parts[c.PartNumber]
		if p == nil || strings.Trim(c.ETag, `"`) != strings.Trim(p.etag, `"`) {
			return nil, refuse("InvalidPart", Field{"UploadId", string(up.ID)},
				Field{"PartNumber", fmt.Sprint(c.PartNumber)}, Field{"ETag", c.ETag})
		}
		out = append(out, p)
	}
	for _, p := range out[:len(out)-1] {
		if p.size < MinPartSize {
			return nil, refuse("EntityTooSmall", Field{"ProposedSize", fmt.Sprint(p.size)},
				Field{"MinSizeAllowed", fmt.Sprint(MinPartSize)}, Field{"PartNumber", fmt.Sprint(p.number)},
				Field{"ETag", strings.Trim(p.etag, `"`)})
		}
	}
	return out, nil
}

// ListMultipartUploads lists the uploads of a bucket in key order (then
// initiation), after the markers, grouped by the delimiter.
func (u *Uploads) ListMultipartUploads(bucket string, marker *gofakes3.UploadListMarker, prefix gofakes3.Prefix, limit int64) (*gofakes3.ListMultipartUploadsResult, error) {
	u.mu.Lock()
	var ups []*mpUpload
	for _, up := range u.byID {
		if up.Bucket == bucket {
			ups = append(ups, up)
		}
	}
	u.mu.Unlock()
	slices.SortFunc(ups, func(a, b *mpUpload) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		if c := a.Initiated.Compare(b.Initiated); c != 0 {
			return c
		}
		return strings.Compare(string(a.ID), string(b.ID))
	})
	res := &gofakes3.ListMultipartUploadsResult{Bucket: bucket, MaxUploads: limit, Prefix: prefix.Prefix, Delimiter: prefix.Delimiter}
	if marker != nil {
		res.KeyMarker, res.UploadIDMarker = marker.Object, marker.UploadID
		ups = afterMarker(ups, marker)
	}
	seen := map[string]bool{}
	var match gofakes3.PrefixMatch
	for _, up := range ups {
		if !prefix.Match(up.Key, &match) {
			continue
		}
		if int64(len(res.Uploads)+len(res.CommonPrefixes)) >= limit {
			res.IsTruncated = true
			break
		}
		if match.CommonPrefix {
			if !seen[match.MatchedPart] {
				seen[match.MatchedPart] = true
				res.CommonPrefixes = append(res.CommonPrefixes, match.AsCommonPrefix())
			}
			continue
		}
		res.Uploads = append(res.Uploads, gofakes3.ListMultipartUploadItem{Key: up.Key, UploadID: up.ID,
			StorageClass: "STANDARD", Initiated: gofakes3.NewContentTime(up.Initiated)})
		res.NextKeyMarker, res.NextUploadIDMarker = up.Key, up.ID
	}
	if !res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = "", ""
	}
	return res, nil
}

// afterMarker drops the uploads up to the markers: keys before key-marker,
// and of that key the uploads up to upload-id-marker (all of them when it
// is empty).
func afterMarker(ups []*mpUpload, m *gofakes3.UploadListMarker) []*mpUpload {
	for i, up := range ups {
		if up.Key < m.Object {
			continue
		}
		if up.Key > m.Object {
			return ups[i:]
		}
		if m.UploadID != "" && up.ID == m.UploadID {
			return ups[i+1:]
		}
	}
	return nil
}

// uploadingBackend is a backend whose multipart uploads are ours. gofakes3
// finds optional interfaces by type assertion, so a versioned backend is
// wrapped in a type that keeps its versioning.
type uploadingBackend struct {
	gofakes3.Backend
	*Uploads
}

type uploadingVersionedBackend struct {
	uploadingBackend
	gofakes3.VersionedBackend
}

var (
	_ gofakes3.MultipartBackend = uploadingBackend{}
	_ gofakes3.VersionedBackend = uploadingVersionedBackend{}
)

func withUploads(b gofakes3.Backend, u *Uploads) gofakes3.Backend {
	ub := uploadingBackend{Backend: b, Uploads: u}
	if vb, ok := b.(gofakes3.VersionedBackend); ok {
		return uploadingVersionedBackend{uploadingBackend: ub, VersionedBackend: vb}
	}
	return ub
}

// ForceDeleteBucket forwards Minio's force delete to backends that have it;
// without it, DeleteBucket answers as usual.
func (b uploadingBackend) ForceDeleteBucket(name string) error {
	if f, ok := b.Backend.(interface{ ForceDeleteBucket(string) error }); ok {
		return f.ForceDeleteBucket(name)
	}
	return nil
}

// backendError is an S3 error a backend method returns. gofakes3 answers
// its own error type only, so ours travels inside it, with its extra
// elements; the status is put right in recorder.flush.
type backendError struct {
	gofakes3.ErrorResponse
	Fields []anyElem
}

func refuse(code string, fields ...Field) error {
	e := &backendError{ErrorResponse: gofakes3.ErrorResponse{Code: gofakes3.ErrorCode(code), Message: Messages[code]}}
	for _, f := range fields {
		e.Fields = append(e.Fields, anyElem{XMLName: xml.Name{Local: f.Name}, Value: f.Value})
	}
	return e
}
