package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/api"
	"github.com/lambdalab/lambdalab/emulator/lambda/control"
	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
	"github.com/lambdalab/lambdalab/handler/sandbox"
)

var ctx = context.Background()

const (
	role    = "arn:aws:iam::000000000000:role/cis-exercise-demo-role"
	account = "000000000000"
	fnARN   = "arn:aws:lambda:us-east-1:000000000000:function:"
)

// lab is a Lambda API served over a real execution service, whose
// functions run in-process: a handler named echo.* returns its event,
// fail.* returns an error, and broken.* cannot be built (Deps.Runtime
// fails).
type lab struct {
	t      *testing.T
	svc    *lambda.Service
	c      *control.Control
	srv    *httptest.Server
	client *sdk.Client
	bus    *bus.Bus
	reg    *layers.Registry

	mu      sync.Mutex
	gate    chan struct{} // when set, Deps.Runtime waits for it to close
	built   []control.Spec
	objects map[string][]byte // what FetchObject finds: BUCKET/KEY
	records map[string][]byte // on-failure records delivered: BUCKET/KEY
	changes []control.Change
	seen    chan string // the action of each request served
}

// waitRequest waits until the server has answered a request of the
// operation (its IAM action's name).
func (l *lab) waitRequest(op string) {
	l.t.Helper()
	for a := range l.seen {
		if a == "lambda:"+op {
			return
		}
	}
}

func newLab(t *testing.T) *lab {
	t.Helper()
	l := &lab{t: t, objects: map[string][]byte{}, records: map[string][]byte{}, bus: bus.New()}
	l.svc = lambda.New(lambda.WithBus(l.bus), lambda.WithIDs(ids.NewSeeded(3, 4)), lambda.WithDeliverer(l.deliver))
	reg, err := layers.Open(t.TempDir(), "us-east-1", account)
	if err != nil {
		t.Fatal(err)
	}
	l.reg = reg
	l.c = control.New(l.svc, control.Deps{
		Runtime:     l.runtime,
		CheckRole:   checkRole,
		FetchObject: l.fetch,
		Layers:      reg,
		CodeDir:     t.TempDir(),
		IDs:         ids.NewSeeded(1, 2),
		OnChange: func(ch control.Change) {
			l.mu.Lock()
			l.changes = append(l.changes, ch)
			l.mu.Unlock()
		},
	})
	h := api.NewHandler(l.c)
	l.seen = make(chan string, 4096)
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action, _ := api.Action(r)
		h.ServeHTTP(w, r)
		select {
		case l.seen <- action:
		default:
		}
	}))
	l.client = sdk.New(sdk.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(l.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLAMBDALAB", "secret", ""),
		RetryMaxAttempts: 1, // a throttle is an answer to check, not to retry
	})
	t.Cleanup(func() {
		l.srv.Close()
		l.c.Close()
		l.svc.Close()
		l.bus.Close()
	})
	return l
}

// checkRole accepts the lab's roles except those named nope-*.
func checkRole(roleARN string) error {
	if strings.Contains(roleARN, ":role/nope") {
		return errors.New("no such role")
	}
	return nil
}

func (l *lab) runtime(spec control.Spec) (lambda.Runtime, error) {
	l.mu.Lock()
	gate := l.gate
	l.built = append(l.built, spec)
	l.mu.Unlock()
	if gate != nil {
		<-gate
	}
	kind, _, _ := strings.Cut(spec.Handler, ".")
	if kind == "broken" {
		return nil, fmt.Errorf("handler %s cannot be built", spec.Handler)
	}
	return lambda.InProcess(func(getenv func(string) string) (awslambda.Handler, error) {
		return awslambda.NewHandler(func(ctx context.Context, ev json.RawMessage) (json.RawMessage, error) {
			sandbox.Logf(ctx, "%s got %s (GREETING=%s)", spec.Handler, ev, getenv("GREETING"))
			if kind == "fail" {
				return nil, errors.New("it failed on purpose")
			}
			return ev, nil
		}), nil
	}), nil
}

func (l *lab) fetch(_ context.Context, bucket, key, _ string) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.objects[bucket+"/"+key]; ok {
		return b, nil
	}
	return nil, &smithy.GenericAPIError{Code: "NoSuchKey", Message: "The specified key does not exist."}
}

func (l *lab) deliver(_ context.Context, _, bucket, key string, body []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records[bucket+"/"+key] = body
	return nil
}

// hold makes Deps.Runtime wait until the returned func is called.
func (l *lab) hold() (release func()) {
	g := make(chan struct{})
	l.mu.Lock()
	l.gate = g
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			l.gate = nil
			l.mu.Unlock()
			close(g)
		})
	}
}

// makeZip builds a deployment package.
func makeZip(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var code = map[string]string{"lambda_function.py": "def lambda_handler(event, context):\n    return event\n"}

// createInput is CreateFunction's request for a function of handler.
func createInput(t testing.TB, name, handler string) *sdk.CreateFunctionInput {
	return &sdk.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.RuntimePython312,
		Handler:      aws.String(handler),
		Role:         aws.String(role),
		Code:         &types.FunctionCode{ZipFile: makeZip(t, code)},
	}
}

// create creates a function and waits until it is Active.
func (l *lab) create(name, handler string) *sdk.CreateFunctionOutput {
	l.t.Helper()
	out, err := l.client.CreateFunction(ctx, createInput(l.t, name, handler))
	if err != nil {
		l.t.Fatalf("CreateFunction %s: %v", name, err)
	}
	l.ready(name)
	return out
}

// ready waits until the function's code is prepared.
func (l *lab) ready(name string) {
	l.t.Helper()
	if err := l.c.WaitReady(ctx, name); err != nil {
		l.t.Fatal(err)
	}
}

// wantAPIError checks an SDK error's code, message and HTTP status.
func wantAPIError(t *testing.T, err error, code, message string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	if ae.ErrorCode() != code {
		t.Errorf("code %q, want %q (message %q)", ae.ErrorCode(), code, ae.ErrorMessage())
	}
	if message != "" && ae.ErrorMessage() != message {
		t.Errorf("message %q,\n want %q", ae.ErrorMessage(), message)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Errorf("status %v, want %d", err, status)
	}
}

// snapshot is the control plane's state as JSON, to show that a refused
// request changed nothing.
func (l *lab) snapshot() string {
	l.t.Helper()
	b, err := json.Marshal(l.c.Snapshot())
	if err != nil {
		l.t.Fatal(err)
	}
	return string(b)
}

// asError is errors.As.
func asError[T error](err error, target *T) bool { return errors.As(err, target) }
