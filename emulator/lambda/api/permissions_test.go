package api_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
)

func s3Permission(sid, sourceARN string) *sdk.AddPermissionInput {
	return &sdk.AddPermissionInput{FunctionName: aws.String("demo"), StatementId: aws.String(sid),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String(sourceARN)}
}

func TestPermissionsAndAllows(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	if l.c.Allows("demo", "s3.amazonaws.com", "arn:aws:s3:::cis-examples", account) {
		t.Fatal("a function without a policy allows S3")
	}
	_, err := l.client.GetPolicy(ctx, &sdk.GetPolicyInput{FunctionName: aws.String("demo")})
	wantAPIError(t, err, "ResourceNotFoundException", "The resource you requested does not exist.", 404)

	before := aws.ToString(l.revision("demo"))
	out, err := l.client.AddPermission(ctx, s3Permission("s3invoke", "arn:aws:s3:::cis-examples"))
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.Statement)), &st); err != nil {
		t.Fatalf("Statement is not JSON: %v", err)
	}
	want := map[string]any{"Sid": "s3invoke", "Effect": "Allow", "Principal": map[string]any{"Service": "s3.amazonaws.com"},
		"Action": "lambda:InvokeFunction", "Resource": fnARN + "demo",
		"Condition": map[string]any{"ArnLike": map[string]any{"AWS:SourceArn": "arn:aws:s3:::cis-examples"}}}
	if !equal(st, want) {
		t.Errorf("Statement = %v\nwant %v", st, want)
	}
	pol, err := l.client.GetPolicy(ctx, &sdk.GetPolicyInput{FunctionName: aws.String("demo")})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version, Id string
		Statement   []map[string]any
	}
	json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc)
	if doc.Version != "2012-10-17" || doc.Id != "default" || len(doc.Statement) != 1 || !equal(doc.Statement[0], want) {
		t.Errorf("GetPolicy = %s", aws.ToString(pol.Policy))
	}
	if rev := aws.ToString(pol.RevisionId); rev == before || rev != aws.ToString(l.revision("demo")) {
		t.Errorf("the policy's RevisionId %s: before %s, function's now %s", rev, before, aws.ToString(l.revision("demo")))
	}

	checkAllows(t, l)

	// A wildcard source and an account condition.
	p := s3Permission("any-cis", "arn:aws:s3:::cis-*")
	p.SourceAccount = aws.String(account)
	if _, err := l.client.AddPermission(ctx, p); err != nil {
		t.Fatal(err)
	}
	if !l.c.Allows("demo", "s3.amazonaws.com", "arn:aws:s3:::cis-examples-output", account) ||
		l.c.Allows("demo", "s3.amazonaws.com", "arn:aws:s3:::cis-examples-output", "111111111111") {
		t.Error("ArnLike cis-* with SourceAccount evaluated wrongly")
	}

	if _, err := l.client.RemovePermission(ctx, &sdk.RemovePermissionInput{FunctionName: aws.String("demo"), StatementId: aws.String("any-cis")}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.client.RemovePermission(ctx, &sdk.RemovePermissionInput{FunctionName: aws.String("demo"), StatementId: aws.String("s3invoke")}); err != nil {
		t.Fatal(err)
	}
	if l.c.Allows("demo", "s3.amazonaws.com", "arn:aws:s3:::cis-examples", account) {
		t.Error("S3 is allowed after its statements were removed")
	}
	_, err = l.client.GetPolicy(ctx, &sdk.GetPolicyInput{FunctionName: aws.String("demo")})
	wantAPIError(t, err, "ResourceNotFoundException", "The resource you requested does not exist.", 404)
}

// checkAllows evaluates the s3invoke statement for S3 and others.
func checkAllows(t *testing.T, l *lab) {
	t.Helper()
	cases := []struct {
		name                          string
		principal, source, sourceAcct string
		want                          bool
	}{
		{"S3 from the bucket", "s3.amazonaws.com", "arn:aws:s3:::cis-examples", account, true},
		{"S3 from another bucket", "s3.amazonaws.com", "arn:aws:s3:::other", account, false},
		{"another service", "sns.amazonaws.com", "arn:aws:s3:::cis-examples", account, false},
		{"no source", "s3.amazonaws.com", "", account, false},
	}
	for _, tc := range cases {
		if got := l.c.Allows(fnARN+"demo", tc.principal, tc.source, tc.sourceAcct); got != tc.want {
			t.Errorf("%s: Allows = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !l.c.Allows(fnARN+"demo:$LATEST", "s3.amazonaws.com", "arn:aws:s3:::cis-examples", account) {
		t.Error("Allows refuses the $LATEST ARN")
	}

}

func TestPermissionRefusalsChangeNothing(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	if _, err := l.client.AddPermission(ctx, s3Permission("s3invoke", "arn:aws:s3:::cis-examples")); err != nil {
		t.Fatal(err)
	}
	before := l.snapshot()
	tests := []struct {
		name    string
		call    func() error
		code    string
		message string
		status  int
	}{
		{"a statement id taken", func() error {
			_, err := l.client.AddPermission(ctx, s3Permission("s3invoke", "arn:aws:s3:::other"))
			return err
		}, "ResourceConflictException", "The statement id (s3invoke) provided already exists. Please provide a new statement id, or remove the existing statement.", 409},
		{"a bad statement id", func() error {
			_, err := l.client.AddPermission(ctx, s3Permission("example.com", "arn:aws:s3:::other"))
			return err
		}, "ValidationException", "1 validation error detected: Value 'example.com' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)", 400},
		{"a bad principal", func() error {
			p := s3Permission("x", "arn:aws:s3:::other")
			p.Principal = aws.String("s3")
			_, err := l.client.AddPermission(ctx, p)
			return err
		}, "InvalidParameterValueException", "The provided principal was invalid. Please check the principal and try again.", 400},
		{"$LATEST", func() error {
			p := s3Permission("x", "arn:aws:s3:::other")
			p.Qualifier = aws.String("$LATEST")
			_, err := l.client.AddPermission(ctx, p)
			return err
		}, "InvalidParameterValueException", "We currently do not support adding policies for $LATEST.", 400},
		{"a stale RevisionId", func() error {
			p := s3Permission("x", "arn:aws:s3:::other")
			p.RevisionId = aws.String("old")
			_, err := l.client.AddPermission(ctx, p)
			return err
		}, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id", 412},
		{"a function that does not exist", func() error {
			p := s3Permission("x", "arn:aws:s3:::other")
			p.FunctionName = aws.String("ghost")
			_, err := l.client.AddPermission(ctx, p)
			return err
		}, "ResourceNotFoundException", "Function not found: " + fnARN + "ghost", 404},
		{"removing a statement that is not there", func() error {
			_, err := l.client.RemovePermission(ctx, &sdk.RemovePermissionInput{FunctionName: aws.String("demo"), StatementId: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "Statement nope is not found in resource policy.", 404},
		{"removing from a function that does not exist", func() error {
			_, err := l.client.RemovePermission(ctx, &sdk.RemovePermissionInput{FunctionName: aws.String("ghost"), StatementId: aws.String("s3invoke")})
			return err
		}, "ResourceNotFoundException", "No policy found for: " + fnARN + "ghost", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantAPIError(t, tc.call(), tc.code, tc.message, tc.status)
			if after := l.snapshot(); after != before {
				t.Errorf("a refusal changed the lab:\n%s\n%s", before, after)
			}
		})
	}
	l.create("bare", "echo.handler")
	_, err := l.client.RemovePermission(ctx, &sdk.RemovePermissionInput{FunctionName: aws.String("bare"), StatementId: aws.String("s3invoke")})
	wantAPIError(t, err, "ResourceNotFoundException", "No policy is associated with the given resource.", 404)
}

func TestDeleteFunctionDeletesItsPolicy(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	if _, err := l.client.AddPermission(ctx, s3Permission("s3invoke", "arn:aws:s3:::cis-examples")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.client.DeleteFunction(ctx, &sdk.DeleteFunctionInput{FunctionName: aws.String("demo")}); err != nil {
		t.Fatal(err)
	}
	l.create("demo", "echo.handler")
	if l.c.Allows("demo", "s3.amazonaws.com", "arn:aws:s3:::cis-examples", account) {
		t.Error("a function created again under the same name kept the old policy")
	}
}
