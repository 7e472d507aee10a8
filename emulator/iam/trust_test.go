package iam_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lambdalab/lambdalab/emulator/iam"
)

// TestParseTrust follows IAM's trust policy grammar: a Principal is
// required, actions are sts: ones, Resource is prohibited; conditions are
// kept (and never trusted, since lambdalab cannot evaluate them).
func TestParseTrust(t *testing.T) {
	cases := []struct{ name, doc, err string }{
		{"lambda", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, ""},
		{"star", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}`, ""},
		{"several principals", `{"Statement":{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::000000000000:role/x"],"Service":["lambda.amazonaws.com","edgelambda.amazonaws.com"]},"Action":["sts:AssumeRole","sts:TagSession"]}}`, ""},
		{"condition kept", `{"Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"}}}}`, ""},
		{"no principal", `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, "1:14: MalformedPolicyDocument: statement 1: Missing required field Principal"},
		{"empty principal", `{"Statement":{"Effect":"Allow","Principal":{},"Action":"sts:AssumeRole"}}`, "Missing required field Principal cannot be empty!"},
		{"principal not an object", `{"Statement":{"Effect":"Allow","Principal":["x"],"Action":"sts:AssumeRole"}}`, "Principal must be a JSON object"},
		{"unknown principal type", `{"Statement":{"Effect":"Allow","Principal":{"Users":"bob"},"Action":"sts:AssumeRole"}}`, `Invalid principal in policy: "Users"`},
		{"bad AWS principal", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"}}`, `Invalid principal in policy: "AWS":"bob"`},
		{"NotPrincipal", `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"*"},"Action":"sts:AssumeRole"}}`, "AssumeRole policy must not contain NotPrincipal field."},
		{"no action", `{"Statement":{"Effect":"Allow","Principal":"*"}}`, "Missing required field Action"},
		{"s3 action", "{\"Statement\":{\n\"Effect\":\"Allow\",\"Principal\":\"*\",\n\"Action\":[\"sts:AssumeRole\",\"s3:GetObject\"]}}", "3:1: MalformedPolicyDocument: statement 1: AssumeRole policy may only specify STS AssumeRole actions."},
		{"resource", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","NotResource":"*"}}`, "Has prohibited field NotResource"},
		{"no effect", `{"Statement":{"Principal":"*","Action":"sts:AssumeRole"}}`, "Missing required field Effect"},
		{"not JSON", `{"Statement":`, "Syntax errors in policy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tp, err := iam.ParseTrust([]byte(tc.doc))
			if tc.err == "" {
				if err != nil || tp.Source != tc.doc || len(tp.Statements) != 1 {
					t.Fatalf("ParseTrust = %+v, %v", tp, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got %v, want %q", err, tc.err)
			}
		})
	}
}

// TestTrusts: who a trust policy lets assume the role.
func TestTrusts(t *testing.T) {
	tp, err := iam.ParseTrust([]byte(`{"Statement":[
		{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com","AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"},
		{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:TagSession"},
		{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		typ, principal, action string
		want                   bool
	}{
		{"Service", "lambda.amazonaws.com", "sts:AssumeRole", true},
		{"Service", "lambda.amazonaws.com", "STS:assumerole", true},
		{"Service", "s3.amazonaws.com", "sts:AssumeRole", false},
		{"AWS", "arn:aws:iam::000000000000:root", "sts:AssumeRole", true},
		{"AWS", "arn:aws:iam::000000000000:root", "sts:TagSession", false},
		{"Service", "ec2.amazonaws.com", "sts:AssumeRole", false}, // its statement has a condition
	} {
		if got := tp.Trusts(tc.typ, tc.principal, tc.action); got != tc.want {
			t.Errorf("Trusts(%s %s %s) = %v", tc.typ, tc.principal, tc.action, got)
		}
	}
}

// FuzzTrust: ParseTrust never panics, accepts only JSON, and refuses with
// a positioned *iam.SyntaxError inside the document.
func FuzzTrust(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`))
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Resource":"*"}}`))
	f.Add([]byte("{\n\"Statement\": [{\"Principal\": {\"AWS\": [1]}}]}"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		tp, err := iam.ParseTrust(doc)
		if err != nil {
			checkSyntaxError(t, doc, err)
			return
		}
		if !json.Valid(doc) {
			t.Fatalf("ParseTrust accepted a document that is not JSON: %q", doc)
		}
		for _, st := range tp.Statements {
			if st.Principal == nil || len(st.Action)+len(st.NotAction) == 0 {
				t.Fatalf("accepted a statement without a Principal or actions: %+v", st)
			}
		}
	})
}
