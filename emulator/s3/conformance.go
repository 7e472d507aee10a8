package s3

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/johannesboyne/gofakes3"
)

// Fixes for what gofakes3 answers differently from S3, in our layer.

// rewriteCopySource re-encodes x-amz-copy-source for gofakes3, which decodes
// the key as a query string ("+" becoming a space); S3 decodes it as a path,
// where "+" is a plus.
func rewriteCopySource(h http.Header) {
	src := h.Get("X-Amz-Copy-Source")
	if src == "" {
		return
	}
	pathPart, query, _ := strings.Cut(src, "?")
	decoded, err := url.PathUnescape(pathPart)
	if err != nil {
		return // gofakes3 will refuse it
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(decoded, "/"), "/")
	if !ok {
		return
	}
	out := bucket + "/" + url.QueryEscape(key)
	if query != "" {
		out += "?" + query
	}
	h.Set("X-Amz-Copy-Source", out)
}

// multipartETags remembers the ETag S3 gives an object assembled from
// parts ("<md5 of the parts' md5s>-N"): gofakes3's backends store the MD5 of
// the whole object and would show that on HEAD, GET and list.
type multipartETags struct {
	mu    sync.Mutex
	m     map[string][2]string // bucket/key → {plain md5, multipart etag}
	store ETagStore
	// sums are multipart objects' checksums (bucket/key → {plain md5,
	// algorithm, value}), in memory only.
	sums map[string][3]string
}

func (e *multipartETags) set(bucket, key, plain, multipart string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil {
		e.m = map[string][2]string{}
	}
	e.m[bucket+"/"+key] = [2]string{plain, multipart}
	if e.store != nil {
		e.store.SaveETag(bucket+"/"+key, plain, multipart)
	}
}

func (e *multipartETags) forget(bucket, key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.sums, bucket+"/"+key)
	if _, ok := e.m[bucket+"/"+key]; !ok {
		return
	}
	delete(e.m, bucket+"/"+key)
	if e.store != nil {
		e.store.ForgetETag(bucket + "/" + key)
	}
}

// fix returns the ETag to show for an object whose stored MD5 is plain
// (both hex, no quotes).
func (e *multipartETags) fix(bucket, key, plain string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, ok := e.m[bucket+"/"+key]; ok && v[0] == plain {
		return v[1]
	}
	return plain
}

func (e *multipartETags) setSum(bucket, key, plain, algo, value string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sums == nil {
		e.sums = map[string][3]string{}
	}
	e.sums[bucket+"/"+key] = [3]string{plain, algo, value}
}

// sum returns the checksum of a multipart object whose stored MD5 is plain.
func (e *multipartETags) sum(bucket, key, plain string) (algo, value string, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, found := e.sums[bucket+"/"+key]; found && v[0] == plain {
		return v[1], v[2], true
	}
	return "", "", false
}

// ETagStore keeps multipart ETags across restarts of a lab with a data
// directory. Keys are BUCKET/KEY.
type ETagStore interface {
	SaveETag(object, plain, multipart string)
	ForgetETag(object string)
}

// WithMultipartETags starts the server knowing the multipart ETags of
// objects stored earlier (BUCKET/KEY → {plain MD5, multipart ETag}) and
// reports new ones to store. An entry whose plain MD5 no longer matches the
// stored object is ignored, so a stale one is harmless.
func WithMultipartETags(known map[string][2]string, store ETagStore) Option {
	return func(s *Server) {
		s.mpETags.m = make(map[string][2]string, len(known))
		for k, v := range known {
			s.mpETags.m[k] = v
		}
		s.mpETags.store = store
	}
}

// headerETagFixer rewrites a GET/HEAD response's ETag for a multipart object.
func (s *Server) headerETagFixer(op Operation) func(http.Header) {
	return func(h http.Header) {
		if et := h.Get("ETag"); et != "" {
			plain := strings.Trim(et, `"`)
			if fixed := s.mpETags.fix(op.Bucket, op.Key, plain); fixed != plain {
				h.Set("ETag", `"`+fixed+`"`)
			}
		}
	}
}

// emptyUploadList answers ListMultipartUploads of a bucket that has never
// had an upload: gofakes3 says NoSuchUpload, S3 lists none.
func emptyUploadList(c *call) {
	if c.op.Name != "ListMultipartUploads" || c.rec.Status() != http.StatusNotFound {
		return
	}
	if code, _ := c.rec.ErrorCode(); code != "NoSuchUpload" {
		return
	}
	q := c.r.URL.Query()
	max, err := strconv.ParseInt(q.Get("max-uploads"), 10, 64)
	if err != nil || max <= 0 || max > 1000 {
		max = 1000
	}
	body, _ := xml.Marshal(gofakes3.ListMultipartUploadsResult{ // cannot fail: strings and numbers
		Bucket: c.op.Bucket, KeyMarker: q.Get("key-marker"), MaxUploads: max,
		Delimiter: q.Get("delimiter"), Prefix: q.Get("prefix"),
	})
	c.rec.replace(http.StatusOK, "application/xml", append([]byte(xml.Header), body...))
}
