package iam

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// APIVersion is the Version IAM's Query API answers to.
const APIVersion = "2010-05-08"

// Handler serves IAM's Query API: a POST form (or GET query) with
// Action=…&Version=2010-05-08, answered in XML as IAM answers. The caller
// comes from the request's context (WithCaller); without one it is the
// account root. Authentication is the lab's business, not the handler's.
func (s *Service) Handler() http.Handler { return queryHandler{s} }

type queryHandler struct{ s *Service }

// operation is one Action: the resource a role session needs permission
// on, and what it does (its result is the XML inside <ActionResult>, or
// nil for actions that answer only ResponseMetadata).
type operation struct {
	resource func(s *Service, p params) string
	run      func(s *Service, p params) (any, error)
}

func (h queryHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := h.s.ids.UUID()
	action, result, err := h.serve(r)
	if err != nil {
		WriteError(w, namespace, requestID, err)
		return
	}
	WriteResult(w, namespace, action, requestID, result)
}

// WriteResult writes a Query API answer as IAM and STS write theirs:
// <ActionResponse xmlns=ns><ActionResult>result</ActionResult>
// <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>, without
// the ActionResult when result is nil.
func WriteResult(w http.ResponseWriter, ns, action, requestID string, result any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	resp := xml.StartElement{Name: xml.Name{Local: action + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}}
	must(enc.EncodeToken(resp))
	if result != nil {
		must(enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}))
	}
	must(enc.EncodeElement(struct {
		RequestId string
	}{requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}))
	must(enc.EncodeToken(resp.End()))
	must(enc.Flush())
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", requestID)
	w.Write(buf.Bytes())
}

// must panics on an encoding error, which for our own types and an
// in-memory buffer is a bug.
func must(err error) {
	if err != nil {
		panic(fmt.Sprintf("iam: encoding an answer: %v", err))
	}
}

func (h queryHandler) serve(r *http.Request) (string, any, error) {
	if err := r.ParseForm(); err != nil {
		return "", nil, invalidInput("The request's parameters cannot be read: %v", err)
	}
	action, version := r.Form.Get("Action"), r.Form.Get("Version")
	op, ok := operations[action]
	// IAM's words for an Action it does not have, or one asked of another
	// Version ("NO_VERSION_SPECIFIED" when none is): *unverified* beyond
	// reports of them.
	if !ok || version != APIVersion {
		if version == "" {
			version = "NO_VERSION_SPECIFIED"
		}
		return "", nil, newError("InvalidAction", http.StatusBadRequest, "Could not find operation %s for version %s", action, version)
	}
	caller, ok := CallerFrom(r.Context())
	if !ok {
		caller = h.s.Root()
	}
	p := params(r.Form)
	if err := h.s.authorize(caller, action, op.resource(h.s, p)); err != nil {
		return "", nil, err
	}
	result, err := op.run(h.s, p)
	return action, result, err
}

// WriteError writes a Query API ErrorResponse (namespace ns) for err: an
// *Error as it is, anything else as a ServiceFailure (500).
func WriteError(w http.ResponseWriter, ns, requestID string, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: "ServiceFailure", Status: http.StatusInternalServerError, Message: err.Error()}
	}
	out := xmlError{Xmlns: ns, RequestId: requestID}
	out.Error.Type, out.Error.Code, out.Error.Message = e.Type(), e.Code, e.Message
	body, mErr := xml.Marshal(out)
	must(mErr)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", requestID)
	w.WriteHeader(e.Status)
	w.Write(append([]byte(xml.Header), body...))
}

// params are a Query request's parameters.
type params url.Values

func (p params) str(name string) string { return url.Values(p).Get(name) }

// list reads a list parameter: Name.member.1, Name.member.2, …
func (p params) list(name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := p[name+".member."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// tags reads Tags.member.N.Key and Tags.member.N.Value.
func (p params) tags() []Tag {
	var out []Tag
	for i := 1; ; i++ {
		prefix := "Tags.member." + strconv.Itoa(i) + "."
		_, hasKey := p[prefix+"Key"]
		_, hasValue := p[prefix+"Value"]
		if !hasKey && !hasValue {
			return out
		}
		out = append(out, Tag{Key: p.str(prefix + "Key"), Value: p.str(prefix + "Value")})
	}
}

// boolean reads a boolean parameter ("true" or "false"; absent is false).
// The ValidationError's wording for anything else is *unverified*.
func (p params) boolean(name, field string) (bool, error) {
	switch v := p.str(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		var val validation
		val.add("Value '%s' at '%s' failed to satisfy constraint: Member must be true or false", v, field)
		return false, val.err()
	}
}

// integer reads a whole-number parameter (absent is 0); the wording of its
// error is *unverified*.
func (p params) integer(name, field string) (int32, error) {
	v := p.str(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		var val validation
		val.add("Value '%s' at '%s' failed to satisfy constraint: Member must be a whole number", v, field)
		return 0, val.err()
	}
	return int32(n), nil
}

// paginate cuts items to the page MaxItems and Marker ask for. A Marker is
// the opaque form of the index where the next page starts (lambdalab's
// own; IAM's markers are opaque too). The error for a Marker that is not
// one of ours is *unverified*.
func paginate[T any](p params, items []T) ([]T, page, error) {
	max, err := p.integer("MaxItems", "maxItems")
	if err != nil {
		return nil, page{}, err
	}
	var v validation
	if p.str("MaxItems") != "" && (max < 1 || max > 1000) {
		v.add("Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", max)
	}
	start := 0
	if m := p.str("Marker"); m != "" {
		raw, err := base64.RawURLEncoding.DecodeString(m)
		n, convErr := strconv.Atoi(string(raw))
		if err != nil || convErr != nil || n < 0 || n > len(items) {
			return nil, page{}, invalidInput("Invalid Marker: %s", m)
		}
		start = n
	}
	if err := v.err(); err != nil {
		return nil, page{}, err
	}
	if max == 0 {
		max = 100
	}
	end := min(start+int(max), len(items))
	pg := page{}
	if end < len(items) {
		pg = page{IsTruncated: true, Marker: base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))}
	}
	return items[start:end], pg, nil
}
