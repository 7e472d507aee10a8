// Package s3 is the lab's S3 endpoint: gofakes3 behind our middleware. The
// middleware knows who is calling, answers the sub-resources gofakes3 lacks
// (?notification above all), applies AWS's bucket-naming rules, stamps
// request ids, and after every committed write tells the notifier what
// changed, so S3 event notifications go out as AWS sends them.
package s3

import (
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// Notifier receives every committed object change. It is called while the
// key is still locked and before the client sees the response, so it must
// only queue work, never wait for a handler.
type Notifier interface {
	Notify(c notify.Change)
}

// Server is the S3 endpoint. It implements http.Handler.
type Server struct {
	backend   gofakes3.Backend
	fake      http.Handler
	region    string
	account   string
	bus       *bus.Bus
	clock     clock.Clock
	ids       *ids.Source
	notes     *notify.Store
	canInvoke func(functionARN, bucket string) bool
	validator notify.Validator
	notifier  Notifier
	identify  Identifier
	locks     keyLocks
	watches   keyWatches
	cors      corsConfigs
	mpETags   multipartETags
	uploads   uploadSums
	// triggerRisk returns the recursive-invocation warning for a trigger of
	// bucket to function, or "".
	triggerRisk func(bucket, function string) string

	seqMu   sync.Mutex
	lastSeq uint64
	secrets SecretLookup

	bodyTimeout time.Duration
	spoolDir    string
	mpUploads   *Uploads
	intents     IntentLog
	own         map[string]func(*call) error
}

// Option configures a Server.
type Option func(*Server)

// WithRegion sets the region and account id the endpoint speaks for
// (default us-east-1, 000000000000).
func WithRegion(region, account string) Option {
	return func(s *Server) { s.region, s.account = region, account }
}

// WithBus publishes every request and change on b.
func WithBus(b *bus.Bus) Option { return func(s *Server) { s.bus = b } }

// WithClock sets the clock that stamps objects and events.
func WithClock(c clock.Clock) Option { return func(s *Server) { s.clock = c } }

// WithIDs sets the source of request ids.
func WithIDs(src *ids.Source) Option { return func(s *Server) { s.ids = src } }

// WithNotifications keeps notification configurations in store (shared
// with the notifier that matches them).
func WithNotifications(store *notify.Store) Option { return func(s *Server) { s.notes = store } }

// WithNotifier sends committed changes to n.
func WithNotifier(n Notifier) Option { return func(s *Server) { s.notifier = n } }

// WithFunctionLookup tells notification validation which Lambda functions
// S3 may invoke for a bucket: the function exists and its resource policy
// lets s3.amazonaws.com invoke it for the bucket (lambda add-permission).
func WithFunctionLookup(canInvoke func(functionARN, bucket string) bool) Option {
	return func(s *Server) { s.canInvoke = canInvoke }
}

// WithTriggerRisk lets the lab warn about triggers on a bucket the
// function writes to.
func WithTriggerRisk(f func(bucket, function string) string) Option {
	return func(s *Server) { s.triggerRisk = f }
}

// WithSignatureCheck makes the server check the SigV4 signature of every
// request signed with an access key lookup knows (--verify-signatures).
func WithSignatureCheck(lookup SecretLookup) Option { return func(s *Server) { s.secrets = lookup } }

// WithIdentifier maps access keys the lab issued to their principals.
func WithIdentifier(id Identifier) Option { return func(s *Server) { s.identify = id } }

// New returns the endpoint in front of backend.
func New(backend gofakes3.Backend, opts ...Option) *Server {
	s := &Server{
		backend:     backend,
		region:      "us-east-1",
		account:     "000000000000",
		clock:       clock.Wall{},
		notes:       notify.NewStore(),
		bodyTimeout: DefaultBodyTimeout,
	}
	for _, o := range opts {
		o(s)
	}
	if s.ids == nil {
		s.ids = ids.NewRandom()
	}
	s.own = s.ownAnswers()
	if s.mpUploads == nil {
		s.mpUploads = &Uploads{byID: map[gofakes3.UploadID]*mpUpload{}}
	}
	s.mpUploads.backend, s.mpUploads.clock = backend, s.clock.Now
	s.fake = gofakes3.New(withUploads(backend, s.mpUploads),
		gofakes3.WithTimeSource(clock.TimeSource{Clock: s.clock}),
		gofakes3.WithTimeSkewLimit(0), // a virtual clock is allowed to differ from the client's
		// gofakes3 counts every stored header against 2,000 bytes; S3's 2 KB
		// limit is on user metadata alone, checked in checkRequest.
		gofakes3.WithMetadataSizeLimit(0),
		gofakes3.WithLogger(nil),
	).Server()
	return s
}

// Notifications is the store of bucket notification configurations.
func (s *Server) Notifications() *notify.Store { return s.notes }

// Region is the lab's region.
func (s *Server) Region() string { return s.region }

// Root is the account root principal: what unknown credentials act as.
func (s *Server) Root() Principal {
	return Principal{
		Name:        "root",
		ARN:         "arn:aws:iam::" + s.account + ":root",
		PrincipalID: RootPrincipalID(s.account),
		Root:        true,
	}
}

// RootPrincipalID is the principalId S3 event records give the account's
// root user and the bucket owner. AWS shows an opaque id (e.g.
// A3NL1KOZZKExample); we derive a stable one from the account.
func RootPrincipalID(account string) string { return "A" + account + "LAB" }

func (s *Server) principal(r *http.Request) Principal {
	key := AccessKeyID(r)
	if s.identify != nil && key != "" {
		if p, ok := s.identify(key); ok {
			p.AccessKeyID = key
			return p
		}
	}
	p := s.Root()
	p.AccessKeyID = key
	return p
}

// call is one request on its way through the middleware.
type call struct {
	r         *http.Request
	rec       *recorder
	op        Operation
	principal Principal
	start     time.Time
	published bool
	// deletes is the body of a DeleteObjects request; denied are the
	// objects of it the caller may not delete.
	deletes deleteRequest
	denied  []deleteObject
	// parts are the part numbers a CompleteMultipartUpload lists.
	parts []int
	// body is the request body behind its idle timeout; spool is the body
	// read ahead (PutObject, UploadPart).
	body  *idleBody
	spool *spool
	// cond is a conditional write's preconditions.
	cond *writeCondition
	// post is a PostObject's form, postMD5 the MD5 of its file.
	post    *postForm
	postMD5 []byte
	// detail says more than the error sent to the client, for the log (a
	// recovered panic, damaged data).
	detail string
}

// close releases what the request held.
func (c *call) close() {
	if c.spool != nil {
		c.spool.Close()
	}
	if c.r.MultipartForm != nil {
		_ = c.r.MultipartForm.RemoveAll()
	}
}

// ServeHTTP answers one S3 request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A damaged data file can fault inside bbolt's memory map: make that a
	// panic this request recovers from rather than the end of the lab.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	// An empty body sent with Expect: 100-continue gets its 100 Continue
	// too. Go's server sends one only when a body is read; botocore,
	// answered without it, stalled its next request on the connection
	// until its read timeout (a minute) after an empty put_object.
	if r.ContentLength == 0 && strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		w.WriteHeader(http.StatusContinue)
	}
	rewriteVirtualHost(r)
	op := Classify(r)
	c := &call{
		r:         r,
		op:        op,
		principal: s.principal(r),
		start:     s.clock.Now(),
		rec:       newRecorder(w, r.Method, s.ids.RequestID(), s.ids.HostID(), op.IsWrite() || isListing(op)),
	}
	if c.principal.Root {
		stripLineage(r.Header) // not one of the lab's functions
	}
	if op.Name == "GetObject" || op.Name == "HeadObject" {
		sums, etag := s.checksumFixer(r, op), s.headerETagFixer(op)
		c.rec.fixHeaders = func(h http.Header) { sums(h); etag(h) }
		c.rec.precondition = s.readPreconditions(r)
	}
	if r.Method != http.MethodOptions {
		c.rec.cors = s.corsHeaders(r, op.Bucket)
	}
	c.body = s.watchBody(w, r)
	defer c.close()
	defer s.endCondition(c)
	c.rec.unversioned = op.Key != "" && !s.versioned(op.Bucket)
	s.serve(c)
	s.publishRequest(c)
	c.rec.flush(r.Method)
}

func (s *Server) route(c *call) error {
	if c.r.Method == http.MethodOptions {
		return s.preflight(c)
	}
	if s.secrets != nil {
		// Clients sign with the wall clock, whatever the lab's clock says.
		if err := VerifySignature(c.r, s.secrets, time.Now()); err != nil {
			return err
		}
	}
	if err := s.checkRequest(c); err != nil {
		return err
	}
	keys, err := s.keysOf(c)
	if err != nil {
		return err
	}
	if err := s.authorize(c, keys); err != nil {
		return err
	}
	if c.op.Name == "DeleteObjects" {
		keys = s.authorizeDeletes(c)
	}
	if err := s.checkContent(c); err != nil {
		return err
	}
	if answer, ok := s.own[c.op.Name]; ok {
		return answer(c)
	}
	if answer, ok := staticAnswers[c.op.Name]; ok {
		return s.static(c, answer)
	}
	if c.op.Sub != "" && !gofakesSubresources[c.op.Sub] {
		return NewError("NotImplemented", "")
	}
	if err := s.startCondition(c); err != nil {
		return err
	}
	if c.op.Name == "PutObject" || c.op.Name == "UploadPart" {
		// Before any lock: a slow client holds up nobody.
		if err := s.readBody(c); err != nil {
			return err
		}
	}
	if c.op.IsWrite() {
		return s.write(c, keys)
	}
	return s.pass(c)
}

// ownAnswers are the operations our layer answers itself, gofakes3 not at
// all.
func (s *Server) ownAnswers() map[string]func(*call) error {
	return map[string]func(*call) error{
		"ListBuckets": s.listBuckets, "ListObjects": s.listObjects, "ListObjectsV2": s.listObjects,
		"PutBucketNotificationConfiguration": s.putNotification, "GetBucketNotificationConfiguration": s.getNotification,
		"PutBucketCors": s.putCORS, "GetBucketCors": s.getCORS, "DeleteBucketCors": s.deleteCORS,
		"CreateBucket": s.createBucket, "DeleteBucket": s.deleteBucket,
		"UploadPartCopy": func(*call) error { return NewError("NotImplemented", "") },
	}
}

// pass hands a request that changes no object to gofakes3, and fixes up
// its answer.
func (s *Server) pass(c *call) error {
	created := requestedUpload(c)
	prepareBody(c.r, c.op)
	part := s.sumPart(c)
	if created != nil {
		c.rec.hold = true // to read the upload id
	}
	s.fake.ServeHTTP(c.rec, c.r)
	if c.rec.Status() < 300 {
		s.answerUpload(c, created, part)
		if c.op.Name == "AbortMultipartUpload" {
			s.uploads.end(c.r.URL.Query().Get("uploadId"))
		}
	}
	emptyUploadList(c)
	return s.hideMissingKey(c)
}

func isListing(op Operation) bool { return op.Name == "ListObjects" || op.Name == "ListObjectsV2" }

// hideMissingKey answers 403 for a missing key when the caller may not list
// the bucket, as S3 does.
func (s *Server) hideMissingKey(c *call) error {
	if c.rec.Status() != http.StatusNotFound || (c.op.Name != "GetObject" && c.op.Name != "HeadObject") {
		return nil
	}
	if code, _ := c.rec.ErrorCode(); code != "NoSuchKey" && c.r.Method != http.MethodHead {
		return nil
	}
	if ok, d := s.canList(c.principal, c.op.Bucket); !ok {
		return NewError("AccessDenied", iam.DeniedMessage(c.principal.ARN, "s3:ListBucket", bucketARN(c.op.Bucket), d))
	}
	return nil
}

// gofakesSubresources are the sub-resources gofakes3 itself answers.
var gofakesSubresources = map[string]bool{
	"location": true, "versioning": true, "versions": true, "uploads": true, "uploadId": true, "delete": true,
}

func (s *Server) publishRequest(c *call) {
	if c.published {
		return
	}
	c.published = true
	code, msg := c.rec.ErrorCode()
	if m, ok := Messages[code]; ok && (msg == "" || msg == code) {
		msg = m
	}
	if c.detail != "" {
		msg = c.detail
	}
	s.bus.Publish(bus.S3Request{
		Header:    bus.Header{Time: c.start},
		RequestID: c.rec.requestID,
		Method:    c.r.Method,
		Operation: c.op.Name,
		Bucket:    c.op.Bucket,
		Key:       c.op.Key,
		Status:    c.rec.Status(),
		ErrorCode: code,
		Message:   msg,
		Principal: c.principal.Name,
		Trace:     c.r.Header.Get(TraceHeader),
	})
}

// versioned reports whether a bucket has versioning enabled.
func (s *Server) versioned(bucket string) bool {
	vb, ok := s.backend.(gofakes3.VersionedBackend)
	if !ok {
		return false
	}
	cfg, err := vb.VersioningConfiguration(bucket)
	return err == nil && cfg.Status == gofakes3.VersioningEnabled
}

// rewriteVirtualHost turns a virtual-host-style request
// (cis-examples.localhost:4566/key) into the path style gofakes3 routes.
func rewriteVirtualHost(r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	for _, suffix := range virtualHostSuffixes {
		bucket, ok := strings.CutSuffix(host, suffix)
		if !ok || bucket == "" {
			continue
		}
		r.URL.Path = "/" + bucket + r.URL.Path
		if r.URL.Path == "/"+bucket+"/" {
			r.URL.Path = "/" + bucket
		}
		r.URL.RawPath = ""
		return
	}
}

// virtualHostSuffixes are the host names under which a bucket may be
// addressed virtual-host style (longest first).
var virtualHostSuffixes = []string{
	".s3.localhost.localstack.cloud", ".localhost.localstack.cloud", ".localhost",
}
