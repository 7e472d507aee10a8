package s3

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/notify"
)

// maxDeleteBody bounds a DeleteObjects request body (1,000 keys of 1,024
// bytes fit with room to spare).
const maxDeleteBody = 4 << 20

// maxDeleteKeys is the most keys one DeleteObjects may name.
const maxDeleteKeys = 1000

// keysOf returns the keys a write operation touches, reading them from the
// form (POST) or the body (DeleteObjects) when the path does not say.
func (s *Server) keysOf(c *call) ([]string, error) {
	switch c.op.Name {
	case "PostObject":
		return s.readPost(c)
	case "DeleteObjects":
		body, err := io.ReadAll(io.LimitReader(c.r.Body, maxDeleteBody))
		if err != nil {
			return nil, bodyError(err)
		}
		c.r.Body = io.NopCloser(bytes.NewReader(body))
		if err := requireBodyChecksum(c.r.Header, body); err != nil {
			return nil, err
		}
		var req deleteRequest
		if err := xml.Unmarshal(body, &req); err != nil || len(req.Objects) == 0 || len(req.Objects) > maxDeleteKeys {
			return nil, NewError("MalformedXML", "")
		}
		c.deletes = req
		keys := make([]string, 0, len(req.Objects))
		for _, o := range req.Objects {
			keys = append(keys, o.Key)
		}
		return keys, nil
	case "CreateBucket", "DeleteBucket":
		return nil, nil
	}
	return []string{c.op.Key}, nil
}

// changes works out what a successful write committed, from the request,
// the response and (where neither says) the stored object.
func (s *Server) changes(c *call, keys []string) []notify.Change {
	h := c.rec.Header()
	base := notify.Change{
		Time:        s.clock.Now(),
		Bucket:      c.op.Bucket,
		Key:         c.op.Key,
		VersionID:   h.Get("x-amz-version-id"),
		PrincipalID: c.principal.PrincipalID,
		SourceIP:    sourceIP(c.r),
		RequestID:   c.rec.requestID,
		HostID:      c.rec.hostID,
		Trace:       c.r.Header.Get(TraceHeader),
	}
	switch c.op.Name {
	case "PutObject":
		s.mpETags.forget(base.Bucket, base.Key)
		base.EventName = "ObjectCreated:Put"
		base.Size = c.r.ContentLength
		base.ETag = strings.Trim(h.Get("ETag"), `"`)
		return []notify.Change{base}
	case "CopyObject", "PostObject", "CompleteMultipartUpload":
		base.EventName = "ObjectCreated:" + map[string]string{
			"CopyObject": "Copy", "PostObject": "Post", "CompleteMultipartUpload": "CompleteMultipartUpload",
		}[c.op.Name]
		if c.op.Name == "PostObject" {
			if len(keys) != 1 {
				return nil
			}
			base.Key = keys[0]
		}
		if !s.describe(&base) {
			return nil
		}
		s.mpETags.forget(base.Bucket, base.Key)
		if etag := etagInBody(c.rec.Held()); etag != "" && c.op.Name == "CompleteMultipartUpload" {
			s.mpETags.set(base.Bucket, base.Key, base.ETag, etag)
			base.ETag = etag // the multipart ETag (…-N) as the client was told
		}
		return []notify.Change{base}
	case "DeleteObject":
		s.mpETags.forget(base.Bucket, base.Key)
		base.EventName = "ObjectRemoved:Delete"
		if h.Get("x-amz-delete-marker") == "true" && c.r.URL.Query().Get("versionId") == "" {
			base.EventName = "ObjectRemoved:DeleteMarkerCreated"
		}
		if base.VersionID == "" {
			base.VersionID = c.r.URL.Query().Get("versionId")
		}
		return []notify.Change{base}
	case "DeleteObjects":
		return s.deletedChanges(base, c.rec.Held(), keys)
	}
	return nil
}

// describe fills size, ETag and version from the stored object. The key is
// locked, so what it reads is what this request wrote.
func (s *Server) describe(ch *notify.Change) bool {
	obj, err := s.backend.HeadObject(ch.Bucket, ch.Key)
	if err != nil {
		return false
	}
	if obj.Contents != nil {
		obj.Contents.Close()
	}
	ch.Size = obj.Size
	ch.ETag = hex.EncodeToString(obj.Hash)
	if obj.VersionID != "" && s.versioned(ch.Bucket) {
		ch.VersionID = string(obj.VersionID)
	}
	return true
}

// etagInBody finds the ETag in a CopyObjectResult or
// CompleteMultipartUploadResult.
func etagInBody(body []byte) string {
	var doc struct {
		ETag string `xml:"ETag"`
	}
	if xml.Unmarshal(body, &doc) != nil {
		return ""
	}
	return strings.Trim(doc.ETag, `"`)
}

// deletedEntry is one <Deleted> element of a DeleteObjects response.
type deletedEntry struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId"`
	DeleteMarker          bool   `xml:"DeleteMarker"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId"`
}

// deletedChanges makes one change per key a DeleteObjects response reports
// deleted. A quiet request's response lists only failures; then every
// requested key not among them was deleted.
func (s *Server) deletedChanges(base notify.Change, body []byte, requested []string) []notify.Change {
	var res struct {
		Deleted []deletedEntry `xml:"Deleted"`
		Errors  []struct {
			Key string `xml:"Key"`
		} `xml:"Error"`
	}
	if xml.Unmarshal(body, &res) != nil {
		return nil
	}
	if len(res.Deleted) == 0 {
		failed := map[string]bool{}
		for _, e := range res.Errors {
			failed[e.Key] = true
		}
		for _, k := range requested {
			if !failed[k] {
				res.Deleted = append(res.Deleted, deletedEntry{Key: k})
			}
		}
	}
	out := make([]notify.Change, 0, len(res.Deleted))
	for _, d := range res.Deleted {
		s.mpETags.forget(base.Bucket, d.Key)
		ch := base
		ch.Key = d.Key
		ch.EventName = "ObjectRemoved:Delete"
		ch.VersionID = d.VersionID
		if d.DeleteMarker && d.VersionID == "" {
			ch.EventName = "ObjectRemoved:DeleteMarkerCreated"
			ch.VersionID = d.DeleteMarkerVersionID
		}
		out = append(out, ch)
	}
	return out
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
