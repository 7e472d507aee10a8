package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// EventVersion is the eventVersion of the records we emit: the value in the
// Lambda S3 documentation and in aws-lambda-go's testdata. Newer S3 docs show
// 2.2 to 2.6 for some event types; one constant keeps the choice in one place.
const EventVersion = "2.1"

// Change is a committed object write or delete, as the S3 layer saw it.
type Change struct {
	EventName   string // without "s3:", e.g. "ObjectCreated:Put"
	Time        time.Time
	Bucket      string
	Key         string // the raw key
	Size        int64
	ETag        string // hex, no quotes
	VersionID   string
	Sequencer   string
	PrincipalID string
	SourceIP    string
	RequestID   string
	HostID      string
	Trace       string // the X-Amzn-Trace-Id of the causing request, if any
}

// IsRemoval reports whether the change deleted something.
func (c Change) IsRemoval() bool { return strings.HasPrefix(c.EventName, "ObjectRemoved:") }

// Event is the payload S3 sends to Lambda.
type Event struct {
	Records []Record `json:"Records"`
}

// Record is one S3 event record, its fields in AWS's order.
type Record struct {
	EventVersion      string            `json:"eventVersion"`
	EventSource       string            `json:"eventSource"`
	AWSRegion         string            `json:"awsRegion"`
	EventTime         string            `json:"eventTime"`
	EventName         string            `json:"eventName"`
	UserIdentity      Identity          `json:"userIdentity"`
	RequestParameters RequestParameters `json:"requestParameters"`
	ResponseElements  ResponseElements  `json:"responseElements"`
	S3                Entity            `json:"s3"`
}

// Identity names a principal.
type Identity struct {
	PrincipalID string `json:"principalId"`
}

// RequestParameters of the causing request.
type RequestParameters struct {
	SourceIPAddress string `json:"sourceIPAddress"`
}

// ResponseElements are the causing response's request-id headers.
type ResponseElements struct {
	RequestID string `json:"x-amz-request-id"`
	HostID    string `json:"x-amz-id-2"`
}

// Entity is the "s3" member of a record.
type Entity struct {
	SchemaVersion   string `json:"s3SchemaVersion"`
	ConfigurationID string `json:"configurationId"`
	Bucket          Bucket `json:"bucket"`
	Object          Object `json:"object"`
}

// Bucket is the bucket of a record.
type Bucket struct {
	Name          string   `json:"name"`
	OwnerIdentity Identity `json:"ownerIdentity"`
	ARN           string   `json:"arn"`
}

// Object is the object of a record. Delete records carry no size or eTag.
type Object struct {
	Key       string `json:"key"`
	Size      *int64 `json:"size,omitempty"`
	ETag      string `json:"eTag,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	Sequencer string `json:"sequencer"`
}

// EventTimeFormat is ISO-8601 UTC with milliseconds, as S3 writes eventTime.
const EventTimeFormat = "2006-01-02T15:04:05.000Z"

// NewRecord builds the record S3 sends for change c under configuration
// configID, in a lab whose region and bucket-owner principal are given.
func NewRecord(region, ownerPrincipalID, configID string, c Change) Record {
	obj := Object{Key: EncodeKey(c.Key), VersionID: c.VersionID, Sequencer: c.Sequencer}
	if !c.IsRemoval() {
		size := c.Size
		obj.Size = &size
		obj.ETag = c.ETag
	}
	return Record{
		EventVersion:      EventVersion,
		EventSource:       "aws:s3",
		AWSRegion:         region,
		EventTime:         c.Time.UTC().Format(EventTimeFormat),
		EventName:         c.EventName,
		UserIdentity:      Identity{PrincipalID: c.PrincipalID},
		RequestParameters: RequestParameters{SourceIPAddress: c.SourceIP},
		ResponseElements:  ResponseElements{RequestID: c.RequestID, HostID: c.HostID},
		S3: Entity{
			SchemaVersion:   "1.0",
			ConfigurationID: configID,
			Bucket: Bucket{
				Name:          c.Bucket,
				OwnerIdentity: Identity{PrincipalID: ownerPrincipalID},
				ARN:           "arn:aws:s3:::" + c.Bucket,
			},
			Object: obj,
		},
	}
}

// Payload marshals a one-record event, as S3 sends one record per invocation.
func Payload(r Record) []byte {
	b, err := json.Marshal(Event{Records: []Record{r}})
	if err != nil {
		panic(fmt.Sprintf("notify: marshal event: %v", err)) // plain strings and numbers cannot fail
	}
	return b
}

// EncodeKey form-URL-encodes an object key as S3 does in event records:
// space becomes "+", "+" becomes "%2B", other bytes outside the unreserved
// set become %XX escapes of their UTF-8 bytes. "/" is left alone, as S3 keeps
// key paths readable (images/a b.png → images/a+b.png). Whether S3 escapes "~"
// and "*" is unverified; we follow Go's url.QueryEscape: "~" kept, "*" escaped.
func EncodeKey(key string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(key) + len(key)/4)
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// Sequencer renders a sequencer value as S3 does: upper-case hex, 18 digits.
func Sequencer(v uint64) string { return fmt.Sprintf("%018X", v) }
