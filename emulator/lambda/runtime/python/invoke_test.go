package python

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHandlerException(t *testing.T) {
	root, _ := filepath.Abs("testdata/keyerror")
	f := startFunction(t, fnConfig{root: root})
	const id = "6bc28136-8b2d-4a3b-9d4e-1f2a3b4c5d6e"
	o := f.invoke(t, event{id: id, body: `{"nothing": 1}`})
	if o.kind != "error" || o.id != id {
		t.Fatalf("posted %s for %q, want error for %q", o.kind, o.id, id)
	}
	rec := decodeError(t, o)
	frame := "  File \"" + root + "/lambda_function.py\", line 2, in lambda_handler\n    for record in event['Records']:\n"
	if rec.ErrorType != "KeyError" || rec.ErrorMessage != "'Records'" || *rec.RequestID != id ||
		len(rec.StackTrace) != 1 || rec.StackTrace[0] != frame {
		t.Errorf("error = %+v, want KeyError 'Records' with the one frame %q", rec, frame)
	}
	if got := o.header.Get("Lambda-Runtime-Function-Error-Type"); got != "KeyError" {
		t.Errorf("Lambda-Runtime-Function-Error-Type = %q", got)
	}
	var cause struct {
		Exceptions []struct {
			Type  string
			Stack []struct {
				Label, Path string
				Line        int
			}
		}
	}
	if err := json.Unmarshal([]byte(o.header.Get("Lambda-Runtime-Function-XRay-Error-Cause")), &cause); err != nil ||
		len(cause.Exceptions) != 1 || cause.Exceptions[0].Type != "KeyError" || cause.Exceptions[0].Stack[0].Line != 2 {
		t.Errorf("X-Ray cause %q (%v)", o.header.Get("Lambda-Runtime-Function-XRay-Error-Cause"), err)
	}
	wantLog := "[ERROR] KeyError: 'Records'\rTraceback (most recent call last):\r" +
		"\u00a0\u00a0File \"" + root + "/lambda_function.py\", line 2, in lambda_handler\r" +
		"\u00a0\u00a0\u00a0\u00a0for record in event['Records']:\n"
	if o.log != wantLog {
		t.Errorf("log = %q\nwant  %q", o.log, wantLog)
	}
	// The environment survives its function's error.
	o = f.invoke(t, event{id: "second", body: `{"Records": ["r1"]}`})
	if o.kind != "response" || string(o.body) != `"r1"` {
		t.Errorf("second invocation: %s %s", o.kind, o.body)
	}
}

func TestResults(t *testing.T) {
	f := startFunction(t, fnConfig{root: "testdata/ok"})
	cases := []struct {
		name, body         string
		kind, result, ctyp string
	}{
		{"event back", `{"action": "echo", "n": [1, 2.5, null, "x"]}`, "response", `{"action": "echo", "n": [1, 2.5, null, "x"]}`, "application/json"},
		// python3.12 and later keep non-ASCII characters (AWS_EXECUTION_ENV)
		{"unicode", `{"action": "text"}`, "response", "\"h\u00e9llo \u2713\"", "application/json"},
		{"bytes", `{"action": "raw"}`, "response", "\x00raw bytes", "application/unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := f.invoke(t, event{body: tc.body})
			if o.kind != tc.kind || string(o.body) != tc.result || o.header.Get("Content-Type") != tc.ctyp {
				t.Errorf("%s %q (%s), want %s %q (%s)", o.kind, o.body, o.header.Get("Content-Type"), tc.kind, tc.result, tc.ctyp)
			}
		})
	}
	t.Run("not JSON", func(t *testing.T) {
		o := f.invoke(t, event{id: "m1", body: `{"action": "not_json"}`})
		rec := decodeError(t, o)
		if o.kind != "error" || rec.ErrorType != "Runtime.MarshalError" ||
			rec.ErrorMessage != "Unable to marshal response: Object of type datetime is not JSON serializable" ||
			*rec.RequestID != "m1" || len(rec.StackTrace) != 0 {
			t.Errorf("%s %+v", o.kind, rec)
		}
		if !strings.HasSuffix(o.log, "[ERROR] Runtime.MarshalError: Unable to marshal response: Object of type datetime is not JSON serializable\rTraceback (most recent call last):\n") {
			t.Errorf("log ends %q", o.log[max(0, len(o.log)-200):])
		}
	})
	t.Run("bad event", func(t *testing.T) {
		o := f.invoke(t, event{id: "u1", body: `{not json`})
		rec := decodeError(t, o)
		if o.kind != "error" || rec.ErrorType != "Runtime.UnmarshalError" ||
			!strings.HasPrefix(rec.ErrorMessage, "Unable to unmarshal input: Expecting property name enclosed in double quotes") {
			t.Errorf("%s %+v", o.kind, rec)
		}
	})
}

// Logs: print as is, the root logger in Lambda's format with the request id,
// all of it out of the process before the result is posted.
func TestLogLines(t *testing.T) {
	f := startFunction(t, fnConfig{root: "testdata/ok"})
	const id = "0d7e9a52-1111-4222-8333-944455566677"
	o := f.invoke(t, event{id: id, body: `{"action": "say"}`})
	if o.kind != "response" || string(o.body) != `"said"` {
		t.Fatalf("%s %s", o.kind, o.body)
	}
	lines := strings.Split(o.log, "\n")
	warn := regexp.MustCompile(`^\[WARNING\]\t(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d{3}Z\t` + id + `\tcareful: warning$`)
	want := []string{"first line", "(warning)", "second line with parts", "no newline; then one", "from context.log", ""}
	if len(lines) != len(want) {
		t.Fatalf("log = %q", o.log)
	}
	for i, w := range want {
		if w == "(warning)" {
			m := warn.FindStringSubmatch(lines[i])
			if m == nil {
				t.Errorf("line %d = %q, want the warning in Lambda's format", i, lines[i])
				continue
			}
			// UTC, whatever the machine's zone: within a day of now in UTC.
			at, err := time.Parse("2006-01-02T15:04:05", m[1])
			if err != nil || at.Sub(time.Now().UTC()).Abs() > 12*time.Hour {
				t.Errorf("timestamp %q is not UTC now", m[1])
			}
			continue
		}
		if lines[i] != w {
			t.Errorf("line %d = %q, want %q", i, lines[i], w)
		}
	}
}

func TestLogLevelAndJSON(t *testing.T) {
	t.Run("level INFO", func(t *testing.T) {
		f := startFunction(t, fnConfig{root: "testdata/ok", env: map[string]string{"AWS_LAMBDA_LOG_LEVEL": "INFO"}})
		o := f.invoke(t, event{id: "r1", body: `{"action": "say"}`})
		if !regexp.MustCompile(`\n\[INFO\]\t\S+Z\tr1\tan info line\n`).MatchString(o.log) {
			t.Errorf("log = %q, want the INFO line", o.log)
		}
	})
	t.Run("JSON", func(t *testing.T) {
		f := startFunction(t, fnConfig{root: "testdata/ok", env: map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON"}})
		o := f.invoke(t, event{id: "j1", body: `{"action": "say"}`})
		lines := strings.Split(o.log, "\n")
		var rec map[string]any
		if len(lines) < 2 || json.Unmarshal([]byte(lines[1]), &rec) != nil {
			t.Fatalf("log = %q", o.log)
		}
		if rec["level"] != "WARNING" || rec["message"] != "careful: warning" || rec["requestId"] != "j1" || rec["logger"] != "root" {
			t.Errorf("JSON record = %v", rec)
		}
		if ts, _ := rec["timestamp"].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(ts) {
			t.Errorf("timestamp %q", ts)
		}
		o = f.invoke(t, event{id: "j2", body: `{"action": "not_json"}`})
		last := strings.Split(strings.TrimSuffix(o.log, "\n"), "\n")
		var errRec map[string]any
		if json.Unmarshal([]byte(last[len(last)-1]), &errRec) != nil || errRec["log_level"] != "ERROR" ||
			errRec["errorType"] != "Runtime.MarshalError" || errRec["requestId"] != "j2" {
			t.Errorf("error record %q", last[len(last)-1])
		}
	})
}

func TestContext(t *testing.T) {
	f := startFunction(t, fnConfig{root: "testdata/ok"})
	deadline := time.Now().Add(time.Hour).UnixMilli()
	o := f.invoke(t, event{
		id: "c1", deadline: deadline, body: `{"action": "context"}`,
		arn:           "arn:aws:lambda:us-east-1:000000000000:function:cis-exercise-demo:$LATEST",
		trace:         "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
		clientContext: `{"custom": {"k": "v"}, "env": {"platform": "x"}, "client": {"installation_id": "i-1"}}`,
		identity:      `{"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}`,
	})
	type contextResult struct {
		AwsRequestID       string `json:"aws_request_id"`
		FunctionName       string `json:"function_name"`
		FunctionVersion    string `json:"function_version"`
		InvokedFunctionArn string `json:"invoked_function_arn"`
		MemoryLimitInMB    string `json:"memory_limit_in_mb"`
		LogGroupName       string `json:"log_group_name"`
		LogStreamName      string `json:"log_stream_name"`
		Remaining          int64
		Identity           []string
		ClientContext      struct {
			Custom         map[string]string
			Env            map[string]string
			InstallationID string `json:"installation_id"`
		} `json:"client_context"`
		TraceEnv string `json:"trace_env"`
	}
	var got contextResult
	if o.kind != "response" || json.Unmarshal(o.body, &got) != nil {
		t.Fatalf("%s %s", o.kind, o.body)
	}
	if got.AwsRequestID != "c1" || got.FunctionName != "cis-exercise-demo" || got.FunctionVersion != "$LATEST" ||
		got.InvokedFunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:cis-exercise-demo:$LATEST" ||
		got.MemoryLimitInMB != "128" || got.LogGroupName != "/aws/lambda/cis-exercise-demo" ||
		got.LogStreamName != "2025/01/01/[$LATEST]0123456789abcdef" ||
		strings.Join(got.Identity, ",") != "id-1,pool-1" || got.ClientContext.Custom["k"] != "v" ||
		got.ClientContext.Env["platform"] != "x" || got.ClientContext.InstallationID != "i-1" ||
		got.TraceEnv != "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1" {
		t.Errorf("context = %+v", got)
	}
	// Remaining time counts down to the deadline the Runtime API gave.
	if got.Remaining <= 0 || got.Remaining > time.Hour.Milliseconds() {
		t.Errorf("get_remaining_time_in_millis() = %d, want within the hour left", got.Remaining)
	}
	o = f.invoke(t, event{id: "c2", deadline: time.Now().Add(-time.Second).UnixMilli(), body: `{"action": "context"}`})
	got = contextResult{}
	if json.Unmarshal(o.body, &got) != nil || got.Remaining != 0 || got.TraceEnv != "" || got.Identity[0] != "" {
		t.Errorf("past deadline, no trace: %s", o.body)
	}
	o = f.invoke(t, event{id: "c3", clientContext: "{broken", body: `{"action": "context"}`})
	if rec := decodeError(t, o); rec.ErrorType != "Runtime.LambdaContextUnmarshalError" ||
		!strings.HasPrefix(rec.ErrorMessage, "Unable to parse Client Context JSON: ") {
		t.Errorf("bad client context: %+v", rec)
	}
}
