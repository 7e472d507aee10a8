package python

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// s3Request is what the fake S3 saw of one request.
type s3Request struct {
	method, path, auth, token, trace string
}

// fakeS3 serves objects from memory and records every request.
type fakeS3 struct {
	mu       sync.Mutex
	objects  map[string][]byte // "/bucket/key" → body
	requests []s3Request
	srv      *httptest.Server
}

func newFakeS3(t *testing.T) *fakeS3 {
	s := &fakeS3{objects: map[string][]byte{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *fakeS3) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, s3Request{r.Method, r.URL.Path, r.Header.Get("Authorization"),
		r.Header.Get("X-Amz-Security-Token"), r.Header.Get("X-Amzn-Trace-Id")})
	obj, ok := s.objects[r.URL.Path]
	switch r.Method {
	case http.MethodPut:
		s.objects[r.URL.Path] = body
		w.Header().Set("ETag", `"put"`)
	case http.MethodHead, http.MethodGet:
		if !ok {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>")
			return
		}
		w.Header().Set("ETag", `"obj"`)
		w.Header().Set("Last-Modified", "Wed, 01 Jan 2025 00:00:00 GMT")
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Length", itoa(len(obj)))
		if r.Method == http.MethodGet {
			w.Write(obj)
		}
	default:
		w.WriteHeader(http.StatusNotImplemented)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// The seed exercise's own function, unmodified: boto3 reaches the lab's S3
// through AWS_ENDPOINT_URL with the role's credentials and the invocation's
// trace header, and Pillow comes from a layer built on this machine.
func TestSeedFunctionAgainstS3(t *testing.T) {
	requireModule(t, "boto3", "python3-boto3")
	requireModule(t, "PIL", "python3-pil")
	s3 := newFakeS3(t)
	var img bytes.Buffer
	png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 600, 400)))
	// The function keeps its downloads in /tmp, named after the key: a key
	// of this run's own lets the test clean up after it.
	name := fmt.Sprintf("lambdalab test %d.png", time.Now().UnixNano())
	t.Cleanup(func() {
		matches, _ := filepath.Glob("/tmp/*cats" + name)
		for _, m := range matches {
			os.Remove(m)
		}
	})
	s3.objects["/cis-examples/cats/"+name] = img.Bytes()

	opt := layerDir(t, "Pillow")
	f := startFunction(t, fnConfig{root: "testdata/seed", opt: opt, env: map[string]string{"AWS_ENDPOINT_URL": s3.srv.URL}})
	const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	o := f.invoke(t, event{id: "s1", trace: trace, body: `{"Records": [{"s3": {"bucket": {"name": "cis-examples"}, "object": {"key": "cats/` + strings.ReplaceAll(name, " ", "+") + `"}}}]}`})
	if o.kind != "response" || string(o.body) != "null" {
		t.Fatalf("%s %s\nlog: %s", o.kind, o.body, o.log)
	}
	out, ok := s3.objects["/cis-examples-output/cats/"+name]
	if !ok {
		t.Fatalf("nothing written to the output bucket; requests %+v", s3.requests)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(out)); err != nil || cfg.Width != 300 || cfg.Height != 200 {
		t.Errorf("output image %dx%d (%v), want 300x200", cfg.Width, cfg.Height, err)
	}
	if len(s3.requests) < 2 {
		t.Fatalf("requests %+v", s3.requests)
	}
	for _, r := range s3.requests {
		if !strings.Contains(r.auth, "Credential=ASIATESTROLEKEY/") || r.token != "role-session-token" {
			t.Errorf("%s %s signed %q with token %q, want the role's credentials", r.method, r.path, r.auth, r.token)
		}
		if r.trace != trace {
			t.Errorf("%s %s X-Amzn-Trace-Id = %q, want the invocation's %q", r.method, r.path, r.trace, trace)
		}
		if !strings.HasPrefix(r.path, "/cis-examples") {
			t.Errorf("request path %q, want path-style /bucket/key", r.path)
		}
	}
}

// boto3 clients take their endpoint from AWS_ENDPOINT_URL (and the
// service-specific variable), as Lambda's botocore does, unless the code
// names one.
func TestEndpointFromEnvironment(t *testing.T) {
	requireModule(t, "boto3", "python3-boto3")
	f := startFunction(t, fnConfig{root: "testdata/boto", env: map[string]string{
		"AWS_ENDPOINT_URL":     "http://127.0.0.1:4566",
		"AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:4567",
	}})
	o := f.invoke(t, event{})
	var got map[string]string
	if o.kind != "response" || json.Unmarshal(o.body, &got) != nil {
		t.Fatalf("%s %s %s", o.kind, o.body, o.log)
	}
	want := map[string]string{"s3": "http://127.0.0.1:4566", "sqs": "http://127.0.0.1:4567",
		"explicit": "http://127.0.0.1:9", "resource": "http://127.0.0.1:4566"}
	if !equalMaps(got, want) {
		t.Errorf("endpoints %v, want %v", got, want)
	}
}

// With a botocore too old for either feature (a stand-in in the task root),
// the client adds both: endpoints from the environment unless the code or
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS says otherwise, and the trace header.
func TestOldBotocoreShim(t *testing.T) {
	f := startFunction(t, fnConfig{root: "testdata/oldbotocore", env: map[string]string{
		"AWS_ENDPOINT_URL":     "http://lab:4566",
		"AWS_ENDPOINT_URL_SQS": "http://lab:4567",
	}})
	const trace = "Root=1-abc;Parent=def;Sampled=1"
	o := f.invoke(t, event{trace: trace})
	var got map[string][2]*string
	if o.kind != "response" || json.Unmarshal(o.body, &got) != nil {
		t.Fatalf("%s %s %s", o.kind, o.body, o.log)
	}
	want := map[string][2]string{
		"s3": {"http://lab:4566", trace}, "sqs": {"http://lab:4567", trace}, "by keyword": {"http://lab:4566", trace},
		"positional": {"http://given:1", trace}, "explicit": {"http://given:2", trace}, "ignored": {"", trace},
	}
	for k, w := range want {
		g, ok := got[k]
		deref := func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		}
		if !ok || deref(g[0]) != w[0] || deref(g[1]) != w[1] {
			t.Errorf("%s: endpoint %q header %q, want %q %q", k, deref(g[0]), deref(g[1]), w[0], w[1])
		}
	}
}
