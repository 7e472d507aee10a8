package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func TestEncodeKey(t *testing.T) {
	cases := map[string]string{
		"my photo.png":     "my+photo.png",
		"my photo+1.png":   "my+photo%2B1.png",
		"images/cat 1.jpg": "images/cat+1.jpg",
		"Screenshot from 2023-05-22 10-07-49.png": "Screenshot+from+2023-05-22+10-07-49.png",
		"café.png":     "caf%C3%A9.png",
		"a(1)=b&c.png": "a%281%29%3Db%26c.png",
		"100%.png":     "100%25.png",
	}
	for in, want := range cases {
		got := EncodeKey(in)
		if got != want {
			t.Errorf("EncodeKey(%q) = %q, want %q", in, got, want)
		}
		// aws-lambda-go decodes it back.
		var o events.S3Object
		if err := json.Unmarshal([]byte(`{"key":"`+got+`"}`), &o); err != nil || o.URLDecodedKey != in {
			t.Errorf("URLDecodedKey(%q) = %q (%v), want %q", got, o.URLDecodedKey, err, in)
		}
	}
}

func TestRecordShape(t *testing.T) {
	c := Change{EventName: "ObjectRemoved:Delete", Time: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC), Bucket: "b1b", Key: "k",
		Sequencer: Sequencer(42), PrincipalID: "P", SourceIP: "127.0.0.1", RequestID: "R", HostID: "H"}
	got := string(Payload(NewRecord("eu-west-1", "OWNER", "cfg", c)))
	want := `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-1","eventTime":"2026-01-02T03:04:05.006Z",` +
		`"eventName":"ObjectRemoved:Delete","userIdentity":{"principalId":"P"},"requestParameters":{"sourceIPAddress":"127.0.0.1"},` +
		`"responseElements":{"x-amz-request-id":"R","x-amz-id-2":"H"},"s3":{"s3SchemaVersion":"1.0","configurationId":"cfg",` +
		`"bucket":{"name":"b1b","ownerIdentity":{"principalId":"OWNER"},"arn":"arn:aws:s3:::b1b"},` +
		`"object":{"key":"k","sequencer":"00000000000000002A"}}}]}`
	if got != want {
		t.Errorf("delete record:\n%s\nwant:\n%s", got, want)
	}
	c.EventName, c.Size, c.ETag = "ObjectCreated:Put", 0, "d41d8cd98f00b204e9800998ecf8427e"
	if got := string(Payload(NewRecord("eu-west-1", "OWNER", "cfg", c))); !strings.Contains(got, `"size":0,"eTag":"d41d8cd98f00b204e9800998ecf8427e"`) {
		t.Errorf("an empty object's record must carry size 0 and its eTag: %s", got)
	}
}

func TestMatches(t *testing.T) {
	c := LambdaFunctionConfiguration{Events: []string{"s3:ObjectCreated:*"}, Filter: NewFilter("uploads/", ".jpg")}
	cases := []struct {
		event, key string
		want       bool
	}{
		{"ObjectCreated:Put", "uploads/a.jpg", true},
		{"ObjectCreated:CompleteMultipartUpload", "uploads/a.jpg", true},
		{"ObjectCreated:Put", "uploads/a.png", false},
		{"ObjectCreated:Put", "resized/a.jpg", false},
		{"ObjectRemoved:Delete", "uploads/a.jpg", false},
	}
	for _, tc := range cases {
		if got := c.Matches(tc.event, tc.key); got != tc.want {
			t.Errorf("Matches(%s, %s) = %v", tc.event, tc.key, got)
		}
	}
}
