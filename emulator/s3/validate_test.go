package s3

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestParseRange(t *testing.T) {
	cases := []struct {
		in          string
		first, last int64
		ok          bool
	}{
		{"bytes=0-99", 0, 99, true},
		{"bytes=100-", 100, -1, true},
		{"bytes=-500", -1, 500, true},
		{" bytes= 5 - 9 ", 5, 9, true},
		{"bytes=9-5", 0, 0, false},
		{"bytes=-", 0, 0, false},
		{"bytes=0-1,4-5", 0, 0, false},
		{"bytes=a-b", 0, 0, false},
		{"items=0-1", 0, 0, false},
		{"bytes=-1-2", 0, 0, false},
		{"bytes=99999999999999999999-", 0, 0, false},
	}
	for _, tc := range cases {
		first, last, ok := parseRange(tc.in)
		if ok != tc.ok || (ok && (first != tc.first || last != tc.last)) {
			t.Errorf("parseRange(%q) = %d, %d, %v; want %d, %d, %v", tc.in, first, last, ok, tc.first, tc.last, tc.ok)
		}
	}
}

func TestURLEncodeKeyRoundTrips(t *testing.T) {
	for in, want := range map[string]string{
		"photos/cat.png":   "photos/cat.png",
		"my photo.png":     "my+photo.png",
		"a+b":              "a%2Bb",
		"test_file(3).png": "test_file%283%29.png", // AWS's documented example
		"ü\x01~*":          "%C3%BC%01%7E*",
	} {
		got := urlEncodeKey(in)
		if got != want {
			t.Errorf("urlEncodeKey(%q) = %q, want %q", in, got, want)
		}
		if back, err := url.QueryUnescape(got); err != nil || back != in {
			t.Errorf("%q does not decode back to %q: %q %v", got, in, back, err)
		}
	}
}

func TestEscapeXMLText(t *testing.T) {
	for in, want := range map[string]string{
		"plain/key.png": "plain/key.png",
		"a&b<c>\"'":     "a&amp;b&lt;c&gt;&quot;&apos;",
		"bell\a\x00":    "bell&#x7;&#x0;",
		"tab\tcr\r":     "tab&#x9;cr&#xD;",
		"é\uFFFE":       "é&#xFFFE;",
		"bad\xff":       "bad\uFFFD",
	} {
		if got := escapeXMLText(in); got != want {
			t.Errorf("escapeXMLText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNotificationSchema(t *testing.T) {
	lambda := `<CloudFunctionConfiguration><Id>x</Id><CloudFunction>arn</CloudFunction><Event>s3:ObjectCreated:*</Event>` +
		`<Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value></FilterRule></S3Key></Filter></CloudFunctionConfiguration>`
	cases := map[string]bool{
		`<NotificationConfiguration/>`: true,
		`<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + lambda + `</NotificationConfiguration>`:               true,
		`<?xml version="1.0"?>` + "\n" + `<NotificationConfiguration><EventBridgeConfiguration/></NotificationConfiguration>`:                 true,
		`<NotificationConfiguration><Bogus/></NotificationConfiguration>`:                                                                     false,
		`<NotificationConfiguration><EventBridgeConfiguration><Id/></EventBridgeConfiguration></NotificationConfiguration>`:                   false,
		`<NotificationConfiguration><CloudFunctionConfiguration><Event><x/></Event></CloudFunctionConfiguration></NotificationConfiguration>`: false,
		`<NotificationConfiguration/><NotificationConfiguration/>`:                                                                            false,
		`<Other/>`:                    false,
		``:                            false,
		`<NotificationConfiguration>`: false,
		`<!DOCTYPE x [<!ENTITY a "b">]><NotificationConfiguration/>`: false,
		`<NotificationConfiguration>` + strings.Repeat("<a>", 50000): false,
	}
	for doc, want := range cases {
		if got := notificationSchema([]byte(doc)); got != want {
			t.Errorf("notificationSchema(%.80q) = %v, want %v", doc, got, want)
		}
	}
}

func TestCheckMetadataCountsUTF8Bytes(t *testing.T) {
	h := http.Header{}
	h.Set("X-Amz-Meta-Name", strings.Repeat("é", 1021)) // 4 + 2,042 bytes
	if err := checkMetadata(h); err != nil {
		t.Errorf("2,046 bytes refused: %v", err)
	}
	h.Set("X-Amz-Meta-Extra", "abc") // + 5 + 3
	e, _ := checkMetadata(h).(*Error)
	if e == nil || e.Code != "MetadataTooLarge" || e.Fields[0] != (Field{"Size", "2054"}) {
		t.Errorf("2,054 bytes: %+v", e)
	}
}

func TestHeaderSectionSize(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://lab/", nil)
	r.Header.Set("X-A", "bc")
	if got, want := headerSectionSize(r), len("Host: lab\r\n")+len("X-A: bc\r\n"); got != want {
		t.Errorf("size %d, want %d", got, want)
	}
}
