package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// simulateCLI runs lambdalab policy simulate with env added to this
// process's environment.
func simulateCLI(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"policy", "simulate", "--function", "cis-exercise-demo"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	out, _ := cmd.Output()
	return cmd.ProcessState.ExitCode(), string(out), stderr.String()
}

// TestPolicySimulateAsksTheRunningLab: simulate reads the role's policies
// from the running lab's IAM, so a policy changed there (as the console's p
// changes it, with PutRolePolicy) decides the next answer.
func TestPolicySimulateAsksTheRunningLab(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	addr := strings.TrimPrefix(s.endpoint, "http://")
	output := "arn:aws:s3:::cis-examples-output/cat.png"
	code, out, errOut := simulateCLI(t, nil, "--addr", addr, "s3:PutObject", output)
	if code != 0 || !strings.HasPrefix(out, "allowed: s3:PutObject on "+output) ||
		!strings.Contains(out, "in the lab at "+s.endpoint+": allowed by WriteThumbnails of policy lab-file-policy") {
		t.Errorf("before the change: exit %d\n%s%s", code, out, errOut)
	}

	roles := iam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(s.endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	put := func(doc string) {
		t.Helper()
		if _, err := roles.PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{RoleName: aws.String("cis-exercise-demo-role"),
			PolicyName: aws.String("lab-file-policy"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	put(`{"Version": "2012-10-17", "Statement": [{"Sid": "ReadUploads", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::cis-examples/*"}]}`)
	// AWS_ENDPOINT_URL (what lambdalab env exports) finds the lab too.
	code, out, errOut = simulateCLI(t, []string{"AWS_ENDPOINT_URL=" + s.endpoint}, "s3:PutObject", output)
	if code != 1 || !strings.HasPrefix(out, "denied: s3:PutObject on "+output) || !strings.Contains(out, "no statement allows it (implicit deny)") {
		t.Errorf("without s3:PutObject: exit %d\n%s%s", code, out, errOut)
	}

	put(`{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
  {"Sid": "NoThumbnails", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::cis-examples-output/*"}
]}`)
	code, out, errOut = simulateCLI(t, nil, "--addr", addr, "s3:PutObject", output)
	if code != 1 || !strings.Contains(out, "explicitly denied by NoThumbnails of policy lab-file-policy") {
		t.Errorf("with an explicit Deny: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = simulateCLI(t, nil, "--addr", addr, "s3:GetObject", "arn:aws:s3:::cis-examples/cat.png")
	if code != 0 || !strings.Contains(out, "allowed by the statement at line 2 of policy lab-file-policy") {
		t.Errorf("an Allow without a Sid: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = simulateCLI(t, nil, "--addr", addr, "--function", "nope", "s3:GetObject", "*")
	if code != 2 || !strings.Contains(errOut, "ResourceNotFoundException: Function not found") {
		t.Errorf("an unknown function: exit %d\n%s%s", code, out, errOut)
	}
}

// TestPolicySimulateWithoutALab: with nothing at the address, simulate says
// how to start a lab (exit 2); --lab evaluates a lab file instead, and says
// that is what it did.
func TestPolicySimulateWithoutALab(t *testing.T) {
	t.Parallel()
	code, out, errOut := simulateCLI(t, nil, "--addr", freeAddr(t), "s3:PutObject", "arn:aws:s3:::cis-examples-output/cat.png")
	if code != 2 || out != "" || !strings.Contains(errOut, "no lab answers at http://127.0.0.1:") ||
		!strings.Contains(errOut, "lambdalab serve") || !strings.Contains(errOut, "--lab FILE") {
		t.Errorf("no lab: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = simulateCLI(t, nil, "--lab", "default", "s3:PutObject", "arn:aws:s3:::cis-examples-output/cat.png")
	if code != 0 || !strings.HasPrefix(out, "allowed: s3:PutObject") ||
		!strings.Contains(out, "in the lab file default, not a running lab: allowed by WriteThumbnails") {
		t.Errorf("--lab default: exit %d: %s", code, out)
	}
	code, out, _ = simulateCLI(t, nil, "--lab", "default", "s3:PutObject", "arn:aws:s3:::cis-examples/cat.png")
	if code != 1 || !strings.HasPrefix(out, "denied: s3:PutObject") || !strings.Contains(out, "no statement allows it (implicit deny)") {
		t.Errorf("--lab default, the input bucket: exit %d: %s", code, out)
	}
	code, _, _ = simulateCLI(t, nil, "--lab", "recursion", "s3:DeleteObject", "arn:aws:s3:::cis-examples/x")
	if code != 0 {
		t.Errorf("the default execution role allows s3:* on the lab's buckets; exit %d", code)
	}
}
