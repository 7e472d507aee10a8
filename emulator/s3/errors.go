package s3

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"

	"github.com/johannesboyne/gofakes3"

	"github.com/lambdalab/lambdalab/emulator/notify"
)

// Error is an S3 error response our layer answers itself.
type Error struct {
	Status  int
	Code    string
	Message string
	// Fields are extra elements of the <Error> document, in order
	// (Key, BucketName, ArgumentName, ...).
	Fields []Field
}

// Field is one extra element of an S3 error document.
type Field struct{ Name, Value string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Messages are AWS's texts for the error codes clients meet, used wherever
// gofakes3 answers without a message or with its own wording.
var Messages = map[string]string{
	"AccessDenied":                 "Access Denied",
	"BadDigest":                    "The Content-MD5 you specified did not match what we received.",
	"BucketAlreadyExists":          "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
	"BucketAlreadyOwnedByYou":      "Your previous request to create the named bucket succeeded and you already own it.",
	"BucketNotEmpty":               "The bucket you tried to delete is not empty",
	"EntityTooSmall":               "Your proposed upload is smaller than the minimum allowed object size.",
	"IncompleteBody":               "You did not provide the number of bytes specified by the Content-Length HTTP header",
	"InternalError":                "We encountered an internal error. Please try again.",
	"InvalidBucketName":            "The specified bucket is not valid.",
	"InvalidDigest":                "The Content-MD5 you specified was invalid.",
	"InvalidPart":                  "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
	"InvalidPartOrder":             "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
	"InvalidRange":                 "The requested range is not satisfiable",
	"KeyTooLongError":              "Your key is too long",
	"MalformedXML":                 "The XML you provided was not well-formed or did not validate against our published schema",
	"MetadataTooLarge":             "Your metadata headers exceed the maximum allowed metadata size",
	"MethodNotAllowed":             "The specified method is not allowed against this resource.",
	"MissingContentLength":         "You must provide the Content-Length HTTP header.",
	"NoSuchBucket":                 "The specified bucket does not exist",
	"NoSuchBucketPolicy":           "The bucket policy does not exist",
	"NoSuchCORSConfiguration":      "The CORS configuration does not exist",
	"NoSuchKey":                    "The specified key does not exist.",
	"NoSuchLifecycleConfiguration": "The lifecycle configuration does not exist",
	"NoSuchTagSet":                 "The TagSet does not exist",
	"NoSuchUpload":                 "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
	"NoSuchVersion":                "The specified version does not exist.",
	"NoSuchWebsiteConfiguration":   "The specified bucket does not have a website configuration",
	"NotImplemented":               "A header you provided implies functionality that is not implemented",
	"PreconditionFailed":           "At least one of the pre-conditions you specified did not hold",
	"RequestTimeTooSkewed":         "The difference between the request time and the current time is too large.",
	"TooManyBuckets":               "You have attempted to create more buckets than allowed",
	"InvalidURI":                   "Couldn't parse the specified URI.",
	"RequestHeaderSectionTooLarge": "Your request header section exceeds the maximum allowed size.",
	"EntityTooLarge":               "Your proposed upload exceeds the maximum allowed size",
	"SignatureDoesNotMatch":        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
	"ConditionalRequestConflict":   "A conflicting conditional operation is currently in progress against this resource. Please try again.",
	"RequestTimeout":               msgRequestTimeout,
}

// statuses are the HTTP statuses of the codes our layer answers.
var statuses = map[string]int{
	"AccessDenied": 403, "BucketAlreadyOwnedByYou": 409, "BucketNotEmpty": 409,
	"InvalidArgument": 400, "InvalidBucketName": 400, "InvalidRequest": 400, "KeyTooLongError": 400,
	"MalformedXML": 400, "MethodNotAllowed": 405, "NoSuchBucket": 404, "NoSuchKey": 404,
	"NoSuchBucketPolicy": 404, "NoSuchCORSConfiguration": 404, "NoSuchLifecycleConfiguration": 404,
	"NoSuchTagSet": 404, "NoSuchWebsiteConfiguration": 404, "NotImplemented": 501, "InternalError": 500,
	"IncompleteBody": 400, "InvalidDigest": 400, "BadDigest": 400, "XAmzContentSHA256Mismatch": 400,
	"SignatureDoesNotMatch": 403, "RequestTimeTooSkewed": 403,
	"PreconditionFailed": 412, "ConditionalRequestConflict": 409, "MissingContentLength": 411,
	"EntityTooLarge": 400, "EntityTooSmall": 400, "InvalidPart": 400, "InvalidPartOrder": 400, "NoSuchUpload": 404,
}

// NewError returns the error for code with AWS's message (or msg when given).
func NewError(code, msg string, fields ...Field) *Error {
	if msg == "" {
		msg = Messages[code]
	}
	status, ok := statuses[code]
	if !ok {
		status = http.StatusBadRequest
	}
	return &Error{Status: status, Code: code, Message: msg, Fields: fields}
}

// errorDoc is the <Error> document, read back from gofakes3 or written by us.
type errorDoc struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Fields    []anyElem
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

type anyElem struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// decodeErrorDoc reads gofakes3's error body; its extra elements are kept in
// order.
func decodeErrorDoc(body []byte) (errorDoc, bool) {
	var raw struct {
		Code      string    `xml:"Code"`
		Message   string    `xml:"Message"`
		RequestID string    `xml:"RequestId"`
		HostID    string    `xml:"HostId"`
		Other     []anyElem `xml:",any"`
	}
	if err := xml.Unmarshal(body, &raw); err != nil || raw.Code == "" {
		return errorDoc{}, false
	}
	return errorDoc{Code: raw.Code, Message: raw.Message, Fields: raw.Other}, true
}

// renameResource turns gofakes3's generic <Resource> into the element AWS
// uses for the code: NoSuchKey names the Key, NoSuchBucket the BucketName.
func renameResource(code string, fields []anyElem) {
	for i := range fields {
		if fields[i].XMLName.Local != "Resource" {
			continue
		}
		switch code {
		case "NoSuchKey":
			fields[i].XMLName.Local = "Key"
		case "NoSuchBucket", "BucketNotEmpty", "BucketAlreadyExists", "BucketAlreadyOwnedByYou":
			fields[i].XMLName.Local = "BucketName"
		}
	}
}

// fixErrorBody rewrites an error document from gofakes3 as AWS would send
// it: AWS's message, the right resource element, and this request's ids.
func fixErrorBody(body []byte, requestID, hostID string) []byte {
	doc, ok := decodeErrorDoc(body)
	if !ok {
		return body
	}
	if m, known := Messages[doc.Code]; known && !checksumMismatch(doc.Code, doc.Message) {
		doc.Message = m
	} else if doc.Message == "" || doc.Message == doc.Code {
		doc.Message = doc.Code
	}
	renameResource(doc.Code, doc.Fields)
	doc.RequestID, doc.HostID = requestID, hostID
	return encodeErrorDoc(doc)
}

func encodeErrorDoc(doc errorDoc) []byte {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(doc); err != nil {
		return []byte(xml.Header + "<Error><Code>InternalError</Code></Error>")
	}
	return buf.Bytes()
}

// errorBody renders one of our own errors with the request's ids.
func errorBody(e *Error, requestID, hostID string) []byte {
	doc := errorDoc{Code: e.Code, Message: e.Message, RequestID: requestID, HostID: hostID}
	for _, f := range e.Fields {
		doc.Fields = append(doc.Fields, anyElem{XMLName: xml.Name{Local: f.Name}, Value: f.Value})
	}
	return encodeErrorDoc(doc)
}

// asError converts an error from our layer into an S3 error response.
func asError(err error) *Error {
	var s3e *Error
	if errors.As(err, &s3e) {
		return s3e
	}
	var ne *notify.Error
	if errors.As(err, &ne) {
		e := NewError(ne.Code, ne.Message)
		if !ne.Numbered {
			e.Fields = []Field{{"ArgumentName", ne.Arguments[0].Name}, {"ArgumentValue", ne.Arguments[0].Value}}
		} else {
			for i, a := range ne.Arguments {
				n := strconv.Itoa(i + 1)
				e.Fields = append(e.Fields, Field{"ArgumentName" + n, a.Name}, Field{"ArgumentValue" + n, a.Value})
			}
		}
		return e
	}
	var bne *BucketNameError
	if errors.As(err, &bne) {
		return NewError("InvalidBucketName", "", Field{"BucketName", bne.Name})
	}
	var ge *gofakes3.ErrorResponse
	if errors.As(err, &ge) {
		e := NewError(string(ge.Code), ge.Message)
		e.Status = ge.Code.Status()
		return e
	}
	return NewError("InternalError", "")
}
