package iam

import (
	"strings"
	"testing"
)

func mustParse(t *testing.T, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, doc)
	}
	return p
}

// exercise is the exercise's policy.
const exercise = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": "arn:aws:logs:us-east-1:000000000000:*"},
    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
     "Resource": "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/cis-exercise-demo:*"},
    {"Sid": "ReadInput", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::cis-examples/*"},
    {"Sid": "WriteOutput", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::cis-examples-output/*"}
  ]
}`

// TestEvaluate follows IAM's documented evaluation logic: an explicit deny
// overrides any allow; an allow is needed; otherwise the request is denied.
func TestEvaluate(t *testing.T) {
	cases := []struct {
		name, policy, action, resource string
		allowed                        bool
		by                             string
	}{
		{"exercise get input", exercise, "s3:GetObject", "arn:aws:s3:::cis-examples/cat.png", true, "ReadInput"},
		{"exercise put output", exercise, "s3:PutObject", "arn:aws:s3:::cis-examples-output/cat.png", true, "WriteOutput"},
		{"exercise put input", exercise, "s3:PutObject", "arn:aws:s3:::cis-examples/cat.png", false, ""},
		{"exercise get output", exercise, "s3:GetObject", "arn:aws:s3:::cis-examples-output/cat.png", false, ""},
		{"exercise list bucket", exercise, "s3:ListBucket", "arn:aws:s3:::cis-examples", false, ""},
		{"exercise logs", exercise, "logs:PutLogEvents", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/cis-exercise-demo:log-stream:x", true, "statement 2"},
		{"exercise logs other function", exercise, "logs:PutLogEvents", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/other:log-stream:x", false, ""},
		{"object ARN does not match bucket ARN", exercise, "s3:GetObject", "arn:aws:s3:::cis-examples", false, ""},
		{"nested key", exercise, "s3:GetObject", "arn:aws:s3:::cis-examples/a/b/c.png", true, "ReadInput"},
		{"bucket name prefix is not the bucket", exercise, "s3:GetObject", "arn:aws:s3:::cis-examples-2/cat.png", false, ""},
		{"action case-insensitive", `{"Statement":{"Effect":"Allow","Action":"S3:getobject","Resource":"*"}}`, "s3:GetObject", "arn:aws:s3:::b/k", true, "statement 1"},
		{"resource case-sensitive", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::Bucket/*"}}`, "s3:GetObject", "arn:aws:s3:::bucket/k", false, ""},
		{"action wildcard", `{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}`, "s3:GetObjectTagging", "arn:aws:s3:::b/k", true, "statement 1"},
		{"action wildcard miss", `{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}`, "s3:PutObject", "arn:aws:s3:::b/k", false, ""},
		{"question mark", `{"Statement":{"Effect":"Allow","Action":"s3:?etObject","Resource":"arn:aws:s3:::b/??.png"}}`, "s3:GetObject", "arn:aws:s3:::b/ab.png", true, "statement 1"},
		{"question mark is one char", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/??.png"}}`, "s3:GetObject", "arn:aws:s3:::b/abc.png", false, ""},
		{"star everything", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, "logs:PutLogEvents", "arn:aws:logs:x", true, "statement 1"},
		{"deny beats allow", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"NoDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`, "s3:DeleteObject", "arn:aws:s3:::b/k", false, "NoDeletes"},
		{"deny elsewhere leaves allow", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`, "s3:PutObject", "arn:aws:s3:::b/k", true, "statement 1"},
		{"deny first still wins", `{"Statement":[{"Sid":"D","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::secret/*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "s3:GetObject", "arn:aws:s3:::secret/k", false, "D"},
		{"NotAction allows the rest", `{"Statement":{"Effect":"Allow","NotAction":"s3:DeleteObject","Resource":"*"}}`, "s3:PutObject", "arn:aws:s3:::b/k", true, "statement 1"},
		{"NotAction excludes", `{"Statement":{"Effect":"Allow","NotAction":"s3:DeleteObject","Resource":"*"}}`, "s3:DeleteObject", "arn:aws:s3:::b/k", false, ""},
		{"NotAction deny", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"OnlyS3","Effect":"Deny","NotAction":"s3:*","Resource":"*"}]}`, "logs:PutLogEvents", "arn:aws:logs:x", false, "OnlyS3"},
		{"NotResource allows others", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::private/*"}}`, "s3:GetObject", "arn:aws:s3:::public/k", true, "statement 1"},
		{"NotResource excludes", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::private/*"}}`, "s3:GetObject", "arn:aws:s3:::private/k", false, ""},
		{"list of resources", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]}}`, "s3:GetObject", "arn:aws:s3:::b/k", true, "statement 1"},
		{"list of actions", `{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}}`, "s3:PutObject", "arn:aws:s3:::b/k", true, "statement 1"},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, "s3:GetObject", "arn:aws:s3:::b/k", false, ""},
		{"ListBucket on bucket ARN", `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}}`, "s3:ListBucket", "arn:aws:s3:::b", true, "statement 1"},
		{"ListBucket on objects ARN does not cover the bucket", `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b/*"}}`, "s3:ListBucket", "arn:aws:s3:::b", false, ""},
		{"other service", exercise, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:000000000000:table/t", false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, tc.policy).Evaluate(tc.action, tc.resource)
			if d.Allowed != tc.allowed || d.Statement != tc.by {
				t.Errorf("Evaluate(%s, %s) = %+v, want allowed=%v by %q", tc.action, tc.resource, d, tc.allowed, tc.by)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"not JSON", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ oops ]\n}", "3:18: MalformedPolicyDocument: Syntax errors in policy"},
		{"condition", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`, "not supported by lambdalab: Condition"},
		{"principal", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, "should not specify a principal"},
		{"bad effect", `{"Statement":{"Effect":"Permit","Action":"s3:*","Resource":"*"}}`, `Effect "Permit" is not valid`},
		{"no resource", `{"Statement":{"Effect":"Allow","Action":"s3:*"}}`, "must contain resources"},
		{"bad version", `{"Version":"2024-01-01","Statement":[]}`, "1:2: MalformedPolicyDocument: The policy's Version"},
		{"unknown key", `{"Statement":[],"Statment":[]}`, `unknown element "Statment"`},
		{"action without service", `{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, "must be service:action"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestDeniedMessage(t *testing.T) {
	got := DeniedMessage("arn:aws:sts::000000000000:assumed-role/ROLE/FUNCTION", "s3:PutObject", "arn:aws:s3:::cis-examples-output/cat.png", Decision{})
	want := `User: arn:aws:sts::000000000000:assumed-role/ROLE/FUNCTION is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::cis-examples-output/cat.png" because no identity-based policy allows the s3:PutObject action`
	if got != want {
		t.Errorf("\n%s\n%s", got, want)
	}
}
