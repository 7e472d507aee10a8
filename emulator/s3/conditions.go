package s3

import (
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// Conditional requests, as S3 answers them. Writes (PutObject,
// CompleteMultipartUpload) take If-None-Match: * (the key must not exist)
// and If-Match: ETAG (it must exist with that ETag); the check runs under
// the key's lock, with the write. Reads (GetObject, HeadObject) take all
// four validators of RFC 9110, evaluated in its order on the object the
// answer carries: If-Match, else If-Unmodified-Since (412); If-None-Match,
// else If-Modified-Since (304).

// conditionHeaders are the precondition headers gofakes3 would act on
// itself (partly): ours replace them.
var conditionHeaders = []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"}

// writeCondition is a conditional write's preconditions and what the key
// looked like when its request began.
type writeCondition struct {
	ifMatch, ifNoneMatch string
	object               string
	watch                *keyWatch
	removals             uint64
}

// keyWatch counts the removals committed to a key while conditional writes
// of it are in progress.
type keyWatch struct {
	refs     int
	removals uint64
}

// keyWatches are the keys conditional writes are waiting on.
type keyWatches struct {
	mu sync.Mutex
	m  map[string]*keyWatch
}

func (k *keyWatches) watch(object string) (*keyWatch, uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]*keyWatch{}
	}
	w := k.m[object]
	if w == nil {
		w = &keyWatch{}
		k.m[object] = w
	}
	w.refs++
	return w, w.removals
}

func (k *keyWatches) unwatch(object string, w *keyWatch) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if w.refs--; w.refs == 0 {
		delete(k.m, object)
	}
}

// removed notes a removal committed to object.
func (k *keyWatches) removed(object string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if w := k.m[object]; w != nil {
		w.removals++
	}
}

func (k *keyWatches) current(w *keyWatch) uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return w.removals
}

// startCondition reads a write's preconditions before its body arrives,
// and refuses the ones S3 does not implement.
func (s *Server) startCondition(c *call) error {
	if c.op.Name != "PutObject" && c.op.Name != "CompleteMultipartUpload" {
		return nil
	}
	h := c.r.Header
	_, hasMatch := h["If-Match"]
	_, hasNone := h["If-None-Match"]
	if !hasMatch && !hasNone {
		return nil
	}
	cond := &writeCondition{ifMatch: h.Get("If-Match"), ifNoneMatch: h.Get("If-None-Match"), object: c.op.Bucket + "/" + c.op.Key}
	if hasNone && strings.TrimSpace(cond.ifNoneMatch) != "*" {
		return NewError("NotImplemented", "", Field{"Header", "If-None-Match"})
	}
	cond.watch, cond.removals = s.watches.watch(cond.object)
	c.cond = cond
	return nil
}

// endCondition forgets a write's preconditions.
func (s *Server) endCondition(c *call) {
	if c.cond != nil {
		s.watches.unwatch(c.cond.object, c.cond.watch)
	}
}

// checkCondition decides a conditional write with the key locked, so that
// the check and the write are one: a precondition that does not hold is
// 412 (If-Match of a missing key: 404 NoSuchKey) — the first of two
// conditional writes to finish wins, the other is refused — unless the key
// was deleted while this request's body arrived, which S3 answers 409
// ConditionalRequestConflict (retry). The headers are then removed, so
// gofakes3 does not judge them again.
func (s *Server) checkCondition(c *call) error {
	cond := c.cond
	if cond == nil {
		return nil
	}
	for _, name := range conditionHeaders {
		c.r.Header.Del(name)
	}
	if ok, err := s.backend.BucketExists(c.op.Bucket); err != nil || !ok {
		return err // gofakes3 answers NoSuchBucket
	}
	etag, exists, err := s.currentETag(c.op.Bucket, c.op.Key)
	if err != nil {
		return err
	}
	failed := NewError("PreconditionFailed", "", Field{"Condition", "If-None-Match"})
	switch {
	case cond.ifNoneMatch != "" && exists:
	case cond.ifMatch != "" && !exists:
		failed = NewError("NoSuchKey", "", Field{"Key", c.op.Key})
	case cond.ifMatch != "" && !etagListMatches(cond.ifMatch, etag):
		failed = NewError("PreconditionFailed", "", Field{"Condition", "If-Match"})
	default:
		return nil
	}
	if s.watches.current(cond.watch) != cond.removals {
		return NewError("ConditionalRequestConflict", "")
	}
	return failed
}

// currentETag is the ETag a client is shown for a stored object (quoted),
// and whether the object exists.
func (s *Server) currentETag(bucket, key string) (string, bool, error) {
	plain, exists, err := s.storedMD5(bucket, key)
	if !exists {
		return "", exists, err
	}
	return `"` + s.mpETags.fix(bucket, key, plain) + `"`, true, nil
}

// storedMD5 is the MD5 (hex) of a stored object, and whether it exists.
func (s *Server) storedMD5(bucket, key string) (string, bool, error) {
	obj, err := s.backend.HeadObject(bucket, key)
	if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) || gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if obj.Contents != nil {
		obj.Contents.Close()
	}
	if obj.IsDeleteMarker {
		return "", false, nil
	}
	return hex.EncodeToString(obj.Hash), true, nil
}

// etagListMatches reports whether an If-Match or If-None-Match value ("*",
// or a list of entity tags, weak or strong) names etag.
func etagListMatches(list, etag string) bool {
	want := strings.Trim(etag, `"`)
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if v == "*" {
			return true
		}
		v = strings.TrimPrefix(v, "W/")
		if strings.Trim(v, `"`) == want {
			return true
		}
	}
	return false
}

// readPreconditions captures a GET's or HEAD's validators and removes them
// from the request: gofakes3 knows only some of them. The returned function
// judges the object an answer is about to carry (its ETag and Last-Modified
// headers), so that the check and what is served cannot disagree.
func (s *Server) readPreconditions(r *http.Request) func(h http.Header) *Error {
	v := map[string]string{}
	for _, name := range conditionHeaders {
		if x := r.Header.Get(name); x != "" {
			v[name] = x
		}
		r.Header.Del(name)
	}
	if len(v) == 0 {
		return nil
	}
	now := s.clock.Now()
	return func(h http.Header) *Error {
		modified, _ := http.ParseTime(h.Get("Last-Modified"))
		return judgeRead(v, h.Get("ETag"), modified, now)
	}
}

// judgeRead applies RFC 9110 §13.2.2's order: If-Match, or without it
// If-Unmodified-Since; then If-None-Match, or without it
// If-Modified-Since (GET and HEAD only, which is all this serves). A date
// that does not parse, or lies in the future, is ignored.
func judgeRead(v map[string]string, etag string, modified, now time.Time) *Error {
	date := func(name string) (time.Time, bool) {
		t, err := http.ParseTime(v[name])
		return t, err == nil && !t.After(now) && !modified.IsZero()
	}
	if m, ok := v["If-Match"]; ok {
		if !etagListMatches(m, etag) {
			return NewError("PreconditionFailed", "", Field{"Condition", "If-Match"})
		}
	} else if t, ok := date("If-Unmodified-Since"); ok && modified.Truncate(time.Second).After(t) {
		return NewError("PreconditionFailed", "", Field{"Condition", "If-Unmodified-Since"})
	}
	if m, ok := v["If-None-Match"]; ok {
		if etagListMatches(m, etag) {
			return notModified()
		}
	} else if t, ok := date("If-Modified-Since"); ok && !modified.Truncate(time.Second).After(t) {
		return notModified()
	}
	return nil
}

// notModified is the 304 answer: no error document, no body.
func notModified() *Error {
	return &Error{Status: http.StatusNotModified, Code: "NotModified"}
}

// earlyPrecondition judges a conditional GET or HEAD on the stored object
// before a Range is: a failed precondition (412, 304) wins over
// InvalidRange, as in RFC 9110. The answer's own headers are judged again
// when it is written.
func (s *Server) earlyPrecondition(c *call) error {
	if c.rec.precondition == nil || c.r.URL.Query().Has("versionId") {
		return nil
	}
	obj, err := s.backend.HeadObject(c.op.Bucket, c.op.Key)
	if err != nil {
		return nil // gofakes3 answers NoSuchKey, NoSuchBucket
	}
	if obj.Contents != nil {
		obj.Contents.Close()
	}
	if obj.IsDeleteMarker {
		return nil
	}
	h := http.Header{}
	h.Set("ETag", `"`+s.mpETags.fix(c.op.Bucket, c.op.Key, hex.EncodeToString(obj.Hash))+`"`)
	h.Set("Last-Modified", obj.Metadata["Last-Modified"])
	if e := c.rec.precondition(h); e != nil {
		if e.Status == http.StatusNotModified {
			for _, name := range []string{"ETag", "Last-Modified"} {
				c.rec.Header().Set(name, h.Get(name))
			}
		}
		return e
	}
	return nil
}
