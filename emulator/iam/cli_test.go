package iam_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// awsCLI runs the aws CLI against endpoint with throwaway credentials and
// nothing of the host's AWS configuration. It returns stdout, stderr and
// whether the command succeeded.
func awsCLI(t *testing.T, endpoint, dir string, args ...string) (string, string, bool) {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Fatalf("the aws CLI is not installed; run ./scripts/test.sh, which installs it: %v", err)
	}
	cmd := exec.Command(path, append([]string{"--endpoint-url", endpoint, "--output", "json"}, args...)...)
	cmd.Dir = dir
	home := t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8",
		"AWS_ACCESS_KEY_ID=lambdalab", "AWS_SECRET_ACCESS_KEY=lambdalab", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return stdout.String(), stderr.String(), err == nil
}

// cliJSON runs a command that must succeed and decodes its output.
func cliJSON(t *testing.T, endpoint, dir string, args ...string) map[string]any {
	t.Helper()
	out, errOut, ok := awsCLI(t, endpoint, dir, args...)
	if !ok {
		t.Fatalf("aws %s failed:\n%s", strings.Join(args, " "), errOut)
	}
	if strings.TrimSpace(out) == "" {
		return nil
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("aws %s printed no JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

func mustJSON(t *testing.T, doc string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// dig walks a decoded JSON value by keys and list indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// TestAWSCLI follows the exercise with the aws CLI: the role from
// trust.json, the exercise's policy from policy.json, a managed policy
// edited into a new default version, and the simulator.
func TestAWSCLI(t *testing.T) {
	ts := newTestServer(t)
	dir := t.TempDir()
	v2 := `{"Version":"2012-10-17","Statement":[{"Sid":"NoDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`
	for name, doc := range map[string]string{"trust.json": lambdaTrust, "policy.json": exercisePolicy, "v2.json": v2} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := ts.url
	role := cliJSON(t, e, dir, "iam", "create-role", "--role-name", "cis-exercise-demo-role", "--assume-role-policy-document", "file://trust.json")
	if got := dig(role, "Role", "Arn"); got != "arn:aws:iam::000000000000:role/cis-exercise-demo-role" {
		t.Errorf("Role.Arn = %v", got)
	}
	if got := dig(role, "Role", "AssumeRolePolicyDocument"); !reflect.DeepEqual(got, mustJSON(t, lambdaTrust)) {
		t.Errorf("the CLI shows the trust policy as %v", got)
	}
	if got := dig(role, "Role", "CreateDate"); got != "2026-03-14T15:09:26+00:00" && got != "2026-03-14T15:09:26Z" {
		t.Errorf("Role.CreateDate = %v", got)
	}

	cliJSON(t, e, dir, "iam", "put-role-policy", "--role-name", "cis-exercise-demo-role", "--policy-name", "cis-exercise-demo-policy", "--policy-document", "file://policy.json")
	got := cliJSON(t, e, dir, "iam", "get-role-policy", "--role-name", "cis-exercise-demo-role", "--policy-name", "cis-exercise-demo-policy")
	if !reflect.DeepEqual(got["PolicyDocument"], mustJSON(t, exercisePolicy)) || got["RoleName"] != "cis-exercise-demo-role" || got["PolicyName"] != "cis-exercise-demo-policy" {
		t.Errorf("get-role-policy = %v", got)
	}

	pol := cliJSON(t, e, dir, "iam", "create-policy", "--policy-name", "GuardRails", "--policy-document", "file://policy.json")
	arn, _ := dig(pol, "Policy", "Arn").(string)
	if arn != "arn:aws:iam::000000000000:policy/GuardRails" || dig(pol, "Policy", "DefaultVersionId") != "v1" {
		t.Errorf("create-policy = %v", pol)
	}
	ver := cliJSON(t, e, dir, "iam", "create-policy-version", "--policy-arn", arn, "--policy-document", "file://v2.json", "--set-as-default")
	if dig(ver, "PolicyVersion", "VersionId") != "v2" || dig(ver, "PolicyVersion", "IsDefaultVersion") != true {
		t.Errorf("create-policy-version = %v", ver)
	}
	doc := cliJSON(t, e, dir, "iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v2")
	if !reflect.DeepEqual(dig(doc, "PolicyVersion", "Document"), mustJSON(t, v2)) {
		t.Errorf("get-policy-version = %v", doc)
	}
	cliJSON(t, e, dir, "iam", "attach-role-policy", "--role-name", "cis-exercise-demo-role", "--policy-arn", arn)

	sim := cliJSON(t, e, dir, "iam", "simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::000000000000:role/cis-exercise-demo-role",
		"--action-names", "s3:GetObject", "s3:DeleteObject", "s3:PutObject", "--resource-arns", "arn:aws:s3:::cis-examples/cat.png")
	var decisions []string
	for i := range 3 {
		d, _ := dig(sim, "EvaluationResults", i, "EvalDecision").(string)
		by, _ := dig(sim, "EvaluationResults", i, "MatchedStatements", 0, "SourcePolicyId").(string)
		decisions = append(decisions, d+"/"+by)
	}
	if strings.Join(decisions, " ") != "allowed/cis-exercise-demo-policy explicitDeny/GuardRails implicitDeny/" {
		t.Errorf("simulate-principal-policy decisions %v\n%v", decisions, sim)
	}

	_, errOut, ok := awsCLI(t, e, dir, "iam", "create-role", "--role-name", "cis-exercise-demo-role", "--assume-role-policy-document", "file://trust.json")
	if want := "An error occurred (EntityAlreadyExists) when calling the CreateRole operation: Role with name cis-exercise-demo-role already exists."; ok || !strings.Contains(errOut, want) {
		t.Errorf("creating the role again: ok=%v\n%s", ok, errOut)
	}
	_, errOut, ok = awsCLI(t, e, dir, "iam", "put-role-policy", "--role-name", "cis-exercise-demo-role", "--policy-name", "p", "--policy-document", "file://trust.json")
	if want := "An error occurred (MalformedPolicyDocument) when calling the PutRolePolicy operation: statement 1: Policy document should not specify a principal"; ok || !strings.Contains(errOut, want) {
		t.Errorf("a trust policy as a role policy: ok=%v\n%s", ok, errOut)
	}
}
