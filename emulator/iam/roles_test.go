package iam_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestRoleLifecycle follows a role through the SDK: created with its trust
// policy, given the exercise's inline policy, read back, refused deletion
// while it has a policy, then deleted.
func TestRoleLifecycle(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	out, err := ts.client.CreateRole(ctx, &iamsdk.CreateRoleInput{
		RoleName: aws.String("cis-exercise-demo-role"), AssumeRolePolicyDocument: aws.String(lambdaTrust),
		Description: aws.String("the exercise's role"), Tags: []types.Tag{{Key: aws.String("course"), Value: aws.String("cis")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if got, want := aws.ToString(r.Arn), "arn:aws:iam::000000000000:role/cis-exercise-demo-role"; got != want {
		t.Errorf("Arn %s, want %s", got, want)
	}
	if !regexp.MustCompile(`^AROA[0-9A-Z]{17}$`).MatchString(aws.ToString(r.RoleId)) {
		t.Errorf("RoleId %s is not AROA and 17 characters", aws.ToString(r.RoleId))
	}
	if aws.ToString(r.Path) != "/" || !r.CreateDate.Equal(epoch) || aws.ToInt32(r.MaxSessionDuration) != 3600 {
		t.Errorf("Path %q CreateDate %v MaxSessionDuration %d, want / %v 3600", aws.ToString(r.Path), r.CreateDate, aws.ToInt32(r.MaxSessionDuration), epoch)
	}
	if got := decode(t, r.AssumeRolePolicyDocument); got != lambdaTrust {
		t.Errorf("trust policy came back as\n%s", got)
	}

	// Names ignore case, as IAM's do.
	got, err := ts.client.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("CIS-EXERCISE-DEMO-ROLE")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Role.RoleId) != aws.ToString(r.RoleId) || aws.ToString(got.Role.Description) != "the exercise's role" ||
		len(got.Role.Tags) != 1 || aws.ToString(got.Role.Tags[0].Value) != "cis" {
		t.Errorf("GetRole = %+v", got.Role)
	}

	if _, err := ts.client.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("cis-exercise-demo-role"),
		PolicyName: aws.String("cis-exercise-demo-policy"), PolicyDocument: aws.String(exercisePolicy)}); err != nil {
		t.Fatal(err)
	}
	gp, err := ts.client.GetRolePolicy(ctx, &iamsdk.GetRolePolicyInput{RoleName: aws.String("cis-exercise-demo-role"), PolicyName: aws.String("cis-exercise-demo-policy")})
	if err != nil {
		t.Fatal(err)
	}
	if decode(t, gp.PolicyDocument) != exercisePolicy || aws.ToString(gp.RoleName) != "cis-exercise-demo-role" {
		t.Errorf("GetRolePolicy = %s %s", aws.ToString(gp.RoleName), decode(t, gp.PolicyDocument))
	}
	lp, err := ts.client.ListRolePolicies(ctx, &iamsdk.ListRolePoliciesInput{RoleName: aws.String("cis-exercise-demo-role")})
	if err != nil || !slices.Equal(lp.PolicyNames, []string{"cis-exercise-demo-policy"}) {
		t.Errorf("ListRolePolicies = %v, %v", lp, err)
	}

	_, err = ts.client.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("cis-exercise-demo-role")})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	if _, err := ts.client.DeleteRolePolicy(ctx, &iamsdk.DeleteRolePolicyInput{RoleName: aws.String("cis-exercise-demo-role"), PolicyName: aws.String("cis-exercise-demo-policy")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.client.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("cis-exercise-demo-role")}); err != nil {
		t.Fatal(err)
	}
	_, err = ts.client.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("cis-exercise-demo-role")})
	wantAPIError(t, err, "NoSuchEntity", 404, "The role with name cis-exercise-demo-role cannot be found.")
}

// TestRolePaths checks paths in ARNs and ListRoles' PathPrefix, and that
// UpdateAssumeRolePolicy replaces the trust policy.
func TestRolePaths(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	for _, in := range []struct{ name, path string }{{"b-role", "/service-role/"}, {"a-role", ""}, {"c-role", "/service-role/lambda/"}} {
		_, err := ts.client.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(in.name), Path: aws.String(in.path), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
		if err != nil {
			t.Fatal(err)
		}
		ts.clock.Advance(time.Minute)
	}
	all, err := ts.client.ListRoles(ctx, &iamsdk.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, r := range all.Roles {
		arns = append(arns, aws.ToString(r.Arn))
	}
	want := []string{"arn:aws:iam::000000000000:role/a-role", "arn:aws:iam::000000000000:role/service-role/b-role", "arn:aws:iam::000000000000:role/service-role/lambda/c-role"}
	if !slices.Equal(arns, want) {
		t.Errorf("ListRoles = %v, want %v", arns, want)
	}
	some, err := ts.client.ListRoles(ctx, &iamsdk.ListRolesInput{PathPrefix: aws.String("/service-role/lambda")})
	if err != nil || len(some.Roles) != 1 || aws.ToString(some.Roles[0].RoleName) != "c-role" {
		t.Errorf("ListRoles(/service-role/lambda) = %v, %v", some, err)
	}

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	if _, err := ts.client.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String("a-role"), PolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	got, err := ts.client.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("a-role")})
	if err != nil || decode(t, got.Role.AssumeRolePolicyDocument) != trust {
		t.Errorf("trust policy after UpdateAssumeRolePolicy: %v %v", got, err)
	}
	tp, err := ts.svc.Trust("a-role")
	if err != nil || !tp.Trusts("AWS", "arn:aws:iam::000000000000:root", "sts:AssumeRole") || tp.Trusts("Service", "lambda.amazonaws.com", "sts:AssumeRole") {
		t.Errorf("the new trust policy does not trust the root alone: %+v %v", tp, err)
	}
}

// TestPagination pages ListRoles two at a time with the SDK's paginator.
func TestPagination(t *testing.T) {
	ts := newTestServer(t)
	for i := range 5 {
		ts.createRole(t, "role-"+string(rune('a'+i)))
	}
	first, err := ts.client.ListRoles(context.Background(), &iamsdk.ListRolesInput{MaxItems: aws.Int32(2)})
	if err != nil || !first.IsTruncated || first.Marker == nil || len(first.Roles) != 2 {
		t.Fatalf("first page: %+v %v", first, err)
	}
	var names []string
	pages := iamsdk.NewListRolesPaginator(ts.client, &iamsdk.ListRolesInput{MaxItems: aws.Int32(2)})
	n := 0
	for pages.HasMorePages() {
		out, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n++
		for _, r := range out.Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
	}
	if n != 3 || strings.Join(names, ",") != "role-a,role-b,role-c,role-d,role-e" {
		t.Errorf("%d pages of %v", n, names)
	}
	_, err = ts.client.ListRoles(context.Background(), &iamsdk.ListRolesInput{Marker: aws.String("not-a-marker")})
	wantAPIError(t, err, "InvalidInput", 400, "Invalid Marker: not-a-marker")
}
