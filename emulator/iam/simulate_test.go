package iam_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const noSecrets = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "NoSecrets",
      "Effect": "Deny",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::cis-examples/secret/*"
    }
  ]
}`

// inExercise is where the exercise policy's statement that starts with
// text is written (one line: columns from a plain search).
func inExercise(t *testing.T, text string) string {
	t.Helper()
	i := strings.Index(exercisePolicy, text)
	if i < 0 {
		t.Fatalf("%s is not in the exercise policy", text)
	}
	end := i + strings.Index(exercisePolicy[i:], "}") + 1
	return fmt.Sprintf("exercise/role@1:%d-1:%d", i+1, end+1)
}

// matched sums up an evaluation: the decision and each statement that
// decided, as policy/type@start-end.
func matched(r types.EvaluationResult) string {
	var parts []string
	for _, m := range r.MatchedStatements {
		parts = append(parts, fmt.Sprintf("%s/%s@%d:%d-%d:%d", aws.ToString(m.SourcePolicyId), m.SourcePolicyType,
			m.StartPosition.Line, m.StartPosition.Column, m.EndPosition.Line, m.EndPosition.Column))
	}
	return string(r.EvalDecision) + " " + strings.Join(parts, " ")
}

// TestSimulatePrincipalPolicy simulates a role whose permissions come from
// an inline policy, an AWS managed policy and a customer managed policy:
// an explicit Deny anywhere wins, else an Allow anywhere, else implicit
// deny; the default version of a managed policy is the one that counts.
func TestSimulatePrincipalPolicy(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	c := ts.client
	ts.createRole(t, "r")
	if _, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("exercise"), PolicyDocument: aws.String(exercisePolicy)}); err != nil {
		t.Fatal(err)
	}
	deny, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("NoSecrets"), PolicyDocument: aws.String(noSecrets)})
	if err != nil {
		t.Fatal(err)
	}
	for _, arn := range []*string{aws.String(s3ReadOnly), deny.Policy.Arn} {
		if _, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: arn}); err != nil {
			t.Fatal(err)
		}
	}
	simulate := func(action, resource string, inputs ...string) string {
		t.Helper()
		out, err := c.SimulatePrincipalPolicy(ctx, &iamsdk.SimulatePrincipalPolicyInput{
			PolicySourceArn: aws.String("arn:aws:iam::000000000000:role/r"), ActionNames: []string{action}, ResourceArns: []string{resource}, PolicyInputList: inputs})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.EvaluationResults) != 1 || aws.ToString(out.EvaluationResults[0].EvalActionName) != action || aws.ToString(out.EvaluationResults[0].EvalResourceName) != resource {
			t.Fatalf("results %+v", out.EvaluationResults)
		}
		return matched(out.EvaluationResults[0])
	}
	readOnly := "AmazonS3ReadOnlyAccess/aws-managed@4:5-14:6"
	cases := []struct{ name, action, resource, want string }{
		{"inline and AWS managed allow", "s3:GetObject", "arn:aws:s3:::cis-examples/cat.png",
			"allowed " + inExercise(t, `{"Effect":"Allow","Action":["s3:GetObject"]`) + " " + readOnly},
		{"customer managed deny wins", "s3:GetObject", "arn:aws:s3:::cis-examples/secret/key.png",
			"explicitDeny NoSecrets/user-managed@4:5-9:6"},
		{"inline allow only", "s3:PutObject", "arn:aws:s3:::cis-examples-output/cat.png",
			"allowed " + inExercise(t, `{"Effect":"Allow","Action":["s3:PutObject"]`)},
		{"logs", "logs:PutLogEvents", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:log-stream:s",
			"allowed " + inExercise(t, `{"Effect":"Allow","Action":["logs:PutLogEvents"`)},
		{"AWS managed allow only", "s3:ListBucket", "arn:aws:s3:::cis-examples", "allowed " + readOnly},
		{"nothing allows", "s3:PutObject", "arn:aws:s3:::cis-examples/cat.png", "implicitDeny "},
		{"nothing allows deletes", "s3:DeleteObject", "arn:aws:s3:::cis-examples-output/cat.png", "implicitDeny "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := simulate(tc.action, tc.resource); got != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}

	inputDeny := `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`
	if got, want := simulate("s3:PutObject", "arn:aws:s3:::cis-examples-output/cat.png", inputDeny), "explicitDeny PolicyInputList.1/none@1:14-1:62"; got != want {
		t.Errorf("with an input Deny:\n got %s\nwant %s", got, want)
	}

	// A new default version without the Deny lets the secret through.
	if _, err := c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: deny.Policy.Arn, PolicyDocument: aws.String(policyDoc("sqs:SendMessage")), SetAsDefault: true}); err != nil {
		t.Fatal(err)
	}
	if got := simulate("s3:GetObject", "arn:aws:s3:::cis-examples/secret/key.png"); !strings.HasPrefix(got, "allowed ") {
		t.Errorf("after the new default version: %s", got)
	}
	if _, err := c.DetachRolePolicy(ctx, &iamsdk.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(s3ReadOnly)}); err != nil {
		t.Fatal(err)
	}
	if got := simulate("s3:ListBucket", "arn:aws:s3:::cis-examples"); got != "implicitDeny " {
		t.Errorf("after detaching AmazonS3ReadOnlyAccess: %s", got)
	}

	// Several actions and resources give one result each, in order; no
	// resource means "*".
	out, err := c.SimulatePrincipalPolicy(ctx, &iamsdk.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::000000000000:role/r"),
		ActionNames: []string{"s3:GetObject", "s3:PutObject"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.EvaluationResults {
		got = append(got, aws.ToString(r.EvalActionName)+" "+aws.ToString(r.EvalResourceName)+" "+string(r.EvalDecision))
	}
	if strings.Join(got, "; ") != "s3:GetObject * implicitDeny; s3:PutObject * implicitDeny" {
		t.Errorf("results %v", got)
	}
}

// TestPermissions checks the Go API the lab evaluates S3 calls with.
func TestPermissions(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	ts.createRole(t, "r")
	if _, err := ts.client.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("exercise"), PolicyDocument: aws.String(exercisePolicy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.client.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(s3FullAccess)}); err != nil {
		t.Fatal(err)
	}
	d, err := ts.svc.Evaluate("r", "s3:DeleteObject", "arn:aws:s3:::cis-examples/cat.png")
	if err != nil || !d.Allowed || d.Policy != "AmazonS3FullAccess" || d.Reason() != "allowed by statement 1 of policy AmazonS3FullAccess" {
		t.Errorf("Evaluate = %+v (%s), %v", d, d.Reason(), err)
	}
	ps, err := ts.svc.Permissions("r")
	if err != nil || len(ps) != 2 || ps[0].Name != "exercise" || ps[1].Arn != s3FullAccess || ps[1].VersionId != "v2" {
		t.Errorf("Permissions = %+v, %v", ps, err)
	}
	if _, err := ts.svc.Evaluate("ghost", "s3:GetObject", "*"); err == nil {
		t.Error("Evaluate of no role succeeded")
	}
}
