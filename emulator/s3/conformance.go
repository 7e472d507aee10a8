package s3

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
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

// fixListing rewrites a held ListObjects(V2) answer: common prefixes already
// returned on an earlier page are dropped (gofakes3 repeats them when a page
// ends inside a prefix), and multipart objects show their multipart ETag.
func (s *Server) fixListing(c *call) {
	if c.rec.Status() != http.StatusOK {
		return
	}
	q := c.r.URL.Query()
	body := bytes.TrimPrefix(c.rec.Held(), []byte(xml.Header))
	var out any
	var base *gofakes3.ListBucketResultBase
	var marker string
	if c.op.Name == "ListObjectsV2" {
		var v2 listV2Result
		if xml.Unmarshal(body, &v2) != nil {
			return
		}
		marker = q.Get("start-after")
		if tok := q.Get("continuation-token"); tok != "" {
			if dec, err := base64.URLEncoding.DecodeString(tok); err == nil {
				marker = string(dec)
			}
		}
		base, out = &v2.ListBucketResultBase, &v2
		defer s.encodeListing(c, out, func() { v2.KeyCount = int64(len(v2.CommonPrefixes) + len(v2.Contents)) })
	} else {
		var v1 gofakes3.ListBucketResult
		if xml.Unmarshal(body, &v1) != nil {
			return
		}
		marker = q.Get("marker")
		base, out = &v1.ListBucketResultBase, &v1
		defer s.encodeListing(c, out, func() {})
	}
	if marker != "" {
		kept := base.CommonPrefixes[:0]
		for _, p := range base.CommonPrefixes {
			if p.Prefix > marker {
				kept = append(kept, p)
			}
		}
		base.CommonPrefixes = kept
	}
	for _, ct := range base.Contents {
		plain := strings.Trim(ct.ETag, `"`)
		if fixed := s.mpETags.fix(c.op.Bucket, ct.Key, plain); fixed != plain {
			ct.ETag = `"` + fixed + `"`
		}
	}
}

// listV2Result is gofakes3's ListBucketResultV2 with KeyCount always
// present, as S3 sends it (boto3 reads it even when 0).
type listV2Result struct {
	gofakes3.ListBucketResultBase
	ContinuationToken     string `xml:"ContinuationToken,omitempty"`
	KeyCount              int64  `xml:"KeyCount"`
	NextContinuationToken string `xml:"NextContinuationToken,omitempty"`
	StartAfter            string `xml:"StartAfter,omitempty"`
}

// encodeListing writes the fixed listing back as the held body.
func (s *Server) encodeListing(c *call, out any, finish func()) {
	finish()
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err == nil {
		c.rec.body.Reset()
		c.rec.body.Write(buf.Bytes())
	}
}
