package iam_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/lambdalab/lambdalab/emulator/iam"
)

// TestChangeHook: every change reaches the hook once, in order, naming the
// roles whose permissions it may alter; refused requests reach it not at
// all; the hook may read the Service.
func TestChangeHook(t *testing.T) {
	var mu sync.Mutex
	var got []string
	var ts *testServer
	ts = newTestServer(t, iam.WithChangeHook(func(c iam.Change) {
		// Reading from inside the hook must not deadlock, and must see the change made.
		var seen string
		for _, r := range c.Roles {
			if ps, err := ts.svc.Permissions(r); err == nil {
				seen += fmt.Sprintf("[%d]", len(ps))
			}
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fmt.Sprintf("%s %s %s%s", c.Action, strings.Join(c.Roles, ","), c.PolicyName+c.PolicyArn, seen))
	}))
	ctx := context.Background()
	c := ts.client
	steps := []func() error{
		func() error { ts.createRole(t, "a"); return nil },
		func() error { ts.createRole(t, "b"); return nil },
		func() error {
			_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("a"), PolicyName: aws.String("p"), PolicyDocument: aws.String(exercisePolicy)})
			return err
		},
		func() error {
			_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("a"), PolicyName: aws.String("p"), PolicyDocument: aws.String("not json")})
			if err == nil {
				return fmt.Errorf("a policy that is not JSON was accepted")
			}
			return nil
		},
		func() error {
			_, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("m"), PolicyDocument: aws.String(exercisePolicy)})
			return err
		},
		func() error {
			_, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("a"), PolicyArn: aws.String("arn:aws:iam::000000000000:policy/m")})
			return err
		},
		func() error {
			_, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("b"), PolicyArn: aws.String("arn:aws:iam::000000000000:policy/m")})
			return err
		},
		func() error {
			_, err := c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::000000000000:policy/m"), PolicyDocument: aws.String(policyDoc("s3:*"))})
			return err
		},
		func() error {
			_, err := c.SetDefaultPolicyVersion(ctx, &iamsdk.SetDefaultPolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::000000000000:policy/m"), VersionId: aws.String("v2")})
			return err
		},
		func() error {
			_, err := c.DetachRolePolicy(ctx, &iamsdk.DetachRolePolicyInput{RoleName: aws.String("b"), PolicyArn: aws.String("arn:aws:iam::000000000000:policy/m")})
			return err
		},
		func() error {
			_, err := c.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String("b"), PolicyDocument: aws.String(lambdaTrust)})
			return err
		},
		func() error {
			_, err := c.DeleteRolePolicy(ctx, &iamsdk.DeleteRolePolicyInput{RoleName: aws.String("a"), PolicyName: aws.String("p")})
			return err
		},
		func() error {
			_, err := c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("b")})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := []string{
		"CreateRole a [0]",
		"CreateRole b [0]",
		"PutRolePolicy a p[1]",
		"CreatePolicy  arn:aws:iam::000000000000:policy/m",
		"AttachRolePolicy a arn:aws:iam::000000000000:policy/m[2]",
		"AttachRolePolicy b arn:aws:iam::000000000000:policy/m[1]",
		"CreatePolicyVersion  arn:aws:iam::000000000000:policy/m",
		"SetDefaultPolicyVersion a,b arn:aws:iam::000000000000:policy/m[2][1]",
		"DetachRolePolicy b arn:aws:iam::000000000000:policy/m[0]",
		"UpdateAssumeRolePolicy b [0]",
		"DeleteRolePolicy a p[1]",
		"DeleteRole b ",
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestHookMayChange: a change the hook makes reaches the hook after the
// change that caused it, not inside it.
func TestHookMayChange(t *testing.T) {
	var svc *iam.Service
	var got []string
	svc = iam.New(account, "aws", iam.WithChangeHook(func(c iam.Change) {
		got = append(got, c.Action+" "+strings.Join(c.Roles, ","))
		if c.Action == "CreateRole" && c.Roles[0] == "a" {
			if _, err := svc.CreateRole(iam.CreateRoleInput{RoleName: "b", AssumeRolePolicyDocument: lambdaTrust}); err != nil {
				t.Error(err)
			}
			got = append(got, "hook made b")
		}
	}))
	if _, err := svc.CreateRole(iam.CreateRoleInput{RoleName: "a", AssumeRolePolicyDocument: lambdaTrust}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "; ") != "CreateRole a; hook made b; CreateRole b" {
		t.Errorf("hook saw %v", got)
	}
}

// TestSnapshotRestore: a snapshot through JSON restores the same state,
// with the same decisions; a broken snapshot is refused and changes
// nothing.
func TestSnapshotRestore(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	c := ts.client
	ts.createRole(t, "r")
	if _, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("exercise"), PolicyDocument: aws.String(exercisePolicy)}); err != nil {
		t.Fatal(err)
	}
	m, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("NoSecrets"), PolicyDocument: aws.String(noSecrets)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: m.Policy.Arn, PolicyDocument: aws.String(policyDoc("s3:Get*"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: m.Policy.Arn, VersionId: aws.String("v2")}); err != nil {
		t.Fatal(err)
	}
	for _, arn := range []*string{m.Policy.Arn, aws.String(basicExecution)} {
		if _, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: arn}); err != nil {
			t.Fatal(err)
		}
	}
	data, err := json.Marshal(ts.svc.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var snap iam.Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	var restored []iam.Change
	fresh := newTestServer(t, iam.WithChangeHook(func(c iam.Change) { restored = append(restored, c) }))
	if err := fresh.svc.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got := fresh.snapshotJSON(t); got != string(data) {
		t.Errorf("restored state differs:\n got %s\nwant %s", got, data)
	}
	if len(restored) != 1 || restored[0].Action != "Restore" || strings.Join(restored[0].Roles, ",") != "r" {
		t.Errorf("restore told the hook %+v", restored)
	}
	for _, req := range [][2]string{{"s3:GetObject", "arn:aws:s3:::cis-examples/secret/k"}, {"s3:GetObject", "arn:aws:s3:::cis-examples/k"}, {"logs:CreateLogStream", "arn:aws:logs:us-east-1:000000000000:log-group:g"}} {
		a, _ := ts.svc.Evaluate("r", req[0], req[1])
		b, _ := fresh.svc.Evaluate("r", req[0], req[1])
		if a != b {
			t.Errorf("%v: %+v before, %+v restored", req, a, b)
		}
	}
	// The next version keeps counting after the restore.
	v, err := fresh.client.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: m.Policy.Arn, PolicyDocument: aws.String(policyDoc("s3:*"))})
	if err != nil || aws.ToString(v.PolicyVersion.VersionId) != "v3" {
		t.Errorf("version after restore = %+v, %v", v, err)
	}

	for _, tc := range []struct {
		name  string
		spoil func(*iam.Snapshot)
		want  string
	}{
		{"bad inline policy", func(s *iam.Snapshot) { s.Roles[0].InlinePolicies["exercise"] = "{" }, "role r: policy exercise"},
		{"bad trust policy", func(s *iam.Snapshot) { s.Roles[0].AssumeRolePolicyDocument = `{"Statement":[]}x` }, "role r: trust policy"},
		{"dangling attachment", func(s *iam.Snapshot) {
			s.Roles[0].AttachedPolicies = append(s.Roles[0].AttachedPolicies, "arn:aws:iam::aws:policy/Nope")
		}, "does not exist"},
		{"no default version", func(s *iam.Snapshot) { s.Policies[0].DefaultVersionId = "v7" }, "no version v7"},
		{"other account", func(s *iam.Snapshot) { s.Account = "123456789012" }, "account 123456789012"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var bad iam.Snapshot
			if err := json.Unmarshal(data, &bad); err != nil {
				t.Fatal(err)
			}
			tc.spoil(&bad)
			before := ts.snapshotJSON(t)
			err := ts.svc.Restore(bad)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Restore = %v, want an error about %q", err, tc.want)
			}
			if ts.snapshotJSON(t) != before {
				t.Error("a refused restore changed the state")
			}
		})
	}
}

// TestConcurrentChanges edits and evaluates one role from many goroutines
// (run with -race): every edit lands (80 small policies stay within the
// role's 10,240 characters) and every evaluation sees a whole policy.
func TestConcurrentChanges(t *testing.T) {
	var heard sync.Map // a change's action and policy name → times heard
	ts := newTestServer(t, iam.WithChangeHook(func(c iam.Change) {
		n, _ := heard.LoadOrStore(c.Action+" "+c.PolicyName, new(int))
		*n.(*int)++ // the hook is never called concurrently
	}))
	ts.createRole(t, "r")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range 10 {
				name := fmt.Sprintf("p%d-%d", i, j)
				if err := ts.svc.PutRolePolicy("r", name, policyDoc("s3:PutObject")); err != nil {
					t.Error(err)
				}
				if err := ts.svc.AttachRolePolicy("r", basicExecution); err != nil {
					t.Error(err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 20 {
				d, err := ts.svc.Evaluate("r", "s3:PutObject", "arn:aws:s3:::cis-examples-output/x")
				if err != nil || d.Allowed && !strings.HasPrefix(d.Policy, "p") {
					t.Errorf("Evaluate = %+v, %v", d, err)
				}
				ts.svc.Snapshot()
			}
		}()
	}
	wg.Wait()
	names, err := ts.svc.ListRolePolicies("r")
	if err != nil || len(names) != 80 {
		t.Errorf("%d inline policies, want 80 (%v)", len(names), err)
	}
	// Every change was heard exactly once by the time the calls returned;
	// attaching an attached policy is no change.
	count := 0
	heard.Range(func(k, v any) bool {
		count++
		if n := *v.(*int); n != 1 {
			t.Errorf("heard %q %d times", k, n)
		}
		return true
	})
	if count != 82 {
		t.Errorf("heard %d changes, want 82 (CreateRole, 80 PutRolePolicy, 1 AttachRolePolicy)", count)
	}
}

// TestCallerFromContext: a role session may use IAM only as far as its
// role's policies allow; the root may do anything.
func TestCallerFromContext(t *testing.T) {
	ts := newTestServer(t)
	ts.createRole(t, "fn-role")
	if err := ts.svc.PutRolePolicy("fn-role", "read-roles", `{"Statement":{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::000000000000:role/*"}}`); err != nil {
		t.Fatal(err)
	}
	session, err := ts.svc.RoleSession("fn-role", "my-function")
	if err != nil {
		t.Fatal(err)
	}
	role, _ := ts.svc.GetRole("fn-role")
	if session.ARN != "arn:aws:sts::000000000000:assumed-role/fn-role/my-function" || session.UserID != role.RoleId+":my-function" {
		t.Errorf("session %+v", session)
	}
	h := ts.svc.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(iam.WithCaller(r.Context(), session)))
	}))
	defer srv.Close()
	c := iamsdk.New(iamsdk.Options{BaseEndpoint: aws.String(srv.URL), Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("ASIAEXAMPLE", "secret", "token")})
	ctx := context.Background()
	if _, err := c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("fn-role")}); err != nil {
		t.Errorf("GetRole as the session: %v", err)
	}
	_, err = c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("fn-role"), PolicyName: aws.String("escalate"), PolicyDocument: aws.String(policyDoc("*"))})
	wantAPIError(t, err, "AccessDenied", 403, "User: arn:aws:sts::000000000000:assumed-role/fn-role/my-function is not authorized to perform: iam:PutRolePolicy on resource: arn:aws:iam::000000000000:role/fn-role because no identity-based policy allows the iam:PutRolePolicy action")
	if names, _ := ts.svc.ListRolePolicies("fn-role"); len(names) != 1 {
		t.Errorf("a denied PutRolePolicy left %v", names)
	}
}
