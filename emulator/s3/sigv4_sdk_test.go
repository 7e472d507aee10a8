package s3

// Signature checks through the aws-sdk-go-v2 client, against a test server
// that answers as the lab does with --verify-signatures.

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// sigTestServer answers like S3 would with --verify-signatures: 403 XML for
// a bad signature, 200 otherwise. It keeps the bodies it received.
type sigTestServer struct {
	*httptest.Server
	mu      sync.Mutex
	bodies  []string
	targets []string // host and request-target of each request
}

func newSigTestServer(t *testing.T, useTLS bool) *sigTestServer {
	t.Helper()
	s := &sigTestServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := VerifySignature(r, sigTestLookup, time.Now())
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, string(body))
		s.targets = append(s.targets, r.Host+r.RequestURI)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		if err != nil {
			e := asError(err)
			w.WriteHeader(e.Status)
			w.Write(errorBody(e, "REQ", "HOST"))
			return
		}
		if r.URL.Query().Get("list-type") == "2" {
			io.WriteString(w, `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>cis-examples</Name><KeyCount>0</KeyCount></ListBucketResult>`)
		}
	}))
	if useTLS {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

func (s *sigTestServer) lastBody() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bodies[len(s.bodies)-1]
}

func (s *sigTestServer) lastTarget() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.targets[len(s.targets)-1]
}

// client returns an S3 client signing with secret. Virtual-host style
// names resolve to the test server, as *.s3.localhost does in the lab (with
// TLS, *.example.com, which the test certificate covers).
func (s *sigTestServer) client(pathStyle bool, secret string) (*awss3.Client, *http.Client) {
	addr := s.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	endpoint := "http://" + addr
	switch {
	case s.TLS != nil && !pathStyle:
		endpoint = "https://example.com:" + port
	case s.TLS != nil:
		endpoint = "https://" + addr
	case !pathStyle:
		endpoint = "http://s3.localhost:" + port
	}
	dialer := &net.Dialer{}
	tr := s.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, addr)
	}
	hc := &http.Client{Transport: tr}
	c := awss3.New(awss3.Options{
		Region:       sigTestRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(sigTestKey, secret, sigTestToken),
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: pathStyle,
		HTTPClient:   hc,
		Retryer:      aws.NopRetryer{},
	})
	return c, hc
}

func sigTestErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// sigTestStyles and sigTestSecrets are the cases of the SDK tests: both
// addressing styles, with the right secret and a wrong one.
var (
	sigTestStyles = []struct {
		name string
		path bool
	}{{"path style", true}, {"virtual-host style", false}}
	sigTestSecrets = []struct{ name, secret, code string }{
		{"right secret", sigTestSecret, ""}, {"wrong secret", "wrong-secret", "SignatureDoesNotMatch"},
	}
)

func TestVerifySignatureWithSDK(t *testing.T) {
	srv := newSigTestServer(t, false)
	keys := []string{"Screenshot from 2023-05-22 10-07-49.png", "a+b/ü ~x.png", "state=fl/city=orlando.json", "100% (copy).txt"}
	ctx := context.Background()
	for _, style := range sigTestStyles {
		for _, sec := range sigTestSecrets {
			client, hc := srv.client(style.path, sec.secret)
			for _, key := range keys {
				t.Run(style.name+"/"+sec.name+"/"+key, func(t *testing.T) {
					content := "content of " + key
					_, err := client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("cis-examples"), Key: aws.String(key), Body: strings.NewReader(content)})
					if got := sigTestErrorCode(err); got != sec.code {
						t.Fatalf("PutObject: want %q, got %q", sec.code, got)
					}
					if !strings.Contains(srv.lastBody(), content) {
						t.Errorf("handler read body %q", srv.lastBody())
					}
					if virtual := strings.HasPrefix(srv.lastTarget(), "cis-examples."); virtual == style.path {
						t.Errorf("request went to %s", srv.lastTarget())
					}
					_, err = client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("cis-examples"), Prefix: aws.String(key)})
					if got := sigTestErrorCode(err); got != sec.code {
						t.Fatalf("ListObjectsV2: want %q, got %q", sec.code, got)
					}
					sigTestPresignedGet(t, client, hc, key, sec.code)
				})
			}
		}
	}
}

// sigTestPresignedGet fetches key through a URL from the SDK's presign client.
func sigTestPresignedGet(t *testing.T, client *awss3.Client, hc *http.Client, key, code string) {
	t.Helper()
	req, err := awss3.NewPresignClient(client).PresignGetObject(context.Background(),
		&awss3.GetObjectInput{Bucket: aws.String("cis-examples"), Key: aws.String(key)},
		awss3.WithPresignExpires(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get(req.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := http.StatusOK
	if code != "" {
		want = http.StatusForbidden
	}
	if resp.StatusCode != want || !strings.Contains(string(body), code) {
		t.Errorf("presigned GET %s: %d %s", req.URL, resp.StatusCode, body)
	}
}

// Over TLS the SDK sends an unseekable body aws-chunked with a trailing
// checksum (x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER); the
// seed signature is what VerifySignature checks.
func TestVerifySignatureStreamingWithSDK(t *testing.T) {
	srv := newSigTestServer(t, true)
	ctx := context.Background()
	for _, style := range sigTestStyles {
		for _, sec := range sigTestSecrets {
			t.Run(style.name+"/"+sec.name, func(t *testing.T) {
				client, _ := srv.client(style.path, sec.secret)
				const key, content = "a+b/ü ~x.png", "streamed content"
				_, err := client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("cis-examples"), Key: aws.String(key),
					Body: struct{ io.Reader }{strings.NewReader(content)}, ContentLength: aws.Int64(int64(len(content))),
					ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
				if got := sigTestErrorCode(err); got != sec.code {
					t.Fatalf("PutObject: want %q, got %q", sec.code, got)
				}
				if body := srv.lastBody(); !strings.Contains(body, content) || body == content {
					t.Errorf("want an aws-chunked body, handler read %q", body)
				}
			})
		}
	}
}
