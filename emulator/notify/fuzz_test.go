package notify_test

import (
	"encoding/json"
	"encoding/xml"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdalab/lambdalab/emulator/notify"
)

// FuzzEncodeKey checks the key encoding of S3 event records:
//   - it equals url.QueryEscape with "/" left alone (the encoding AWS's
//     documentation describes: form-URL-encoding, space as "+");
//   - it is deterministic and uses only unreserved ASCII, "/", "+" and
//     upper-case %XX escapes;
//   - url.QueryUnescape gives the key back, for any bytes;
//   - a whole event payload carrying it decodes, through aws-lambda-go's
//     S3Object (which handler/resize reads as URLDecodedKey), to the key.
//
// Seeds: testdata/fuzz/FuzzEncodeKey.
func FuzzEncodeKey(f *testing.F) {
	for _, k := range []string{"", "cat.png", "my photo+1.png", "images/a b/c.jpg", "café.png", "100%.png", "~*'()!", "\xff\xfe"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		enc := notify.EncodeKey(key)
		if again := notify.EncodeKey(key); again != enc {
			t.Fatalf("EncodeKey(%q) not deterministic: %q then %q", key, enc, again)
		}
		if want := strings.ReplaceAll(url.QueryEscape(key), "%2F", "/"); enc != want {
			t.Fatalf("EncodeKey(%q) = %q, want %q (url.QueryEscape keeping /)", key, enc, want)
		}
		for i := 0; i < len(enc); i++ {
			c := enc[i]
			switch {
			case c == '%':
				if i+2 >= len(enc) || !isUpperHex(enc[i+1]) || !isUpperHex(enc[i+2]) {
					t.Fatalf("EncodeKey(%q) = %q: bad escape at %d", key, enc, i)
				}
				i += 2
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-_.~/+", c) >= 0:
			default:
				t.Fatalf("EncodeKey(%q) = %q: unsafe byte %q at %d", key, enc, c, i)
			}
		}
		if dec, err := url.QueryUnescape(enc); err != nil || dec != key {
			t.Fatalf("QueryUnescape(EncodeKey(%q)) = %q, %v", key, dec, err)
		}
		c := notify.Change{EventName: "ObjectCreated:Put", Time: time.Unix(0, 0), Bucket: "b", Key: key, Size: 1}
		var ev events.S3Event
		if err := json.Unmarshal(notify.Payload(notify.NewRecord("us-east-1", "O", "cfg", c)), &ev); err != nil {
			t.Fatalf("aws-lambda-go cannot read the event for %q: %v", key, err)
		}
		if got := ev.Records[0].S3.Object.URLDecodedKey; got != key {
			t.Fatalf("URLDecodedKey = %q, want %q", got, key)
		}
	})
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// FuzzNotificationXML feeds PutBucketNotificationConfiguration bodies through
// what the S3 layer does with them: xml.Unmarshal (a failure is MalformedXML
// there), Validator.Validate, AssignIDs, Store.Set, then Store.Get marshalled
// as GetBucketNotificationConfiguration answers. It checks:
//   - nothing panics;
//   - a refusal is a *notify.Error with a non-empty Code and Message;
//   - validation is deterministic and does not change the configuration;
//   - any parsed configuration marshals to XML that parses to an equal one,
//     with the same verdict, and what GET returns parses to what PUT stored;
//   - in an accepted configuration no key and event select two Lambda
//     configurations (what S3's overlap rules are for).
//
// Seeds: testdata/fuzz/FuzzNotificationXML.
func FuzzNotificationXML(f *testing.F) {
	f.Add([]byte(`<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CloudFunctionConfiguration>` +
		`<CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction><Event>s3:ObjectCreated:*</Event>` +
		`</CloudFunctionConfiguration></NotificationConfiguration>`))
	f.Add([]byte(`<NotificationConfiguration/>`))
	f.Add([]byte(`<NotificationConfiguration><oops`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var cfg notify.NotificationConfiguration
		if err := xml.Unmarshal(body, &cfg); err != nil {
			return // MalformedXML
		}
		for _, skip := range []bool{false, true} {
			v := notify.Validator{SkipDestinationValidation: skip, FunctionExists: functionExists}
			err := checkVerdict(t, v, &cfg)
			out, merr := xml.Marshal(cfg)
			if merr != nil {
				t.Fatalf("marshal %+v: %v", cfg, merr)
			}
			var again notify.NotificationConfiguration
			if uerr := xml.Unmarshal(out, &again); uerr != nil {
				t.Fatalf("re-parse %s: %v", out, uerr)
			}
			assertSame(t, "marshal round trip", cfg, again)
			if err2 := v.Validate(&again); !sameVerdict(err, err2) {
				t.Fatalf("verdict changed over a round trip: %v, then %v\n%s", err, err2, out)
			}
			if err == nil {
				checkNoOverlap(t, cfg)
				if skip {
					checkStored(t, cfg)
				}
			}
		}
	})
}

// functionExists accepts the lab's function ARNs, not other strings.
func functionExists(arn string) bool { return strings.HasPrefix(arn, "arn:aws:lambda:") }

// checkVerdict validates cfg twice and checks the error's shape.
func checkVerdict(t *testing.T, v notify.Validator, cfg *notify.NotificationConfiguration) error {
	t.Helper()
	before, _ := xml.Marshal(cfg)
	err := v.Validate(cfg)
	if after, _ := xml.Marshal(cfg); string(after) != string(before) {
		t.Fatalf("Validate changed the configuration:\n%s\n%s", before, after)
	}
	if err2 := v.Validate(cfg); !sameVerdict(err, err2) {
		t.Fatalf("Validate not deterministic: %v, then %v", err, err2)
	}
	if err == nil {
		return nil
	}
	ne, ok := err.(*notify.Error)
	if !ok || ne.Code == "" || ne.Message == "" {
		t.Fatalf("Validate error %T %v: want a *notify.Error with Code and Message", err, err)
	}
	return err
}

func sameVerdict(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return reflect.DeepEqual(a, b)
}

// assertSame compares configurations; XMLName and Xmlns are the document's
// namespace, not configuration.
func assertSame(t *testing.T, what string, want, got notify.NotificationConfiguration) {
	t.Helper()
	want.XMLName, got.XMLName = xml.Name{}, xml.Name{}
	want.Xmlns, got.Xmlns = "", ""
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("%s:\nwant %+v\ngot  %+v", what, want, got)
	}
}

// checkStored is PUT then GET: the GET document must parse to the stored
// configuration, in S3's namespace.
func checkStored(t *testing.T, cfg notify.NotificationConfiguration) {
	t.Helper()
	n := 0
	notify.AssignIDs(&cfg, func() string { n++; return "generated-" + strconv.Itoa(n) })
	s := notify.NewStore()
	s.Set("b", cfg)
	out, err := xml.MarshalIndent(s.Get("b"), "", "  ")
	if err != nil {
		t.Fatalf("marshal stored: %v", err)
	}
	var got notify.NotificationConfiguration
	if err := xml.Unmarshal(out, &got); err != nil {
		t.Fatalf("GET document does not parse: %v\n%s", err, out)
	}
	if got.XMLName.Space != notify.S3Namespace || got.Xmlns != notify.S3Namespace {
		t.Fatalf("GET document not in S3's namespace:\n%s", out)
	}
	if len(cfg.LambdaFunctionConfigurations)+len(cfg.QueueConfigurations)+len(cfg.TopicConfigurations) == 0 && cfg.EventBridgeConfiguration == nil {
		cfg = notify.NotificationConfiguration{}
	}
	assertSame(t, "GET after PUT", cfg, got)
}

// checkNoOverlap looks for a key and event that two accepted Lambda
// configurations both select: the longer prefix followed by the longer
// suffix matches both filters whenever any key does.
func checkNoOverlap(t *testing.T, cfg notify.NotificationConfiguration) {
	t.Helper()
	ls := cfg.LambdaFunctionConfigurations
	for i := range ls {
		for j := i + 1; j < len(ls); j++ {
			pa, sa := ls[i].PrefixSuffix()
			pb, sb := ls[j].PrefixSuffix()
			key := longer(pa, pb) + longer(sa, sb)
			for _, e := range append(append([]string{}, ls[i].Events...), ls[j].Events...) {
				name := strings.TrimPrefix(strings.Replace(e, "*", "Put", 1), "s3:")
				if ls[i].Matches(name, key) && ls[j].Matches(name, key) {
					t.Fatalf("accepted configurations %d and %d both select %s on %q", i, j, name, key)
				}
			}
		}
	}
}

func longer(a, b string) string {
	if len(b) > len(a) {
		return b
	}
	return a
}
