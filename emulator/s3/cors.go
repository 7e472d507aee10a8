package s3

import (
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Cross-origin requests are answered as S3 answers them: with no CORS
// header at all unless the bucket has a CORS configuration whose rule
// allows the origin, the method and the headers. gofakes3 answers every
// preflight and every response with Access-Control-Allow-Origin: *, which
// let any web page open in the student's browser read, upload (and so run
// functions), overwrite and delete the lab's objects on loopback.

// CORSConfiguration is a bucket's CORS configuration, as PutBucketCors
// sends it.
type CORSConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	Xmlns   string     `xml:"xmlns,attr,omitempty"`
	Rules   []CORSRule `xml:"CORSRule"`
}

// CORSRule is one rule of a CORS configuration.
type CORSRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds"`
}

// CORSStore keeps CORS configurations across restarts (a lab's data
// directory). The documents are S3's XML.
type CORSStore interface {
	SaveCORS(bucket string, doc []byte)
	ForgetCORS(bucket string)
}

// WithCORS starts the server with the CORS configurations of an earlier
// run (bucket → XML document) and reports changes to store.
func WithCORS(known map[string][]byte, store CORSStore) Option {
	return func(s *Server) {
		s.cors.store = store
		for bucket, doc := range known {
			var cfg CORSConfiguration
			if xml.Unmarshal(doc, &cfg) == nil {
				s.cors.set(bucket, &cfg)
			}
		}
	}
}

// corsConfigs are the buckets' CORS configurations.
type corsConfigs struct {
	mu    sync.RWMutex
	m     map[string]*CORSConfiguration
	store CORSStore
}

func (c *corsConfigs) get(bucket string) *CORSConfiguration {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[bucket]
}

func (c *corsConfigs) set(bucket string, cfg *CORSConfiguration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*CORSConfiguration{}
	}
	c.m[bucket] = cfg
}

// save sets and keeps a configuration (nil removes it).
func (c *corsConfigs) save(bucket string, cfg *CORSConfiguration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cfg == nil {
		delete(c.m, bucket)
	} else {
		if c.m == nil {
			c.m = map[string]*CORSConfiguration{}
		}
		c.m[bucket] = cfg
	}
	if c.store == nil {
		return
	}
	if cfg == nil {
		c.store.ForgetCORS(bucket)
		return
	}
	doc, _ := xml.Marshal(cfg) // cannot fail: strings and numbers
	c.store.SaveCORS(bucket, doc)
}

// corsMethods are the methods a rule may allow.
var corsMethods = map[string]bool{"GET": true, "PUT": true, "POST": true, "DELETE": true, "HEAD": true}

// maxCORSBody bounds a CORS configuration document; maxCORSRules is S3's
// limit on rules.
const (
	maxCORSBody  = 64 << 10
	maxCORSRules = 100
)

// putCORS answers PutBucketCors.
func (s *Server) putCORS(c *call) error {
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxCORSBody+1))
	if err != nil {
		return bodyError(err)
	}
	if err := requireBodyChecksum(c.r.Header, body); err != nil {
		return err
	}
	if err := s.bucketMustExist(c.op.Bucket); err != nil {
		return err
	}
	var cfg CORSConfiguration
	if len(body) > maxCORSBody || xml.Unmarshal(body, &cfg) != nil || len(cfg.Rules) == 0 {
		return NewError("MalformedXML", "")
	}
	if len(cfg.Rules) > maxCORSRules {
		return NewError("InvalidRequest", "The number of CORS rules should not exceed allowed limit of 100 rules.")
	}
	for _, rule := range cfg.Rules {
		if err := checkCORSRule(rule); err != nil {
			return err
		}
	}
	cfg.Xmlns = ns
	s.cors.save(c.op.Bucket, &cfg)
	c.rec.WriteHeader(http.StatusOK)
	return nil
}

// checkCORSRule applies S3's rules for one CORS rule.
func checkCORSRule(rule CORSRule) error {
	if len(rule.AllowedMethods) == 0 || len(rule.AllowedOrigins) == 0 {
		return NewError("MalformedXML", "")
	}
	for _, m := range rule.AllowedMethods {
		if !corsMethods[m] {
			return NewError("InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is "+m)
		}
	}
	for _, o := range rule.AllowedOrigins {
		if strings.Count(o, "*") > 1 {
			return NewError("InvalidRequest", `AllowedOrigin "`+o+`" can not have more than one wildcard.`)
		}
	}
	for _, h := range rule.AllowedHeaders {
		if strings.Count(h, "*") > 1 {
			return NewError("InvalidRequest", `AllowedHeader "`+h+`" can not have more than one wildcard.`)
		}
	}
	return nil
}

// getCORS answers GetBucketCors.
func (s *Server) getCORS(c *call) error {
	if err := s.bucketMustExist(c.op.Bucket); err != nil {
		return err
	}
	cfg := s.cors.get(c.op.Bucket)
	if cfg == nil {
		return NewError("NoSuchCORSConfiguration", "", Field{"BucketName", c.op.Bucket})
	}
	return writeXML(c.rec, cfg)
}

// deleteCORS answers DeleteBucketCors.
func (s *Server) deleteCORS(c *call) error {
	if err := s.bucketMustExist(c.op.Bucket); err != nil {
		return err
	}
	s.cors.save(c.op.Bucket, nil)
	c.rec.WriteHeader(http.StatusNoContent)
	return nil
}

// Messages of S3's preflight answers. The ones for a missing Origin or
// Access-Control-Request-Method are unverified.
const (
	msgCORSNotAllowed = "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
	msgCORSDisabled   = "CORS is not enabled for this bucket."
)

// preflight answers an OPTIONS request: a browser asking whether a
// cross-origin request may be sent. It needs no credentials.
func (s *Server) preflight(c *call) error {
	c.op.Name = "PreflightRequest"
	origin, method := c.r.Header.Get("Origin"), c.r.Header.Get("Access-Control-Request-Method")
	if origin == "" {
		return NewError("BadRequest", "Insufficient information. Origin request header needed.")
	}
	if !corsMethods[method] {
		return NewError("BadRequest", "Invalid Access-Control-Request-Method: "+strconv.Quote(method))
	}
	cfg := s.cors.get(c.op.Bucket)
	if c.op.Bucket == "" || cfg == nil {
		return corsForbidden(msgCORSDisabled, method)
	}
	requested := splitHeaderList(c.r.Header.Get("Access-Control-Request-Headers"))
	rule := cfg.match(origin, method, requested)
	if rule == nil {
		return corsForbidden(msgCORSNotAllowed, method)
	}
	h := http.Header{}
	rule.allow(h, origin)
	if len(requested) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(requested, ", "))
	}
	c.rec.cors = h
	c.rec.WriteHeader(http.StatusOK)
	return nil
}

func corsForbidden(msg, method string) *Error {
	e := NewError("CORSResponse", msg, Field{"Method", method}, Field{"ResourceType", "OBJECT"})
	e.Status = http.StatusForbidden
	return e
}

// corsHeaders are the CORS headers of an actual cross-origin request's
// answer: those of the first rule allowing its origin and method, or none.
func (s *Server) corsHeaders(r *http.Request, bucket string) http.Header {
	origin := r.Header.Get("Origin")
	cfg := s.cors.get(bucket)
	if origin == "" || cfg == nil {
		return nil
	}
	rule := cfg.match(origin, r.Method, nil)
	if rule == nil {
		return nil
	}
	h := http.Header{}
	rule.allow(h, origin)
	return h
}

// match returns the first rule allowing origin, method and every requested
// header.
func (cfg *CORSConfiguration) match(origin, method string, headers []string) *CORSRule {
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		if anyWildcard(r.AllowedOrigins, origin, false) && contains(r.AllowedMethods, method) && allHeaders(r.AllowedHeaders, headers) {
			return r
		}
	}
	return nil
}

// allow sets the headers of an allowed cross-origin answer.
func (r *CORSRule) allow(h http.Header, origin string) {
	if contains(r.AllowedOrigins, "*") {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
	if len(r.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
	}
	if r.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(*r.MaxAgeSeconds))
	}
	h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}

func allHeaders(allowed, requested []string) bool {
	for _, h := range requested {
		if !anyWildcard(allowed, h, true) {
			return false
		}
	}
	return true
}

// anyWildcard reports whether one of the patterns (each with at most one
// "*") matches s.
func anyWildcard(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			p, s = strings.ToLower(p), strings.ToLower(s)
		}
		before, after, star := strings.Cut(p, "*")
		if !star && p == s || star && len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func splitHeaderList(v string) []string {
	var out []string
	for _, h := range strings.Split(v, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, strings.ToLower(h))
		}
	}
	return out
}

// scrubCORS removes the CORS headers gofakes3 sets on every answer.
func scrubCORS(h http.Header) {
	for name := range h {
		if strings.HasPrefix(name, "Access-Control-") {
			delete(h, name)
		}
	}
}
