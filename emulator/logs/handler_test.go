package logs_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/lambdalab/lambdalab/emulator/logs"
)

// call sends a raw JSON 1.1 request and returns the status, headers and
// decoded body.
func call(t *testing.T, l *lab, method, target, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, l.srv.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	resp, err := l.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("body %q is not JSON: %v", raw, err)
		}
	}
	return resp.StatusCode, resp.Header, doc
}

func TestErrorShape(t *testing.T) {
	l := newLab(t)
	for _, tc := range []struct {
		name, method, target, body string
		typ, message               string
	}{
		{"missing group", "POST", "Logs_20140328.FilterLogEvents", `{"logGroupName":"/aws/lambda/none"}`,
			"ResourceNotFoundException", "The specified log group does not exist."},
		{"unknown operation", "POST", "Logs_20140328.StartQuery", `{}`, "UnknownOperationException", ""},
		{"other service's target", "POST", "DynamoDB_20120810.ListTables", `{}`, "UnknownOperationException", ""},
		{"no target", "POST", "", `{}`, "UnknownOperationException", ""},
		{"GET", "GET", "Logs_20140328.DescribeLogGroups", ``, "UnknownOperationException", ""},
		{"malformed JSON", "POST", "Logs_20140328.CreateLogGroup", `{"logGroupName":`, "SerializationException", ""},
		{"wrong type", "POST", "Logs_20140328.DescribeLogGroups", `{"limit":"ten"}`, "SerializationException", ""},
		{"null name", "POST", "Logs_20140328.CreateLogGroup", `{}`, "InvalidParameterException",
			"1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, doc := call(t, l, tc.method, tc.target, tc.body)
			if status != 400 {
				t.Errorf("status %d, want 400", status)
			}
			if h.Get("Content-Type") != "application/x-amz-json-1.1" || h.Get("x-amzn-RequestId") == "" {
				t.Errorf("headers %v", h)
			}
			if doc["__type"] != tc.typ {
				t.Errorf("__type %v, want %s", doc["__type"], tc.typ)
			}
			msg, _ := doc["message"].(string)
			if tc.message != "" && msg != tc.message || msg == "" {
				t.Errorf("message %q, want %q", msg, tc.message)
			}
		})
	}
}

func TestEmptyAnswers(t *testing.T) {
	l := newLab(t)
	status, _, doc := call(t, l, "POST", "Logs_20140328.CreateLogGroup", `{"logGroupName":"g"}`)
	if status != 200 || doc != nil {
		t.Errorf("CreateLogGroup: %d %v, want 200 and no body", status, doc)
	}
	status, _, doc = call(t, l, "POST", "Logs_20140328.FilterLogEvents", `{"logGroupName":"g"}`)
	if status != 200 || doc["events"] == nil || doc["searchedLogStreams"] == nil || doc["nextToken"] != nil {
		t.Errorf("FilterLogEvents on an empty group: %d %v, want empty events and searchedLogStreams, no nextToken", status, doc)
	}
}

func TestParseRequest(t *testing.T) {
	store := logs.New(logs.WithRegion("eu-west-1"), logs.WithAccount("123456789012"))
	for _, tc := range []struct {
		target, body       string
		action, group, arn string
	}{
		{"Logs_20140328.PutLogEvents", `{"logGroupName":"/aws/lambda/f","logStreamName":"s","logEvents":[]}`,
			"logs:PutLogEvents", "/aws/lambda/f", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f:log-stream:s"},
		{"Logs_20140328.FilterLogEvents", `{"logGroupIdentifier":"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f"}`,
			"logs:FilterLogEvents", "/aws/lambda/f", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f:*"},
		{"Logs_20140328.CreateLogGroup", `{"logGroupName":"/aws/lambda/f"}`,
			"logs:CreateLogGroup", "/aws/lambda/f", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f:*"},
		{"Logs_20140328.DescribeLogGroups", `{}`,
			"logs:DescribeLogGroups", "", "arn:aws:logs:eu-west-1:123456789012:log-group:*"},
	} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		req.Header.Set("X-Amz-Target", tc.target)
		q, err := logs.ParseRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		if q.Action != tc.action || q.LogGroupName != tc.group || store.Resource(q) != tc.arn {
			t.Errorf("%s: %+v, resource %s", tc.target, q, store.Resource(q))
		}
		// The body is still there for the handler.
		rest, _ := io.ReadAll(req.Body)
		if string(rest) != tc.body {
			t.Errorf("%s: body after ParseRequest %q", tc.target, rest)
		}
		if a, ok := logs.Action(req); !ok || a != tc.action {
			t.Errorf("Action %q %v", a, ok)
		}
	}
}

func TestEveryOperationIsServed(t *testing.T) {
	l := newLab(t)
	want := []string{"CreateLogGroup", "CreateLogStream", "DeleteLogGroup", "DeleteLogStream", "DeleteRetentionPolicy",
		"DescribeLogGroups", "DescribeLogStreams", "FilterLogEvents", "GetLogEvents", "PutLogEvents", "PutRetentionPolicy"}
	if got := logs.Operations(); !slices.Equal(got, want) {
		t.Errorf("Operations() %v, want %v", got, want)
	}
	for _, op := range want {
		// An empty request is answered by the operation itself: a
		// validation error or, for DescribeLogGroups, a listing.
		status, _, doc := call(t, l, "POST", logs.TargetPrefix+op, `{}`)
		if doc["__type"] == "UnknownOperationException" || status != 200 && doc["__type"] != "InvalidParameterException" {
			t.Errorf("%s: %d %v", op, status, doc)
		}
	}
}
