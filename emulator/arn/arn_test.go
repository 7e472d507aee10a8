package arn

import (
	"strings"
	"testing"
)

// functionBase is the ARN prefix of the lab's functions.
const functionBase = "arn:aws:lambda:us-east-1:000000000000:function:"

// functionCases are function ARNs, valid and not, with what each parses to.
var functionCases = []struct {
	name string
	in   string
	want Function
	err  string // a part of the error; "" when the ARN is valid
}{
	{name: "unqualified", in: functionBase + "cis-exercise-demo",
		want: Function{Partition: "aws", Region: "us-east-1", Account: "000000000000", Name: "cis-exercise-demo"}},
	{name: "$LATEST", in: functionBase + "cis-exercise-demo:$LATEST",
		want: Function{Partition: "aws", Region: "us-east-1", Account: "000000000000", Name: "cis-exercise-demo", Qualifier: "$LATEST"}},
	{name: "version", in: functionBase + "thumbnailer:7",
		want: Function{Partition: "aws", Region: "us-east-1", Account: "000000000000", Name: "thumbnailer", Qualifier: "7"}},
	{name: "alias", in: functionBase + "thumbnailer:prod_v2-b",
		want: Function{Partition: "aws", Region: "us-east-1", Account: "000000000000", Name: "thumbnailer", Qualifier: "prod_v2-b"}},
	{name: "underscores and capitals", in: "arn:aws:lambda:eu-central-2:123456789012:function:My_Func-1",
		want: Function{Partition: "aws", Region: "eu-central-2", Account: "123456789012", Name: "My_Func-1"}},
	{name: "GovCloud", in: "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f",
		want: Function{Partition: "aws-us-gov", Region: "us-gov-west-1", Account: "123456789012", Name: "f"}},
	{name: "China", in: "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:$LATEST",
		want: Function{Partition: "aws-cn", Region: "cn-north-1", Account: "123456789012", Name: "f", Qualifier: "$LATEST"}},
	{name: "64-character name", in: functionBase + strings.Repeat("a", 64),
		want: Function{Partition: "aws", Region: "us-east-1", Account: "000000000000", Name: strings.Repeat("a", 64)}},

	{name: "a bare name", in: "cis-exercise-demo", err: "is not an ARN"},
	{name: "empty", in: "", err: "is not an ARN"},
	{name: "five parts", in: "arn:aws:lambda:us-east-1:000000000000", err: "is not an ARN"},
	{name: "not arn", in: "urn:aws:lambda:us-east-1:000000000000:function:f", err: "is not an ARN"},
	{name: "unknown partition", in: "arn:azure:lambda:us-east-1:000000000000:function:f", err: "unknown partition"},
	{name: "another service", in: "arn:aws:sqs:us-east-1:000000000000:function:f", err: `its service is "sqs"`},
	{name: "no region", in: "arn:aws:lambda::000000000000:function:f", err: "is not a region"},
	{name: "bad region", in: "arn:aws:lambda:useast1:000000000000:function:f", err: "is not a region"},
	{name: "region with two digits", in: "arn:aws:lambda:us-east-10:000000000000:function:f", err: "is not a region"},
	{name: "short account", in: "arn:aws:lambda:us-east-1:00000:function:f", err: "12-digit account"},
	{name: "letters in account", in: "arn:aws:lambda:us-east-1:00000000000a:function:f", err: "12-digit account"},
	{name: "a layer", in: "arn:aws:lambda:us-east-1:000000000000:layer:pillow:3", err: "want function:NAME"},
	{name: "a slash instead of a colon", in: "arn:aws:lambda:us-east-1:000000000000:function/f", err: "want function:NAME"},
	{name: "no name", in: functionBase, err: "names no function"},
	{name: "65-character name", in: functionBase + strings.Repeat("a", 65), err: "the most is 64"},
	{name: "a dot in the name", in: functionBase + "my.func", err: "letters, digits, hyphens and underscores"},
	{name: "a space in the name", in: functionBase + "my func", err: "letters, digits, hyphens and underscores"},
	{name: "empty qualifier", in: functionBase + "f:", err: "the qualifier is empty"},
	{name: "lower-case $latest", in: functionBase + "f:$latest", err: "is not $LATEST, a version or an alias"},
	{name: "two qualifiers", in: functionBase + "f:prod:7", err: "is not $LATEST, a version or an alias"},
	{name: "129-character alias", in: functionBase + "f:" + strings.Repeat("a", 129), err: "the most is 128"},
}

func TestParseFunction(t *testing.T) {
	for _, tc := range functionCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseFunction(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseFunction(%q) = %+v, %v; want an error with %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseFunction(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q back", got.String(), tc.in)
			}
		})
	}
}

func TestFunctionQualifiers(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		latest bool
	}{
		{"unqualified", "arn:aws:lambda:us-east-1:000000000000:function:f", true},
		{"$LATEST", "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST", true},
		{"version", "arn:aws:lambda:us-east-1:000000000000:function:f:1", false},
		{"alias", "arn:aws:lambda:us-east-1:000000000000:function:f:live", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFunction(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if f.Latest() != tc.latest {
				t.Errorf("Latest() = %v, want %v", f.Latest(), tc.latest)
			}
			if u := f.Unqualified().String(); u != "arn:aws:lambda:us-east-1:000000000000:function:f" {
				t.Errorf("Unqualified() = %q", u)
			}
		})
	}
	if got := FunctionARN("us-east-1", "000000000000", "cis-exercise-demo"); got != "arn:aws:lambda:us-east-1:000000000000:function:cis-exercise-demo" {
		t.Errorf("FunctionARN = %q", got)
	}
}

func TestParseLayer(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Layer
		err  string
	}{
		{name: "layer version", in: "arn:aws:lambda:us-east-1:123456789012:layer:pillow:3",
			want: Layer{Partition: "aws", Region: "us-east-1", Account: "123456789012", Name: "pillow", Version: 3}},
		{name: "AWS's own layer", in: "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7",
			want: Layer{Partition: "aws", Region: "eu-west-1", Account: "017000801446", Name: "AWSLambdaPowertoolsPythonV3-python312-x86_64", Version: 7}},
		{name: "large version", in: "arn:aws:lambda:us-east-1:123456789012:layer:l:12345",
			want: Layer{Partition: "aws", Region: "us-east-1", Account: "123456789012", Name: "l", Version: 12345}},

		{name: "no version", in: "arn:aws:lambda:us-east-1:123456789012:layer:pillow", err: "but no version"},
		{name: "empty version", in: "arn:aws:lambda:us-east-1:123456789012:layer:pillow:", err: "is not a number from 1 up"},
		{name: "version 0", in: "arn:aws:lambda:us-east-1:123456789012:layer:pillow:0", err: "is not a number from 1 up"},
		{name: "negative version", in: "arn:aws:lambda:us-east-1:123456789012:layer:pillow:-1", err: "is not a number from 1 up"},
		{name: "leading zero", in: "arn:aws:lambda:us-east-1:123456789012:layer:pillow:03", err: "is not a number from 1 up"},
		{name: "$LATEST is for functions", in: "arn:aws:lambda:us-east-1:123456789012:layer:pillow:$LATEST", err: "is not a number from 1 up"},
		{name: "no name", in: "arn:aws:lambda:us-east-1:123456789012:layer::3", err: "names no layer"},
		{name: "a dot in the name", in: "arn:aws:lambda:us-east-1:123456789012:layer:my.layer:3", err: "letters, digits"},
		{name: "141-character name", in: "arn:aws:lambda:us-east-1:123456789012:layer:" + strings.Repeat("l", 141) + ":1", err: "the most is 140"},
		{name: "a function", in: "arn:aws:lambda:us-east-1:123456789012:function:f", err: "want layer:NAME:VERSION"},
		{name: "bad account", in: "arn:aws:lambda:us-east-1:1234:layer:pillow:3", err: "12-digit account"},
		{name: "another service", in: "arn:aws:s3:::bucket", err: `its service is "s3"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLayer(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseLayer(%q) = %+v, %v; want an error with %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseLayer(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q back", got.String(), tc.in)
			}
		})
	}
}

func TestParseS3(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want S3
		err  string
	}{
		{name: "bucket", in: "arn:aws:s3:::cis-examples", want: S3{Partition: "aws", Bucket: "cis-examples"}},
		{name: "object", in: "arn:aws:s3:::cis-examples-output/cat.png", want: S3{Partition: "aws", Bucket: "cis-examples-output", Key: "cat.png"}},
		{name: "key with slashes", in: "arn:aws:s3:::b.example/uploads/2024/05/cat.png", want: S3{Partition: "aws", Bucket: "b.example", Key: "uploads/2024/05/cat.png"}},
		{name: "key with colons", in: "arn:aws:s3:::bkt/a:b:c", want: S3{Partition: "aws", Bucket: "bkt", Key: "a:b:c"}},
		{name: "key with spaces and unicode", in: "arn:aws:s3:::bkt/Screenshot from 2023-05-22 10-07-49 é.png", want: S3{Partition: "aws", Bucket: "bkt", Key: "Screenshot from 2023-05-22 10-07-49 é.png"}},
		{name: "key of one slash", in: "arn:aws:s3:::bkt//", want: S3{Partition: "aws", Bucket: "bkt", Key: "/"}},
		{name: "China", in: "arn:aws-cn:s3:::bkt/k", want: S3{Partition: "aws-cn", Bucket: "bkt", Key: "k"}},

		{name: "region", in: "arn:aws:s3:us-east-1::bkt", err: "have no region or account"},
		{name: "account", in: "arn:aws:s3::000000000000:bkt", err: "have no region or account"},
		{name: "no bucket", in: "arn:aws:s3:::", err: "has no resource"},
		{name: "bucket then slash", in: "arn:aws:s3:::bkt/", err: "the object key is empty"},
		{name: "short bucket", in: "arn:aws:s3:::ab", err: "3 to 63"},
		{name: "long bucket", in: "arn:aws:s3:::" + strings.Repeat("b", 64), err: "3 to 63"},
		{name: "capitals", in: "arn:aws:s3:::My_Photos", err: "lowercase letters"},
		{name: "leading hyphen", in: "arn:aws:s3:::-bucket", err: "begin and end"},
		{name: "trailing dot", in: "arn:aws:s3:::bucket.", err: "begin and end"},
		{name: "pattern key", in: "arn:aws:s3:::bkt/*", err: "is a pattern"},
		{name: "pattern bucket", in: "arn:aws:s3:::cis-*", err: "is a pattern"},
		{name: "long key", in: "arn:aws:s3:::bkt/" + strings.Repeat("k", 1025), err: "the most is 1024"},
		{name: "lambda", in: "arn:aws:lambda:us-east-1:000000000000:function:f", err: `its service is "lambda"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseS3(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseS3(%q) = %+v, %v; want an error with %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseS3(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q back", got.String(), tc.in)
			}
			if got.IsObject() != (tc.want.Key != "") {
				t.Errorf("IsObject() = %v", got.IsObject())
			}
		})
	}
	if got := BucketARN("cis-examples"); got != "arn:aws:s3:::cis-examples" {
		t.Errorf("BucketARN = %q", got)
	}
	if got := ObjectARN("cis-examples", "a/b.png"); got != "arn:aws:s3:::cis-examples/a/b.png" {
		t.Errorf("ObjectARN = %q", got)
	}
}

func TestParseRole(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Role
		err  string
	}{
		{name: "role", in: "arn:aws:iam::000000000000:role/cis-exercise-demo-role",
			want: Role{Partition: "aws", Account: "000000000000", Path: "/", Name: "cis-exercise-demo-role"}},
		{name: "service role", in: "arn:aws:iam::123456789012:role/service-role/thumbnailer-role-x1y2z3",
			want: Role{Partition: "aws", Account: "123456789012", Path: "/service-role/", Name: "thumbnailer-role-x1y2z3"}},
		{name: "deep path", in: "arn:aws:iam::123456789012:role/a/b/c/R+=,.@_-",
			want: Role{Partition: "aws", Account: "123456789012", Path: "/a/b/c/", Name: "R+=,.@_-"}},

		{name: "a region", in: "arn:aws:iam:us-east-1:123456789012:role/r", err: "has no region"},
		{name: "no account", in: "arn:aws:iam:::role/r", err: "12-digit account"},
		{name: "a user", in: "arn:aws:iam::123456789012:user/alice", err: "want role/NAME"},
		{name: "an assumed role", in: "arn:aws:sts::123456789012:assumed-role/r/session", err: `its service is "sts"`},
		{name: "no name", in: "arn:aws:iam::123456789012:role/", err: "names no role"},
		{name: "path without name", in: "arn:aws:iam::123456789012:role/service-role/", err: "names no role"},
		{name: "empty path segment", in: "arn:aws:iam::123456789012:role/a//r", err: "empty segment"},
		{name: "65-character name", in: "arn:aws:iam::123456789012:role/" + strings.Repeat("r", 65), err: "the most is 64"},
		{name: "a colon in the name", in: "arn:aws:iam::123456789012:role/a:b", err: "+=,.@_-"},
		{name: "a space in the path", in: "arn:aws:iam::123456789012:role/my path/r", err: "printable ASCII"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRole(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseRole(%q) = %+v, %v; want an error with %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseRole(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q back", got.String(), tc.in)
			}
		})
	}
	if got := RoleARN("000000000000", "r"); got != "arn:aws:iam::000000000000:role/r" {
		t.Errorf("RoleARN = %q", got)
	}
}

func TestParseGeneric(t *testing.T) {
	a, err := Parse("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:*")
	if err != nil {
		t.Fatal(err)
	}
	want := ARN{Partition: "aws", Service: "logs", Region: "us-east-1", Account: "000000000000", Resource: "log-group:/aws/lambda/f:*"}
	if a != want || a.String() != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:*" {
		t.Errorf("Parse = %+v (%s)", a, a)
	}
	for _, bad := range []string{"arn:aws::us-east-1:000000000000:x", "arn:aws:s3:::", "arn::s3:::b"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted it", bad)
		}
	}
}
