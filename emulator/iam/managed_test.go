package iam_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func policyDoc(action string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"%s","Resource":"*"}]}`, action)
}

// versionIDs lists a policy's versions as ListPolicyVersions gives them,
// "*" marking the default.
func versionIDs(t *testing.T, ts *testServer, arn *string) []string {
	t.Helper()
	out, err := ts.client.ListPolicyVersions(context.Background(), &iamsdk.ListPolicyVersionsInput{PolicyArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range out.Versions {
		id := aws.ToString(v.VersionId)
		if v.IsDefaultVersion {
			id += "*"
		}
		if v.Document != nil {
			t.Errorf("ListPolicyVersions gave %s's document", id)
		}
		ids = append(ids, id)
	}
	return ids
}

// TestPolicyVersions walks a customer managed policy through the console's
// "Edit policy / Save changes": versions up to five, the limit, the
// default version's rules, and deletion.
func TestPolicyVersions(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	c := ts.client
	created, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("LambdaS3Policy"), Path: aws.String("/lab/"),
		PolicyDocument: aws.String(exercisePolicy), Description: aws.String("the exercise's permissions")})
	if err != nil {
		t.Fatal(err)
	}
	arn := created.Policy.Arn
	if aws.ToString(arn) != "arn:aws:iam::000000000000:policy/lab/LambdaS3Policy" || aws.ToString(created.Policy.DefaultVersionId) != "v1" ||
		!created.Policy.IsAttachable || aws.ToInt32(created.Policy.AttachmentCount) != 0 || !created.Policy.CreateDate.Equal(epoch) {
		t.Errorf("CreatePolicy = %+v", created.Policy)
	}
	for i := 2; i <= 5; i++ {
		ts.clock.Advance(time.Hour)
		v, err := c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(policyDoc(fmt.Sprintf("s3:Get%d", i))), SetAsDefault: i == 3})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(v.PolicyVersion.VersionId); got != fmt.Sprintf("v%d", i) || v.PolicyVersion.IsDefaultVersion != (i == 3) || v.PolicyVersion.Document != nil {
			t.Errorf("CreatePolicyVersion %d = %s default=%v document=%v", i, got, v.PolicyVersion.IsDefaultVersion, v.PolicyVersion.Document)
		}
	}
	if got := versionIDs(t, ts, arn); !slices.Equal(got, []string{"v5", "v4", "v3*", "v2", "v1"}) {
		t.Errorf("versions %v", got)
	}
	before := ts.snapshotJSON(t)
	_, err = c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(policyDoc("s3:Get6"))})
	wantAPIError(t, err, "LimitExceeded", 409, "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	_, err = c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v3")})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete the default version of a policy.")
	_, err = c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: arn})
	wantAPIError(t, err, "DeleteConflict", 409, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	if ts.snapshotJSON(t) != before {
		t.Error("a refused change changed the state")
	}

	got, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: arn})
	if err != nil || aws.ToString(got.Policy.DefaultVersionId) != "v3" || !got.Policy.UpdateDate.Equal(epoch.Add(2*time.Hour)) ||
		aws.ToString(got.Policy.Description) != "the exercise's permissions" {
		t.Errorf("GetPolicy = %+v, %v", got.Policy, err)
	}
	v1, err := c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")})
	if err != nil || decode(t, v1.PolicyVersion.Document) != exercisePolicy || v1.PolicyVersion.IsDefaultVersion {
		t.Errorf("GetPolicyVersion v1 = %+v, %v", v1.PolicyVersion, err)
	}

	// Version numbers are never reused: after deleting v2, the next is v6.
	if _, err := c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v2")}); err != nil {
		t.Fatal(err)
	}
	v6, err := c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(policyDoc("s3:Get6")), SetAsDefault: true})
	if err != nil || aws.ToString(v6.PolicyVersion.VersionId) != "v6" {
		t.Fatalf("CreatePolicyVersion after a delete = %+v, %v", v6, err)
	}
	if _, err := c.SetDefaultPolicyVersion(ctx, &iamsdk.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	if got := versionIDs(t, ts, arn); !slices.Equal(got, []string{"v6", "v5", "v4", "v3", "v1*"}) {
		t.Errorf("versions %v", got)
	}
	_, err = c.SetDefaultPolicyVersion(ctx, &iamsdk.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v2")})
	wantAPIError(t, err, "NoSuchEntity", 404, "Policy "+aws.ToString(arn)+" version v2 does not exist or is not attachable.")

	// Attached, the policy cannot be deleted even with one version left.
	ts.createRole(t, "r")
	if _, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"v3", "v4", "v5", "v6"} {
		if _, err := c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: arn})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete a policy attached to entities.")
	_, err = c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("r")})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
	if _, err := c.DetachRolePolicy(ctx, &iamsdk.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: arn})
	wantAPIError(t, err, "NoSuchEntity", 404, "Policy "+aws.ToString(arn)+" was not found.")
}

const (
	basicExecution = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	s3ReadOnly     = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
	s3FullAccess   = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
)

// TestAWSManagedPolicies checks that the AWS managed policies are described
// as AWS describes them.
func TestAWSManagedPolicies(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	c := ts.client
	want := map[string]struct{ id, version, path, created string }{
		basicExecution: {"ANPAJNCQGXC42545SKXIK", "v1", "/service-role/", "2015-04-09T15:03:43Z"},
		s3ReadOnly:     {"ANPAIZTJ4DXE7G6AGAE6M", "v3", "/", "2015-02-06T18:40:59Z"},
		s3FullAccess:   {"ANPAIFIR6V6BVTRAHWINE", "v2", "/", "2015-02-06T18:40:58Z"},
	}
	for arn, w := range want {
		got, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		p := got.Policy
		if aws.ToString(p.PolicyId) != w.id || aws.ToString(p.DefaultVersionId) != w.version || aws.ToString(p.Path) != w.path ||
			p.CreateDate.Format(time.RFC3339) != w.created || !p.IsAttachable {
			t.Errorf("GetPolicy %s = %+v", arn, p)
		}
		v, err := c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: p.DefaultVersionId})
		if err != nil || !v.PolicyVersion.IsDefaultVersion {
			t.Fatalf("GetPolicyVersion %s: %+v %v", arn, v, err)
		}
		t.Logf("%s:\n%s", arn, decode(t, v.PolicyVersion.Document))
	}
}

// TestAttachAWSManaged attaches AWS managed policies to a role and lists
// policies by scope, attachment and path.
func TestAttachAWSManaged(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	c := ts.client
	ts.createRole(t, "r")
	for _, arn := range []string{basicExecution, s3ReadOnly, basicExecution} { // attaching twice changes nothing
		if _, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	att, err := c.ListAttachedRolePolicies(ctx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: aws.String("r")})
	if err != nil {
		t.Fatal(err)
	}
	wantAttached := []types.AttachedPolicy{{PolicyName: aws.String("AWSLambdaBasicExecutionRole"), PolicyArn: aws.String(basicExecution)},
		{PolicyName: aws.String("AmazonS3ReadOnlyAccess"), PolicyArn: aws.String(s3ReadOnly)}}
	if !slices.EqualFunc(att.AttachedPolicies, wantAttached, func(a, b types.AttachedPolicy) bool {
		return aws.ToString(a.PolicyArn) == aws.ToString(b.PolicyArn) && aws.ToString(a.PolicyName) == aws.ToString(b.PolicyName)
	}) {
		t.Errorf("ListAttachedRolePolicies = %+v", att.AttachedPolicies)
	}
	onlySR, err := c.ListAttachedRolePolicies(ctx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: aws.String("r"), PathPrefix: aws.String("/service-role/")})
	if err != nil || len(onlySR.AttachedPolicies) != 1 {
		t.Errorf("ListAttachedRolePolicies(/service-role/) = %+v, %v", onlySR, err)
	}

	if _, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("mine"), PolicyDocument: aws.String(exercisePolicy)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   iamsdk.ListPoliciesInput
		want []string
	}{
		{iamsdk.ListPoliciesInput{}, []string{"AWSLambdaBasicExecutionRole/1", "AmazonS3FullAccess/0", "AmazonS3ReadOnlyAccess/1", "mine/0"}},
		{iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeAws}, []string{"AWSLambdaBasicExecutionRole/1", "AmazonS3FullAccess/0", "AmazonS3ReadOnlyAccess/1"}},
		{iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}, []string{"mine/0"}},
		{iamsdk.ListPoliciesInput{OnlyAttached: true}, []string{"AWSLambdaBasicExecutionRole/1", "AmazonS3ReadOnlyAccess/1"}},
		{iamsdk.ListPoliciesInput{PathPrefix: aws.String("/service-role/")}, []string{"AWSLambdaBasicExecutionRole/1"}},
	} {
		out, err := c.ListPolicies(ctx, &tc.in)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range out.Policies {
			got = append(got, fmt.Sprintf("%s/%d", aws.ToString(p.PolicyName), aws.ToInt32(p.AttachmentCount)))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ListPolicies(scope %q, attached %v, path %q) = %v, want %v", tc.in.Scope, tc.in.OnlyAttached, aws.ToString(tc.in.PathPrefix), got, tc.want)
		}
	}
	if _, err := c.DetachRolePolicy(ctx, &iamsdk.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(basicExecution)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DetachRolePolicy(ctx, &iamsdk.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(basicExecution)})
	wantAPIError(t, err, "NoSuchEntity", 404, "Policy "+basicExecution+" was not found.")
}

// TestAWSManagedReadOnly: AWS managed policies cannot be changed.
func TestAWSManagedReadOnly(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	c := ts.client
	before := ts.snapshotJSON(t)
	for _, tc := range []struct {
		name string
		call func() error
		msg  string
	}{
		{"CreatePolicyVersion", func() error {
			_, err := c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: aws.String(s3FullAccess), PolicyDocument: aws.String(policyDoc("s3:*"))})
			return err
		}, "Cannot create versions for policies outside your own account."},
		{"DeletePolicy", func() error {
			_, err := c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: aws.String(s3FullAccess)})
			return err
		}, "Cannot delete policies outside your own account."},
		{"SetDefaultPolicyVersion", func() error {
			_, err := c.SetDefaultPolicyVersion(ctx, &iamsdk.SetDefaultPolicyVersionInput{PolicyArn: aws.String(s3ReadOnly), VersionId: aws.String("v3")})
			return err
		}, "Cannot update policies outside your own account."},
		{"DeletePolicyVersion", func() error {
			_, err := c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: aws.String(s3ReadOnly), VersionId: aws.String("v3")})
			return err
		}, "Cannot delete policy versions for policies outside your own account."},
	} {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), "AccessDenied", 403, tc.msg) })
	}
	if ts.snapshotJSON(t) != before {
		t.Error("changing an AWS managed policy changed the state")
	}
	for _, arn := range []string{basicExecution, s3ReadOnly, s3FullAccess} {
		if p, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(arn)}); err != nil || p.Policy.UpdateDate.Year() > 2023 {
			t.Errorf("%s after the attempts: %+v, %v", arn, p, err)
		}
	}
}

// TestAttachLimit: a role takes ten managed policies, not eleven.
func TestAttachLimit(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	ts.createRole(t, "r")
	for i := range 11 {
		p, err := ts.client.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%d", i)), PolicyDocument: aws.String(exercisePolicy)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = ts.client.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: p.Policy.Arn})
		if i < 10 && err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			wantAPIError(t, err, "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerRole: 10")
		}
	}
}
