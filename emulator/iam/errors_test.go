package iam_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestErrors sends bad requests through the SDK: each gets IAM's code,
// message and status, and nothing changes.
func TestErrors(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	c := ts.client
	ts.createRole(t, "r")
	if _, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(exercisePolicy)}); err != nil {
		t.Fatal(err)
	}
	cp, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("cp"), PolicyDocument: aws.String(exercisePolicy)})
	if err != nil {
		t.Fatal(err)
	}
	cpArn := cp.Policy.Arn
	long := strings.Repeat("a", 65)
	noPrincipal := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`
	cases := []struct {
		name    string
		call    func() error
		code    string
		status  int
		message string
	}{
		{"role exists", func() error {
			_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("R"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
			return err
		}, "EntityAlreadyExists", 409, "Role with name R already exists."},
		{"XML-unsafe role name", func() error {
			_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(`<b>&"x"`), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
			return err
		}, "ValidationError", 400, `1 validation error detected: Value '<b>&"x"' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"role name too long", func() error {
			_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(long), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
			return err
		}, "ValidationError", 400, "1 validation error detected: Value '" + long + "' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"two violations", func() error {
			_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("a b"), Path: aws.String("nopath"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
			return err
		}, "ValidationError", 400, `2 validation errors detected: Value 'a b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; Value 'nopath' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`},
		{"trust policy without a Principal", func() error {
			_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("t"), AssumeRolePolicyDocument: aws.String(noPrincipal)})
			return err
		}, "MalformedPolicyDocument", 400, "statement 1: Missing required field Principal (line 1, column 38)"},
		{"trust policy with a Resource", func() error {
			_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("t"), AssumeRolePolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`)})
			return err
		}, "MalformedPolicyDocument", 400, "statement 1: Has prohibited field Resource (line 1, column 106)"},
		{"trust policy with a non-STS action", func() error {
			_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("t"), AssumeRolePolicyDocument: aws.String(`{"Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"s3:GetObject"}}`)})
			return err
		}, "MalformedPolicyDocument", 400, "statement 1: AssumeRole policy may only specify STS AssumeRole actions. (line 1, column 79)"},
		{"trust policy with a bad service", func() error {
			_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("t"), AssumeRolePolicyDocument: aws.String(`{"Statement":{"Effect":"Allow","Principal":{"Service":"lambda"},"Action":"sts:AssumeRole"}}`)})
			return err
		}, "MalformedPolicyDocument", 400, `statement 1: Invalid principal in policy: "SERVICE":"lambda" (line 1, column 32)`},
		{"role policy that does not parse", func() error {
			_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String("{\n  \"Statement\": [ oops ]\n}")})
			return err
		}, "MalformedPolicyDocument", 400, "Syntax errors in policy: invalid character 'o' looking for beginning of value (line 2, column 18)"},
		{"role policy with a Principal", func() error {
			_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`)})
			return err
		}, "MalformedPolicyDocument", 400, "statement 1: Policy document should not specify a principal (an execution role's policy is identity-based) (line 1, column 32)"},
		{"role policy beyond Latin-1", func() error {
			_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/☃"}}`)})
			return err
		}, "ValidationError", 400, `1 validation error detected: Value '{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/☃"}}' at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`},
		{"role policy too big", func() error {
			_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("big"), PolicyDocument: aws.String(bigPolicy(10240 - len(exercisePolicy) + 1))})
			return err
		}, "LimitExceeded", 409, "Maximum policy size of 10240 bytes exceeded for role r"},
		{"role policy for no role", func() error {
			_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("ghost"), PolicyName: aws.String("p"), PolicyDocument: aws.String(exercisePolicy)})
			return err
		}, "NoSuchEntity", 404, "The role with name ghost cannot be found."},
		{"missing role policy", func() error {
			_, err := c.GetRolePolicy(ctx, &iamsdk.GetRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("nope")})
			return err
		}, "NoSuchEntity", 404, "The role policy with name nope cannot be found."},
		{"delete missing role policy", func() error {
			_, err := c.DeleteRolePolicy(ctx, &iamsdk.DeleteRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("nope")})
			return err
		}, "NoSuchEntity", 404, "The role policy with name nope cannot be found."},
		{"update trust of no role", func() error {
			_, err := c.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String("ghost"), PolicyDocument: aws.String(lambdaTrust)})
			return err
		}, "NoSuchEntity", 404, "The role with name ghost cannot be found."},
		{"update trust without a Principal", func() error {
			_, err := c.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(noPrincipal)})
			return err
		}, "MalformedPolicyDocument", 400, "statement 1: Missing required field Principal (line 1, column 38)"},
		{"policy exists", func() error {
			_, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("CP"), PolicyDocument: aws.String(exercisePolicy)})
			return err
		}, "EntityAlreadyExists", 409, "A policy called CP already exists. Duplicate names are not allowed."},
		{"managed policy too big", func() error {
			_, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("big"), PolicyDocument: aws.String(bigPolicy(6145))})
			return err
		}, "LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144"},
		{"no such policy", func() error {
			_, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::000000000000:policy/ghost")})
			return err
		}, "NoSuchEntity", 404, "Policy arn:aws:iam::000000000000:policy/ghost was not found."},
		{"not an ARN", func() error {
			_, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String("this-is-not-an-arn-at-all")})
			return err
		}, "InvalidInput", 400, "ARN this-is-not-an-arn-at-all is not valid."},
		{"attach what does not exist", func() error {
			_, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSLambdaExecute")})
			return err
		}, "NoSuchEntity", 404, "Policy arn:aws:iam::aws:policy/AWSLambdaExecute does not exist or is not attachable."},
		{"attach to no role", func() error {
			_, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("ghost"), PolicyArn: cpArn})
			return err
		}, "NoSuchEntity", 404, "The role with name ghost cannot be found."},
		{"detach what is not attached", func() error {
			_, err := c.DetachRolePolicy(ctx, &iamsdk.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: cpArn})
			return err
		}, "NoSuchEntity", 404, "Policy " + aws.ToString(cpArn) + " was not found."},
		{"version that does not exist", func() error {
			_, err := c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: cpArn, VersionId: aws.String("v9")})
			return err
		}, "NoSuchEntity", 404, "Policy " + aws.ToString(cpArn) + " version v9 does not exist or is not attachable."},
		{"bad version id", func() error {
			_, err := c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: cpArn, VersionId: aws.String("1")})
			return err
		}, "ValidationError", 400, `1 validation error detected: Value '1' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`},
		{"bad scope", func() error {
			_, err := c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{Scope: "Everything"})
			return err
		}, "ValidationError", 400, "1 validation error detected: Value 'Everything' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]"},
		{"simulate a user", func() error {
			_, err := c.SimulatePrincipalPolicy(ctx, &iamsdk.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::000000000000:user/alice"), ActionNames: []string{"s3:GetObject"}})
			return err
		}, "InvalidInput", 400, "Invalid ARN for PolicySourceArn: arn:aws:iam::000000000000:user/alice (lambdalab simulates the roles of account 000000000000: arn:aws:iam::000000000000:role/NAME)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := ts.snapshotJSON(t)
			wantAPIError(t, tc.call(), tc.code, tc.status, tc.message)
			if after := ts.snapshotJSON(t); after != before {
				t.Errorf("state changed:\nbefore %s\n after %s", before, after)
			}
		})
	}
}

// bigPolicy is a valid policy of n characters without white space.
func bigPolicy(n int) string {
	head, tail := `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`, `"}}`
	return head + strings.Repeat("b", n-len(head)-len(tail)) + tail
}

// TestQueryProtocol checks what the SDK cannot send: an unknown Action, a
// missing or wrong Version, and the shape of IAM's XML.
func TestQueryProtocol(t *testing.T) {
	ts := newTestServer(t)
	cases := []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"unknown action", url.Values{"Action": {"CreateUser"}, "Version": {"2010-05-08"}}, 400,
			[]string{`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation CreateUser for version 2010-05-08</Message></Error><RequestId>`}},
		{"no version", url.Values{"Action": {"ListRoles"}}, 400,
			[]string{`<Message>Could not find operation ListRoles for version NO_VERSION_SPECIFIED</Message>`}},
		{"STS version", url.Values{"Action": {"ListRoles"}, "Version": {"2011-06-15"}}, 400,
			[]string{`<Message>Could not find operation ListRoles for version 2011-06-15</Message>`}},
		{"XML-unsafe name is escaped", url.Values{"Action": {"GetRole"}, "Version": {"2010-05-08"}, "RoleName": {"<x>&"}}, 400,
			[]string{`Value &#39;&lt;x&gt;&amp;&#39; at &#39;roleName&#39;`}},
		{"bad boolean", url.Values{"Action": {"ListPolicies"}, "Version": {"2010-05-08"}, "OnlyAttached": {"yes"}}, 400,
			[]string{`<Code>ValidationError</Code><Message>1 validation error detected: Value &#39;yes&#39; at &#39;onlyAttached&#39; failed to satisfy constraint: Member must be true or false</Message>`}},
		{"missing trust policy", url.Values{"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {"r"}}, 400,
			[]string{`<Code>ValidationError</Code><Message>1 validation error detected: Value null at &#39;assumeRolePolicyDocument&#39; failed to satisfy constraint: Member must not be null</Message>`}},
		{"simulate no actions", url.Values{"Action": {"SimulatePrincipalPolicy"}, "Version": {"2010-05-08"}, "PolicySourceArn": {"arn:aws:iam::000000000000:role/r"}}, 400,
			[]string{`<Message>1 validation error detected: Value null at &#39;actionNames&#39; failed to satisfy constraint: Member must not be null</Message>`}},
		{"empty list", url.Values{"Action": {"ListRoles"}, "Version": {"2010-05-08"}}, 200,
			[]string{`<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult><Roles></Roles><IsTruncated>false</IsTruncated></ListRolesResult><ResponseMetadata><RequestId>`}},
		{"answer without a result", url.Values{"Action": {"DeleteRole"}, "Version": {"2010-05-08"}, "RoleName": {"ghost"}}, 404,
			[]string{`<Code>NoSuchEntity</Code><Message>The role with name ghost cannot be found.</Message>`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postForm(t, ts.url, tc.form)
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("answer lacks %s:\n%s", w, body)
				}
			}
		})
	}
	ts.createRole(t, "r")
	status, body := postForm(t, ts.url, url.Values{"Action": {"DeleteRole"}, "Version": {"2010-05-08"}, "RoleName": {"r"}})
	if status != 200 || !strings.Contains(body, `<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>`) {
		t.Errorf("DeleteRole answered %d:\n%s", status, body)
	}
}
