package s3

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// POST Object: an upload from an HTML form (or a presigned POST), whose
// credentials and limits travel in form fields, not headers. gofakes3
// stores any form it can parse; the lab first does what S3 does: the
// credential's principal must be allowed s3:PutObject like any writer (an
// anonymous form is refused: lab buckets are not public), the policy's
// signature is verified under --verify-signatures, and the policy's
// expiry and conditions hold. The key follows PutObject's rules.

// postMemory is how much of a form is held in memory; larger files go to
// temporary files (removed when the request ends).
const postMemory = 8 << 20

// postForm is a parsed POST Object form.
type postForm struct {
	fields map[string]string // lowercased field name → value
	file   *multipart.FileHeader
	key    string // with ${filename} replaced
	status string // success_action_status
}

// msgPostField is S3's answer to a form without a field it needs.
func msgPostField(name string) string {
	return "Bucket POST must contain a field named '" + name + "'.  If it is specified, please check the order of the fields."
}

// readPost parses, authenticates and checks a POST Object form, and
// rewrites it for gofakes3. It returns the key the form uploads.
func (s *Server) readPost(c *call) ([]string, error) {
	r := c.r
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(r.Body, MaxPutSize+postMemory), r.Body}
	if err := r.ParseMultipartForm(postMemory); err != nil || r.MultipartForm == nil {
		return nil, NewError("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
	}
	f := &postForm{fields: map[string]string{}}
	for name, v := range r.MultipartForm.Value {
		if len(v) > 0 {
			f.fields[strings.ToLower(name)] = v[0]
		}
	}
	var files []*multipart.FileHeader
	for name, v := range r.MultipartForm.File {
		if strings.EqualFold(name, "file") {
			files = append(files, v...)
		}
	}
	if len(files) != 1 || len(r.MultipartForm.File) != 1 {
		return nil, NewError("IncorrectNumberOfFilesInPostRequest", "POST requires exactly one file upload per request.")
	}
	f.file = files[0]
	f.key = strings.ReplaceAll(f.fields["key"], "${filename}", f.file.Filename)
	if err := checkPostKey(f); err != nil {
		return nil, err
	}
	if err := s.postPrincipal(c, f); err != nil {
		return nil, err
	}
	if err := checkPolicy(f, c.op.Bucket, time.Now()); err != nil {
		return nil, err
	}
	sum, err := fileMD5(f.file)
	if err != nil {
		return nil, NewError("IncompleteBody", "")
	}
	c.postMD5, c.post = sum, f
	return []string{f.key}, rewriteForm(r, f)
}

// checkPostKey applies PutObject's rules to the form's key.
func checkPostKey(f *postForm) error {
	switch {
	case f.key == "":
		return NewError("InvalidArgument", msgPostField("key"), Field{"ArgumentName", "key"}, Field{"ArgumentValue", ""})
	case !utf8.ValidString(f.key):
		return NewError("InvalidURI", "")
	case len(f.key) > MaxKeyLength:
		return NewError("KeyTooLongError", "", Field{"Size", strconv.Itoa(len(f.key))}, Field{"MaxSizeAllowed", strconv.Itoa(MaxKeyLength)})
	}
	return nil
}

// postPrincipal finds who signed the form (SigV4 fields, or SigV2's
// AWSAccessKeyId) and, under --verify-signatures, checks the policy's
// signature for keys the lab issued.
func (s *Server) postPrincipal(c *call, f *postForm) error {
	cred, v2key := f.fields["x-amz-credential"], f.fields["awsaccesskeyid"]
	var key string
	switch {
	case cred != "":
		sig, err := s.checkPostV4(f)
		if err != nil {
			return err
		}
		key = sig.accessKeyID
	case v2key != "":
		for _, name := range []string{"policy", "signature"} {
			if f.fields[name] == "" {
				return NewError("InvalidArgument", msgPostField(name), Field{"ArgumentName", name})
			}
		}
		if _, known := s.secret(v2key); known {
			return NewError("InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
		}
		key = v2key
	default:
		// Anonymous: S3 takes it only into a bucket whose policy lets
		// everyone write, and lab buckets have no policy.
		return NewError("AccessDenied", "")
	}
	c.principal = s.Root()
	if s.identify != nil {
		if p, ok := s.identify(key); ok {
			c.principal = p
		}
	}
	c.principal.AccessKeyID = key
	return nil
}

// secret returns the secret of a key the lab issued, when signatures are
// checked.
func (s *Server) secret(key string) (string, bool) {
	if s.secrets == nil {
		return "", false
	}
	return s.secrets(key)
}

// checkPostV4 reads a SigV4 form's fields and verifies the policy's
// signature.
func (s *Server) checkPostV4(f *postForm) (*sigV4, error) {
	for _, name := range []string{"x-amz-algorithm", "x-amz-date", "x-amz-signature", "policy"} {
		if f.fields[name] == "" {
			return nil, NewError("InvalidArgument", msgPostField(name), Field{"ArgumentName", name})
		}
	}
	if f.fields["x-amz-algorithm"] != sigV4Algorithm {
		return nil, NewError("InvalidArgument", `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`,
			Field{"ArgumentName", "x-amz-algorithm"}, Field{"ArgumentValue", f.fields["x-amz-algorithm"]})
	}
	t, err := time.Parse(amzDateFormat, f.fields["x-amz-date"])
	if err != nil {
		return nil, NewError("InvalidArgument", `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`,
			Field{"ArgumentName", "x-amz-date"}, Field{"ArgumentValue", f.fields["x-amz-date"]})
	}
	sig := &sigV4{amzDate: t, presigned: true}
	if err := sig.parseCredential(f.fields["x-amz-credential"]); err != nil {
		return nil, NewError("InvalidArgument", strings.Replace(err.Error(), "AuthorizationQueryParametersError: ", "", 1),
			Field{"ArgumentName", "x-amz-credential"}, Field{"ArgumentValue", f.fields["x-amz-credential"]})
	}
	secret, known := s.secret(sig.accessKeyID)
	if !known {
		return sig, nil
	}
	k := hmacSHA256([]byte("AWS4"+secret), sig.scopeDate)
	for _, part := range []string{sig.region, sig.service, sig.terminal, f.fields["policy"]} {
		k = hmacSHA256(k, part)
	}
	if !hmac.Equal([]byte(hex.EncodeToString(k)), []byte(f.fields["x-amz-signature"])) {
		return nil, NewError("SignatureDoesNotMatch", "", Field{"AWSAccessKeyId", sig.accessKeyID},
			Field{"StringToSign", f.fields["policy"]}, Field{"SignatureProvided", f.fields["x-amz-signature"]})
	}
	return sig, nil
}

func fileMD5(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// postStoredFields are the form fields stored with the object, by their
// header names.
var postStoredFields = []string{"Content-Type", "Content-Disposition", "Content-Encoding", "Cache-Control", "Expires"}

// rewriteForm leaves gofakes3 the fields it stores, under the names it
// looks for: the key, the file, the content headers and x-amz-meta-*. The
// credentials and the policy are not object metadata.
func rewriteForm(r *http.Request, f *postForm) error {
	values := map[string][]string{"key": {f.key}}
	meta := http.Header{}
	for _, name := range postStoredFields {
		if v, ok := f.fields[strings.ToLower(name)]; ok {
			values[name] = []string{v}
		}
	}
	for name, v := range f.fields {
		if strings.HasPrefix(name, "x-amz-meta-") {
			canonical := textproto.CanonicalMIMEHeaderKey(name)
			values[canonical] = []string{v}
			meta.Set(canonical, v)
		}
	}
	if err := checkMetadata(meta); err != nil {
		return err
	}
	r.MultipartForm.Value = values
	r.MultipartForm.File = map[string][]*multipart.FileHeader{"file": {f.file}}
	f.status = f.fields["success_action_status"]
	return nil
}

// answerPost answers a stored form as S3 does: 204 No Content unless
// success_action_status asks for 200 or 201 (with a PostResponse
// document), and the object's location.
func (s *Server) answerPost(c *call) {
	if c.post == nil || c.rec.Status() >= 300 {
		return
	}
	h := c.rec.Header()
	location := "http://" + c.r.Host + "/" + c.op.Bucket + "/" + uriEncode(c.post.key, false)
	h.Set("Location", location)
	switch c.post.status {
	case "200":
		c.rec.replace(http.StatusOK, "", nil)
	case "201":
		doc := struct {
			XMLName  xml.Name `xml:"PostResponse"`
			Location string   `xml:"Location"`
			Bucket   string   `xml:"Bucket"`
			Key      string   `xml:"Key"`
			ETag     string   `xml:"ETag"`
		}{Location: location, Bucket: c.op.Bucket, Key: c.post.key, ETag: h.Get("ETag")}
		body, _ := xml.Marshal(doc) // cannot fail: strings
		c.rec.replace(http.StatusCreated, "application/xml", append([]byte(xml.Header), body...))
	default:
		c.rec.replace(http.StatusNoContent, "", nil)
	}
	if c.rec.status != http.StatusCreated {
		h.Del("Content-Type")
	}
}
