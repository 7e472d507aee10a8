package s3

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// deleteObject is one <Object> of a DeleteObjects request.
type deleteObject struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
}

// deleteRequest is the <Delete> document of a DeleteObjects request.
type deleteRequest struct {
	XMLName xml.Name       `xml:"Delete"`
	Objects []deleteObject `xml:"Object"`
	Quiet   bool           `xml:"Quiet,omitempty"`
}

// deleteError is one <Error> of a DeleteObjects response.
type deleteError struct {
	XMLName   xml.Name `xml:"Error"`
	Key       string   `xml:"Key"`
	VersionID string   `xml:"VersionId,omitempty"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
}

// authorizeDeletes checks each object of a DeleteObjects request on its
// own, as S3 does: the ones the caller may not delete are kept in c.denied
// (each reported on the bus) and left out of the request gofakes3 sees. It
// returns the keys still to be deleted.
func (s *Server) authorizeDeletes(c *call) []string {
	p := c.principal
	keys := make([]string, 0, len(c.deletes.Objects))
	if p.Root || p.Policy == nil {
		for _, o := range c.deletes.Objects {
			keys = append(keys, o.Key)
		}
		return keys
	}
	var allowed []deleteObject
	for _, o := range c.deletes.Objects {
		a := DeleteAccess(c.op.Bucket, o.Key, o.VersionID)
		d := p.Policy.Evaluate(a.Action, a.Resource)
		if d.Allowed {
			allowed = append(allowed, o)
			keys = append(keys, o.Key)
			continue
		}
		c.denied = append(c.denied, o)
		s.bus.Publish(bus.AccessDenied{
			Header: bus.Header{Time: s.clock.Now()}, Principal: p.ARN, Action: a.Action, Resource: a.Resource,
			Decision: d.Reason(), RequestID: c.rec.requestID, Trace: c.r.Header.Get(TraceHeader),
		})
	}
	if len(c.denied) > 0 {
		req := deleteRequest{Objects: allowed, Quiet: c.deletes.Quiet}
		body, _ := xml.Marshal(req) // cannot fail: strings and a bool
		c.r.Body = io.NopCloser(bytes.NewReader(body))
		c.r.ContentLength = int64(len(body))
		c.r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	return keys
}

// deleteAllowed runs a DeleteObjects request some of whose objects were
// denied: gofakes3 deletes the rest (when there are any), and the denied
// ones are added to the response as AccessDenied errors.
func (s *Server) deleteAllowed(c *call) error {
	var errs bytes.Buffer
	for _, o := range c.denied {
		e := deleteError{Key: o.Key, VersionID: o.VersionID, Code: "AccessDenied", Message: "Access Denied"}
		b, _ := xml.Marshal(e) // cannot fail: strings only
		errs.Write(b)
	}
	if len(c.denied) == len(c.deletes.Objects) {
		if err := s.bucketMustExist(c.op.Bucket); err != nil {
			return err
		}
		c.rec.Header().Set("Content-Type", "application/xml")
		c.rec.WriteHeader(http.StatusOK)
		_, _ = c.rec.Write([]byte(xml.Header + `<DeleteResult xmlns="` + ns + `">`))
		_, _ = c.rec.Write(errs.Bytes())
		_, _ = c.rec.Write([]byte("</DeleteResult>"))
		return nil
	}
	s.fake.ServeHTTP(c.rec, c.r)
	if c.rec.Status() < 300 {
		insertBeforeEnd(c.rec, "</DeleteResult>", errs.Bytes())
	}
	return nil
}
