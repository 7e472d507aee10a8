package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lambdalab/lambdalab/emulator/lambda/api"
)

func TestUnknownRouteIsA404NamingIt(t *testing.T) {
	l := newLab(t)
	req, _ := http.NewRequest("PATCH", l.srv.URL+"/2015-03-31/functions/demo/aliases", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Type, Message string }
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 404 || resp.Header.Get("x-amzn-ErrorType") != "UnknownOperationException" ||
		!strings.Contains(body.Message, "PATCH /2015-03-31/functions/demo/aliases") || body.Type != "User" {
		t.Errorf("unknown route: %d %q %+v", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), body)
	}
}

func TestErrorsAsLambdaSendsThem(t *testing.T) {
	l := newLab(t)
	resp, err := http.Get(l.srv.URL + "/2015-03-31/functions/ghost/configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 404 || resp.Header.Get("x-amzn-ErrorType") != "ResourceNotFoundException" || resp.Header.Get("x-amzn-RequestId") == "" ||
		string(b) != `{"Type":"User","message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost"}` {
		t.Errorf("GetFunctionConfiguration of a missing function: %d %v %s", resp.StatusCode, resp.Header, b)
	}
}

func TestTrailingSlashRoutes(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	for _, path := range []string{"/2015-03-31/functions/", "/2015-03-31/functions", "/2016-08-19/account-settings/"} {
		resp, err := http.Get(l.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
}

func TestAction(t *testing.T) {
	tests := []struct {
		method, target, body string
		action, function     string
	}{
		{"POST", "/2015-03-31/functions", `{"FunctionName":"cis-exercise-demo","Runtime":"python3.12"}`, "lambda:CreateFunction", "cis-exercise-demo"},
		{"GET", "/2015-03-31/functions/", "", "lambda:ListFunctions", ""},
		{"POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ademo/invocations", "{}", "lambda:InvokeFunction", "demo"},
		{"POST", "/2015-03-31/functions/000000000000:function:demo:$LATEST/policy", "{}", "lambda:AddPermission", "demo"},
		{"DELETE", "/2015-03-31/functions/demo/policy/s3invoke", "", "lambda:RemovePermission", "demo"},
		{"PUT", "/2015-03-31/functions/demo/configuration", "{}", "lambda:UpdateFunctionConfiguration", "demo"},
		{"GET", "/2019-09-30/functions/demo/concurrency", "", "lambda:GetFunctionConcurrency", "demo"},
		{"GET", "/2018-10-31/layers?find=LayerVersion&Arn=arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Alayer%3Ap%3A1", "", "lambda:GetLayerVersion", ""},
		{"GET", "/2018-10-31/layers", "", "lambda:ListLayers", ""},
		{"POST", "/2018-10-31/layers/pillow/versions", "{}", "lambda:PublishLayerVersion", ""},
		{"PUT", "/2024-08-31/functions/demo/recursion-config", "{}", "lambda:PutFunctionRecursionConfig", "demo"},
		{"GET", "/2015-03-31/functions/demo/aliases", "", "", ""},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
		action, fn := api.Action(r)
		if action != tc.action || fn != tc.function {
			t.Errorf("%s %s: Action = %q, %q; want %q, %q", tc.method, tc.target, action, fn, tc.action, tc.function)
		}
		if b, _ := io.ReadAll(r.Body); string(b) != tc.body {
			t.Errorf("%s %s: Action did not put the body back: %q", tc.method, tc.target, b)
		}
	}
}
