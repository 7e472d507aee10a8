package s3

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The request checks S3 makes before it acts, answered with S3's error
// codes. checkRequest looks only at the request line and headers and runs
// before authorization; checkContent reads bodies and stored objects and
// runs after it, so a caller without permission learns nothing from it.

// Limits S3 enforces on a request.
const (
	// MaxKeyLength is the longest object key, in UTF-8 bytes.
	MaxKeyLength = 1024
	// MaxUserMetadata is the user-defined metadata a PUT may carry: 2 KB,
	// "the sum of the number of bytes in the UTF-8 encoding of each key and
	// value". We count a key without its x-amz-meta- prefix, as the metadata
	// S3 returns names it (unverified: S3 may count the prefix too).
	MaxUserMetadata = 2048
	// MaxHeaderSection is the size of a request's header section, 8 KB. We
	// measure it as the bytes of the header lines ("Name: value\r\n",
	// Host included, request line excluded).
	MaxHeaderSection = 8192
	// MaxPutSize is the largest object one PutObject (or one part) may
	// carry, 5 GiB.
	MaxPutSize = 5 << 30
	// maxPartNumber is the highest part number of a multipart upload.
	maxPartNumber = 10000
)

// AWS's messages for the argument errors below. The part number, max-keys
// and checksum texts are S3's as clients report them; the encoding-type,
// copy-source-encoding and non-integer max-keys texts are unverified.
const (
	msgPartNumber      = "Part number must be an integer between 1 and 10000, inclusive"
	msgMaxKeysNegative = "Argument maxKeys must be an integer between 0 and 2147483647"
	msgMaxKeysNotInt   = "Provided max-keys not an integer or within integer range"
	msgEncodingType    = "Invalid Encoding Method specified in Request"
	msgCopySource      = "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"
	msgCopyEncoding    = "Invalid copy source encoding"
)

// checkRequest applies S3's checks of the URI and headers. It never reads
// the body and never looks at what is stored.
func (s *Server) checkRequest(c *call) error {
	r, op := c.r, c.op
	if n := headerSectionSize(r); n > MaxHeaderSection {
		return NewError("RequestHeaderSectionTooLarge", "", Field{"MaxSizeAllowed", strconv.Itoa(MaxHeaderSection)})
	}
	if !validURI(r, op) {
		return NewError("InvalidURI", "")
	}
	if len(op.Key) > MaxKeyLength {
		return NewError("KeyTooLongError", "",
			Field{"Size", strconv.Itoa(len(op.Key))}, Field{"MaxSizeAllowed", strconv.Itoa(MaxKeyLength)})
	}
	if err := checkSubresource(r, op); err != nil {
		return err
	}
	switch op.Name {
	case "PutObject", "CopyObject", "CreateMultipartUpload":
		if err := checkMetadata(r.Header); err != nil {
			return err
		}
	case "ListObjects", "ListObjectsV2":
		return checkListing(r.URL.Query())
	case "GetObject", "HeadObject":
		dropInvalidRange(r.Header)
	}
	switch op.Name {
	case "PutObject", "UploadPart":
		if r.ContentLength > MaxPutSize {
			return NewError("EntityTooLarge", "", Field{"ProposedSize", strconv.FormatInt(r.ContentLength, 10)},
				Field{"MaxSizeAllowed", strconv.FormatInt(MaxPutSize, 10)})
		}
		return checkChecksumHeaders(r.Header)
	case "CopyObject":
		return checkCopySource(r.Header.Get("X-Amz-Copy-Source"))
	}
	return nil
}

// headerSectionSize is the size of the request's header lines.
func headerSectionSize(r *http.Request) int {
	n := len("Host: \r\n") + len(r.Host)
	for name, values := range r.Header {
		for _, v := range values {
			n += len(name) + len(": \r\n") + len(v)
		}
	}
	return n
}

// validURI reports whether the bucket, key and query values are UTF-8. S3
// answers a key whose percent-escapes decode to anything else with
// InvalidURI; we treat the query parameters (prefix, marker, ...) the same
// way (unverified for them).
func validURI(r *http.Request, op Operation) bool {
	if !utf8.ValidString(op.Bucket) || !utf8.ValidString(op.Key) {
		return false
	}
	for name, values := range r.URL.Query() {
		if !utf8.ValidString(name) {
			return false
		}
		for _, v := range values {
			if !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
}

// checkSubresource refuses query strings gofakes3 would route to something
// other than the operation we classified, which would let a write slip past
// the locks and events of our write path: an empty ?uploadId= (gofakes3
// would store, or delete, the object itself) and the bucket sub-resources
// ?versioning and ?versions on an object (gofakes3 would act on the
// bucket). It also answers a part number outside 1–10,000 as S3 does
// (gofakes3 says InvalidPart).
func checkSubresource(r *http.Request, op Operation) error {
	q := r.URL.Query()
	if op.Sub == "uploadId" && q.Get("uploadId") == "" {
		e := NewError("NoSuchUpload", "", Field{"UploadId", ""})
		e.Status = http.StatusNotFound
		return e
	}
	if op.Key == "" {
		return nil
	}
	for _, sub := range []string{"versioning", "versions"} {
		if _, ok := q[sub]; ok {
			// Unverified: S3 refuses a bucket sub-resource on an object; we
			// answer as it does for methods a resource does not support.
			return NewError("MethodNotAllowed", "", Field{"Method", r.Method}, Field{"ResourceType", "OBJECT"})
		}
	}
	if op.Name == "UploadPart" || op.Name == "UploadPartCopy" {
		v := q.Get("partNumber")
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > maxPartNumber {
			return NewError("InvalidArgument", msgPartNumber, Field{"ArgumentName", "partNumber"}, Field{"ArgumentValue", v})
		}
	}
	return nil
}

// checkMetadata enforces the 2 KB limit on user-defined metadata.
func checkMetadata(h http.Header) error {
	size := 0
	for name, values := range h {
		key, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-meta-")
		if !ok {
			continue
		}
		size += len(key)
		for _, v := range values {
			size += len(v)
		}
	}
	if size > MaxUserMetadata {
		return NewError("MetadataTooLarge", "", Field{"Size", strconv.Itoa(size)},
			Field{"MaxSizeAllowed", strconv.Itoa(MaxUserMetadata)})
	}
	return nil
}

// checkListing checks the parameters of ListObjects(V2) that S3 refuses.
// A max-keys above 1,000 is allowed (the page holds at most 1,000).
func checkListing(q url.Values) error {
	if v, ok := q["max-keys"]; ok {
		n, err := strconv.ParseInt(v[0], 10, 32)
		if err != nil {
			return NewError("InvalidArgument", msgMaxKeysNotInt, Field{"ArgumentName", "max-keys"}, Field{"ArgumentValue", v[0]})
		}
		if n < 0 {
			return NewError("InvalidArgument", msgMaxKeysNegative, Field{"ArgumentName", "maxKeys"}, Field{"ArgumentValue", v[0]})
		}
	}
	if v, ok := q["encoding-type"]; ok && !strings.EqualFold(v[0], "url") {
		return NewError("InvalidArgument", msgEncodingType, Field{"ArgumentName", "encoding-type"}, Field{"ArgumentValue", v[0]})
	}
	return nil
}

// checksumSizes are the decoded lengths of S3's checksum values.
var checksumSizes = map[string]int{"crc32": 4, "crc32c": 4, "crc64nvme": 8, "sha1": 20, "sha256": 32}

// checkChecksumHeaders refuses an x-amz-checksum-ALGO header that is not the
// base64 of a checksum of that algorithm; a well-formed but wrong one is
// found later, when the body has been read (BadDigest).
func checkChecksumHeaders(h http.Header) error {
	for name, values := range h {
		algo, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-checksum-")
		size, known := checksumSizes[algo]
		if !ok || !known || len(values) == 0 {
			continue
		}
		sum, err := base64.StdEncoding.DecodeString(values[0])
		if err != nil || len(sum) != size {
			return NewError("InvalidRequest", "Value for x-amz-checksum-"+algo+" header is invalid.")
		}
	}
	return nil
}

// checksumMismatch reports whether an error is S3's BadDigest for a wrong
// x-amz-checksum-ALGO (verifyChecksum's "The CRC32 you specified did not
// match the calculated checksum."), which must keep its message rather
// than take the Content-MD5 one of the message table.
func checksumMismatch(code, msg string) bool {
	return code == "BadDigest" && strings.HasSuffix(msg, " did not match the calculated checksum.")
}

// checkCopySource refuses an x-amz-copy-source that does not name a bucket
// and a key ("bucket/key", "/bucket/key", URL-encoded, optionally with
// ?versionId=). A source naming a bucket that does not exist, such as
// "../../etc/passwd" (bucket ".."), is answered later with NoSuchBucket:
// buckets and keys are names in a map, never paths.
func checkCopySource(src string) error {
	arg := []Field{{"ArgumentName", "x-amz-copy-source"}, {"ArgumentValue", src}}
	path, _, _ := strings.Cut(src, "?")
	decoded, err := url.PathUnescape(path)
	if err != nil || !utf8.ValidString(decoded) {
		return NewError("InvalidArgument", msgCopyEncoding, arg...)
	}
	_, key, _, ok := copySource(src)
	if !ok {
		return NewError("InvalidArgument", msgCopySource, arg...)
	}
	if len(key) > MaxKeyLength {
		return NewError("KeyTooLongError", "",
			Field{"Size", strconv.Itoa(len(key))}, Field{"MaxSizeAllowed", strconv.Itoa(MaxKeyLength)})
	}
	return nil
}

// dropInvalidRange removes a Range header S3 would ignore: one it cannot
// parse, or one asking for several ranges (S3 serves one range per GET).
// The whole object is then sent, as S3 sends it (unverified for several
// ranges). A range that parses but lies beyond the object is answered in
// checkContent.
func dropInvalidRange(h http.Header) {
	if v := h.Get("Range"); v != "" {
		if _, _, ok := parseRange(v); !ok {
			h.Del("Range")
		}
	}
}

// parseRange reads "bytes=FIRST-LAST", "bytes=FIRST-" or "bytes=-SUFFIX".
// A missing bound is -1.
func parseRange(v string) (first, last int64, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	a, b, dash := strings.Cut(spec, "-")
	if !found || !dash || strings.Contains(b, ",") || (a == "" && b == "") {
		return 0, 0, false
	}
	first, last = -1, -1
	var err error
	if a != "" {
		if first, err = strconv.ParseInt(strings.TrimSpace(a), 10, 64); err != nil || first < 0 {
			return 0, 0, false
		}
	}
	if b != "" {
		if last, err = strconv.ParseInt(strings.TrimSpace(b), 10, 64); err != nil || last < 0 {
			return 0, 0, false
		}
	}
	if first >= 0 && last >= 0 && last < first {
		return 0, 0, false
	}
	return first, last, true
}

// maxCreateBucketBody bounds the CreateBucketConfiguration document.
const maxCreateBucketBody = 64 << 10

// checkContent applies the checks that read the request body or what is
// stored. Bodies it reads are put back for the handler.
func (s *Server) checkContent(c *call) error {
	switch c.op.Name {
	case "GetObject", "HeadObject":
		if err := s.earlyPrecondition(c); err != nil {
			return err
		}
		return s.checkRange(c)
	case "PutBucketNotificationConfiguration":
		body, err := peekBody(c.r, maxNotificationBody)
		if err != nil || len(body) > maxNotificationBody {
			return nil // putNotification answers it
		}
		if !notificationSchema(body) {
			if err := s.bucketMustExist(c.op.Bucket); err != nil {
				return err
			}
			return NewError("MalformedXML", "")
		}
	case "CreateBucket":
		// PUT /bucket/ is CreateBucket, so an object PUT with an empty key
		// lands here; its body must be a CreateBucketConfiguration.
		body, err := peekBody(c.r, maxCreateBucketBody)
		if err != nil {
			return NewError("IncompleteBody", "")
		}
		var cfg struct {
			XMLName xml.Name `xml:"CreateBucketConfiguration"`
		}
		if len(bytes.TrimSpace(body)) > 0 && (len(body) > maxCreateBucketBody || xml.Unmarshal(body, &cfg) != nil) {
			return NewError("MalformedXML", "")
		}
	}
	return nil
}

// peekBody reads up to limit+1 bytes of the body and puts them back.
func peekBody(r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	return body, err
}

// checkRange answers a Range beyond the stored object with InvalidRange, as
// S3 does, and rewrites a suffix range longer than the object ("bytes=-500"
// of 100 bytes) to the whole object, which S3 sends and gofakes3 refuses.
func (s *Server) checkRange(c *call) error {
	v := c.r.Header.Get("Range")
	if v == "" || c.r.URL.Query().Has("versionId") {
		return nil
	}
	first, last, _ := parseRange(v)
	obj, err := s.backend.HeadObject(c.op.Bucket, c.op.Key)
	if err != nil {
		return nil // gofakes3 answers NoSuchKey
	}
	if obj.Contents != nil {
		obj.Contents.Close()
	}
	size := obj.Size
	switch {
	case first < 0 && last > 0 && size > 0: // suffix
		c.r.Header.Set("Range", "bytes="+strconv.FormatInt(max(size-last, 0), 10)+"-"+strconv.FormatInt(size-1, 10))
		return nil
	case first >= 0 && first < size:
		return nil
	}
	e := NewError("InvalidRange", "", Field{"RangeRequested", v}, Field{"ActualObjectSize", strconv.FormatInt(size, 10)})
	e.Status = http.StatusRequestedRangeNotSatisfiable
	return e
}

// notificationChildren is the schema of a NotificationConfiguration: the
// elements each element may contain. The SDKs send Lambda configurations
// as CloudFunctionConfiguration; InvocationRole is from the older API.
var notificationChildren = map[string][]string{
	"":                           {"NotificationConfiguration"},
	"NotificationConfiguration":  {"TopicConfiguration", "QueueConfiguration", "CloudFunctionConfiguration", "EventBridgeConfiguration"},
	"TopicConfiguration":         {"Id", "Topic", "Event", "Filter"},
	"QueueConfiguration":         {"Id", "Queue", "Event", "Filter"},
	"CloudFunctionConfiguration": {"Id", "CloudFunction", "Event", "Filter", "InvocationRole"},
	"Filter":                     {"S3Key"},
	"S3Key":                      {"FilterRule"},
	"FilterRule":                 {"Name", "Value"},
}

// notificationSchema reports whether body is well-formed XML using only the
// elements of a NotificationConfiguration where they belong. S3 validates
// against its schema; encoding/xml alone would ignore unknown elements.
// The walk stops at the first element out of place, so deeply nested
// documents cost little.
func notificationSchema(body []byte) bool {
	dec := xml.NewDecoder(bytes.NewReader(body))
	path := []string{""}
	roots := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return roots == 1 && len(path) == 1
		}
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := path[len(path)-1]
			ok := false
			for _, name := range notificationChildren[parent] {
				ok = ok || name == t.Name.Local
			}
			if parent == "" {
				roots++
			}
			if !ok || roots > 1 {
				return false
			}
			path = append(path, t.Name.Local)
		case xml.EndElement:
			path = path[:len(path)-1]
		case xml.Directive:
			return false // a DTD: S3 documents have none (no entity bombs)
		}
	}
}
