package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// aws-lambda-go's own runtime loop, in a program the Manager builds from
// testdata, runs invocations end to end through the Runtime API.
func TestAWSLambdaGoLoop(t *testing.T) {
	m := newManager(t)
	p := goHandler(t, m, "handler")
	cases := []struct {
		name, event string
		payload     string // the response, or
		errType     string // the posted error's type, or
		exit        string // how the process ended
		errMessage  string
	}{
		{name: "response", event: `{"action":"plain"}`, payload: `"plain"`},
		{name: "error", event: `{"action":"error","message":"no such key"}`, errType: "errorString", errMessage: "no such key"},
		{name: "typed error", event: `{"action":"custom-error","message":"disk"}`, errType: "quotaError", errMessage: "over quota: disk"},
		{name: "panic", event: `{"action":"panic","message":"boom"}`, errType: "string", errMessage: "boom"},
		{name: "exit", event: `{"action":"exit","code":3}`, exit: "exit status 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pr := start(t, m, p, functionEnv(), 128, nil)
			res := pr.Invoke(context.Background(), invocation("req-"+tc.name, tc.event))
			switch {
			case tc.payload != "":
				if res.Err != nil || res.Exit != "" || string(res.Payload) != tc.payload {
					t.Fatalf("result = %+v (payload %s), want payload %s", res, res.Payload, tc.payload)
				}
			case tc.errType != "":
				if res.Err == nil || res.Err.Type != tc.errType || res.Err.Message != tc.errMessage {
					t.Fatalf("result = %+v, want error %s: %s", res, tc.errType, tc.errMessage)
				}
				var doc FunctionError
				if err := json.Unmarshal(res.Payload, &doc); err != nil || doc.Type != tc.errType {
					t.Fatalf("payload %s is not the posted error document", res.Payload)
				}
			default:
				if res.Exit != tc.exit || res.Err != nil || res.OutOfMemory {
					t.Fatalf("result = %+v, want exit %q", res, tc.exit)
				}
			}
		})
	}
}

// A panic is reported with aws-lambda-go's stack frames, then the loop
// exits the process: the environment's next invocation sees the exit.
func TestAWSLambdaGoPanicEndsEnvironment(t *testing.T) {
	m := newManager(t)
	pr := start(t, m, goHandler(t, m, "handler"), functionEnv(), 128, nil)
	res := pr.Invoke(context.Background(), invocation("r1", `{"action":"panic","message":"boom"}`))
	var frames []struct{ Path, Label string }
	if res.Err == nil || json.Unmarshal(res.Err.StackTrace, &frames) != nil || len(frames) == 0 {
		t.Fatalf("panic result %+v has no stack frames", res)
	}
	<-pr.Exited()
	res = pr.Invoke(context.Background(), invocation("r2", `{"action":"plain"}`))
	if res.Exit != "exit status 1" {
		t.Fatalf("after the panic: %+v, want exit status 1", res)
	}
}

// What next tells the runtime is what aws-lambda-go puts in the context.
func TestNextHeadersReachTheHandler(t *testing.T) {
	m := newManager(t)
	pr := start(t, m, goHandler(t, m, "the.handler"), functionEnv(), 128, nil)
	deadline := time.Now().Add(42 * time.Second).Truncate(time.Millisecond)
	inv := Invocation{RequestID: "8f5ab2c4-1111-2222-3333-444455556666", FunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:gofn",
		Trace: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", Deadline: deadline,
		ClientContext:   `{"client":{"installation_id":"inst-1","app_title":"lab"},"custom":{"k":"v"}}`,
		CognitoIdentity: `{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}`,
		Payload:         []byte(`{"action":"echo"}`)}
	res := pr.Invoke(context.Background(), inv)
	var got struct {
		RequestID     string `json:"request_id"`
		FunctionARN   string `json:"function_arn"`
		DeadlineMs    int64  `json:"deadline_ms"`
		Trace         string `json:"trace"`
		TraceEnv      string `json:"trace_env"`
		Handler       string `json:"handler"`
		ClientContext struct {
			Client struct {
				InstallationID string `json:"installation_id"`
			} `json:"Client"`
			Custom map[string]string `json:"custom"`
		} `json:"client_context"`
		Identity struct {
			CognitoIdentityID     string `json:"CognitoIdentityID"`
			CognitoIdentityPoolID string `json:"CognitoIdentityPoolID"`
		} `json:"identity"`
	}
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatalf("payload %s: %v", res.Payload, err)
	}
	if got.RequestID != inv.RequestID || got.FunctionARN != inv.FunctionARN || got.DeadlineMs != deadline.UnixMilli() ||
		got.Trace != inv.Trace || got.TraceEnv != inv.Trace || got.Handler != "the.handler" ||
		got.ClientContext.Client.InstallationID != "inst-1" || got.ClientContext.Custom["k"] != "v" ||
		got.Identity.CognitoIdentityID != "id-1" || got.Identity.CognitoIdentityPoolID != "pool-1" {
		t.Fatalf("the handler saw %+v\nfrom %+v", got, inv)
	}
}

// aws-lambda-go posting a 7 MB response gets the emulator's 413 and exits;
// the invocation ends with Lambda's Function.ResponseSizeTooLarge.
func TestAWSLambdaGoResponseTooLarge(t *testing.T) {
	m := newManager(t)
	pr := start(t, m, goHandler(t, m, "handler"), functionEnv(), 512, nil)
	res := pr.Invoke(context.Background(), invocation("big", `{"action":"big","size":7340032}`))
	want := "Response payload size (7340034 bytes) exceeded maximum allowed payload size (6291556 bytes)."
	if res.Err == nil || res.Err.Type != "Function.ResponseSizeTooLarge" || res.Err.Message != want {
		t.Fatalf("result %+v, want Function.ResponseSizeTooLarge: %s", res.Err, want)
	}
	<-pr.Exited() // aws-lambda-go treats the 413 as fatal
}

// rawRuntime is the test acting as the runtime over raw HTTP, to reach the
// Runtime API's error answers that no well-behaved client provokes.
type rawRuntime struct {
	t    *testing.T
	base string
}

func (c rawRuntime) do(method, path, body string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c rawRuntime) expect(method, path, body string, status int, answer string) {
	c.t.Helper()
	if got, b := c.do(method, path, body); got != status || b != answer {
		c.t.Errorf("%s %s = %d %q, want %d %q", method, path, got, b, status, answer)
	}
}

// startIdle starts a process that never calls the Runtime API itself.
func startIdle(t *testing.T, m *Manager) (*Process, rawRuntime) {
	t.Helper()
	p, err := m.Prepare(Spec{Function: "raw", Runtime: ProvidedAL2023, Command: []string{"/bin/sleep", "1000"}})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := m.Start(p, nil, 128, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pr.Kill)
	return pr, rawRuntime{t, "http://" + pr.RuntimeAPI() + "/2018-06-01/runtime"}
}

func TestRuntimeAPIStateErrors(t *testing.T) {
	m := newManager(t)
	pr, rt := startIdle(t, m)
	const (
		accepted  = "{\"status\":\"OK\"}\n"
		invalidID = "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}\n"
	)
	transition := func(from, to string) string {
		return `{"errorMessage":"State transition from ` + from + ` to ` + to +
			` failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}` + "\n"
	}
	rt.expect("POST", "/invocation/none/response", "{}", 400, invalidID)
	done := make(chan Result, 1)
	go func() { done <- pr.Invoke(context.Background(), invocation("id-1", `{"n":1}`)) }()
	if status, body := rt.do("GET", "/invocation/next", ""); status != 200 || body != `{"n":1}` {
		t.Fatalf("next = %d %s", status, body)
	}
	if !pr.ReadyAt().After(pr.SpawnedAt()) {
		t.Errorf("ReadyAt %v not after SpawnedAt %v", pr.ReadyAt(), pr.SpawnedAt())
	}
	rt.expect("POST", "/invocation/id-2/response", "{}", 400, invalidID)
	rt.expect("POST", "/invocation//response", "{}", 400, invalidID)
	rt.expect("POST", "/init/error", "{}", 403, transition("Running", "InitError"))
	rt.expect("POST", "/invocation/id-1/response", `{"ok":true}`, 202, accepted)
	if res := <-done; string(res.Payload) != `{"ok":true}` || res.Err != nil {
		t.Fatalf("Invoke = %+v", res)
	}
	rt.expect("POST", "/invocation/id-1/response", "{}", 403, transition("RuntimeResponseSentState", "InvocationResponse"))
	rt.expect("POST", "/invocation/id-1/error", "{}", 403, transition("RuntimeResponseSentState", "InvocationErrorResponse"))
	rt.expect("GET", "/invocation/id-1/response", "", 405, "")
	rt.expect("GET", "/invocation/id-1/other", "", 404, "404 page not found\n")
	rt.expect("GET", "/restore/next", "", 404, "404 page not found\n")
}

func TestRuntimeAPIOversizedResponse(t *testing.T) {
	m := newManager(t)
	pr, rt := startIdle(t, m)
	done := make(chan Result, 1)
	go func() { done <- pr.Invoke(context.Background(), invocation("id-big", `{}`)) }()
	rt.do("GET", "/invocation/next", "")
	body := strings.Repeat("a", MaxResponseBytes+1)
	rt.expect("POST", "/invocation/id-big/response", body, 413,
		"{\"errorMessage\":\"Exceeded maximum allowed payload size (6291556 bytes).\",\"errorType\":\"RequestEntityTooLarge\"}\n")
	res := <-done
	if res.Err == nil || res.Err.Type != ErrorTypeResponseTooLarge ||
		res.Err.Message != "Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes)." {
		t.Fatalf("Invoke = %+v", res.Err)
	}
	if !bytes.Contains(res.Payload, []byte(`"errorType":"Function.ResponseSizeTooLarge"`)) {
		t.Fatalf("payload %s", res.Payload)
	}
}

func TestRuntimeAPIInitError(t *testing.T) {
	m := newManager(t)
	pr, rt := startIdle(t, m)
	rt.expect("POST", "/init/error", `{"errorMessage":"Unable to import module 'lambda_function': No module named 'PIL'","errorType":"Runtime.ImportModuleError","stackTrace":[]}`,
		202, "{\"status\":\"OK\"}\n")
	err := pr.WaitInit(context.Background())
	fe, ok := err.(*FunctionError)
	if !ok || fe.Type != "Runtime.ImportModuleError" || fe.Message != "Unable to import module 'lambda_function': No module named 'PIL'" || string(fe.StackTrace) != "[]" {
		t.Fatalf("WaitInit = %#v", err)
	}
	rt.expect("GET", "/invocation/next", "", 403,
		"{\"errorMessage\":\"State transition from InitError to Ready failed for runtime. Error: State transition is not allowed\",\"errorType\":\"InvalidStateTransition\"}\n")
	if res := pr.Invoke(context.Background(), invocation("after", "{}")); res.Err != fe {
		t.Fatalf("Invoke after an init error = %+v", res)
	}
}

// An error body that is not Lambda's document is typed by the header.
func TestRuntimeAPIErrorHeader(t *testing.T) {
	m := newManager(t)
	pr, rt := startIdle(t, m)
	done := make(chan Result, 1)
	go func() { done <- pr.Invoke(context.Background(), invocation("id-e", `{}`)) }()
	rt.do("GET", "/invocation/next", "")
	req, _ := http.NewRequest("POST", rt.base+"/invocation/id-e/error", strings.NewReader("plain text"))
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.Custom")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 202 {
		t.Fatalf("post error: %v %v", resp, err)
	}
	resp.Body.Close()
	res := <-done
	if res.Err == nil || res.Err.Type != "Runtime.Custom" || string(res.Payload) != "plain text" {
		t.Fatalf("Invoke = %+v", res)
	}
}
