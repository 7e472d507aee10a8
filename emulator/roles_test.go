package emulator_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/lambda"
)

// startVirtual starts a lab on a virtual clock: retries a minute away take
// no time.
func startVirtual(t *testing.T, yaml string) *labtest.Lab {
	t.Helper()
	return labtest.Start(t, yaml, emulator.WithClock(clock.NewVirtual(time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC))))
}

// withPolicy is the default lab with its role's statements replaced.
func withPolicy(t *testing.T, statements string) string {
	t.Helper()
	data := string(mustYAML(t, "default"))
	i := strings.Index(data, "        Statement:")
	j := strings.Index(data, "triggers:")
	return data[:i] + "        Statement:\n" + statements + data[j:]
}

const logsStatements = `          - Effect: Allow
            Action: [logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents]
            Resource: "*"
`

func TestExercisePolicyIsNeeded(t *testing.T) {
	// Without s3:GetObject on the input, the function cannot read the upload.
	lab := startVirtual(t, withPolicy(t, logsStatements+`          - Effect: Allow
            Action: s3:PutObject
            Resource: arn:aws:s3:::cis-examples-output/*
`))
	lab.Put(t, "cis-examples", "cat.jpg", labtest.Image(t, 64, 64, "jpeg"), "image/jpeg")
	lab.WaitIdle(t)
	ends := labtest.Of[bus.InvocationEnded](lab.Events)
	want := `is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::cis-examples/cat.jpg\" because no identity-based policy allows the s3:GetObject action`
	if len(ends) == 0 || !strings.Contains(ends[0].Error, want) {
		t.Fatalf("invocations: %+v", ends)
	}
}

func TestMissingPutObjectIsAccessDenied(t *testing.T) {
	lab := startVirtual(t, withPolicy(t, logsStatements+`          - Sid: ReadUploads
            Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::cis-examples/*
`))
	lab.Put(t, "cis-examples", "cat.jpg", labtest.Image(t, 64, 64, "jpeg"), "image/jpeg")
	lab.WaitIdle(t)
	ends := labtest.Of[bus.InvocationEnded](lab.Events)
	if len(ends) != 3 {
		t.Fatalf("attempts %d, want 3 (a function error is retried twice)", len(ends))
	}
	want := `User: arn:aws:sts::000000000000:assumed-role/cis-exercise-demo-role/cis-exercise-demo is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::cis-examples-output/cat.jpg\" because no identity-based policy allows the s3:PutObject action`
	if ends[0].Status != "error" || !strings.Contains(ends[0].Error, want) {
		t.Errorf("error: %s\nwant it to contain: %s", ends[0].Error, want)
	}
	if _, err := lab.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("cis-examples-output"), Key: aws.String("cat.jpg")}); err == nil {
		t.Error("an output object appeared without s3:PutObject")
	}
	denied := labtest.Of[bus.AccessDenied](lab.Events)
	if len(denied) != 3 || denied[0].Action != "s3:PutObject" || denied[0].Decision != "no statement allows it (implicit deny)" {
		t.Errorf("bus: %+v", denied)
	}
}

func TestExplicitDenyNamesTheStatement(t *testing.T) {
	lab := startVirtual(t, withPolicy(t, logsStatements+`          - Effect: Allow
            Action: s3:*
            Resource: "*"
          - Sid: NoOutputWrites
            Effect: Deny
            Action: s3:PutObject
            Resource: arn:aws:s3:::cis-examples-output/*
`))
	lab.Put(t, "cis-examples", "cat.jpg", labtest.Image(t, 64, 64, "jpeg"), "image/jpeg")
	lab.WaitIdle(t)
	denied := labtest.Of[bus.AccessDenied](lab.Events)
	if len(denied) != 3 || denied[0].Decision != "explicitly denied by NoOutputWrites of policy lab-file-policy" {
		t.Errorf("bus: %+v", denied)
	}
	ends := labtest.Of[bus.InvocationEnded](lab.Events)
	if !strings.Contains(ends[0].Error, "with an explicit deny in an identity-based policy") {
		t.Errorf("error: %s", ends[0].Error)
	}
}

func TestUnknownCredentialsHaveFullAccess(t *testing.T) {
	lab := labtest.Start(t, "")
	c := labtest.Client(lab.Endpoint, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("students-own-bucket")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cis-examples-output"), Key: aws.String("by-hand.png"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("cis-examples")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("cis-examples-output"), Key: aws.String("by-hand.png")}); err != nil {
		t.Fatal(err)
	}
	if d := labtest.Of[bus.AccessDenied](lab.Events); len(d) != 0 {
		t.Errorf("the account root was denied: %+v", d)
	}
}

func TestRoleWithoutLogsStillRunsButLogsNothing(t *testing.T) {
	lab := labtest.Start(t, withPolicy(t, `          - Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::cis-examples/*
          - Effect: Allow
            Action: s3:PutObject
            Resource: arn:aws:s3:::cis-examples-output/*
`))
	lab.Put(t, "cis-examples", "cat.jpg", labtest.Image(t, 64, 64, "jpeg"), "image/jpeg")
	lab.WaitIdle(t)
	if _, body := lab.Get(t, "cis-examples-output", "cat.jpg"); len(body) == 0 {
		t.Fatal("no output")
	}
	if g := lab.Lambda().Logs().Streams(lambda.LogGroupName("cis-exercise-demo")); len(g) != 0 {
		t.Errorf("log group has %d streams, want none", len(g))
	}
	denied := labtest.Of[bus.LogsDenied](lab.Events)
	if len(denied) != 1 || !strings.Contains(denied[0].Reason, "does not allow logs:CreateLogGroup") {
		t.Errorf("logs denied: %+v", denied)
	}
	if ends := labtest.Of[bus.InvocationEnded](lab.Events); len(ends) != 1 || ends[0].Status != "ok" {
		t.Errorf("invocation: %+v", ends)
	}
}

func TestMissingKeyWithoutListBucketIsAccessDenied(t *testing.T) {
	lab := labtest.Start(t, "")
	// The function's role may GetObject but not ListBucket: S3 hides whether
	// a key exists. (What a handler that forgets to decode the key meets.)
	ends := func() []bus.InvocationEnded {
		lab.Put(t, "cis-examples", "my photo.png", labtest.Image(t, 16, 16, "png"), "")
		lab.WaitIdle(t)
		return labtest.Of[bus.InvocationEnded](lab.Events)
	}()
	if len(ends) != 1 || ends[0].Status != "ok" {
		t.Fatalf("the decoded key works: %+v", ends)
	}
	creds := lab.Lab.FunctionCredentials("cis-exercise-demo")
	c := labtest.Client(lab.Endpoint, creds.AccessKeyID, creds.SecretAccessKey)
	_, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("cis-examples"), Key: aws.String("my+photo.png")})
	code, msg := apiError(err)
	if code != "AccessDenied" || !strings.Contains(msg, "s3:ListBucket") {
		t.Errorf("raw key without ListBucket: %q %q", code, msg)
	}
}

func TestLabFilePolicyErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "role.json"), []byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"s3:*\"}\n  ]\n}\n"), 0o644)
	lab := filepath.Join(dir, "lab.yaml")
	os.WriteFile(lab, []byte("buckets:\n  - name: abc\nfunctions:\n  - name: f\n    handler: echo\n    role:\n      name: f-role\n      policyFile: role.json\n"), 0o644)
	_, err := labfile.LoadFile(lab)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "role.json")+":4:24: MalformedPolicyDocument: Syntax errors in policy") {
		t.Errorf("policyFile error: %v", err)
	}
	inline := "functions:\n  - name: f\n    handler: echo\n    role:\n      name: f-role\n      policy:\n        Statement:\n          - Effect: Allow\n            Action: s3:*\n            Resource: \"*\"\n            Condition: {Bool: {aws:SecureTransport: \"true\"}}\n"
	_, err = labfile.ParseFile("lab.yaml", []byte(inline))
	if err == nil || !strings.Contains(err.Error(), "lab.yaml:11:25: role f-role: MalformedPolicyDocument: statement 1: not supported by lambdalab: Condition") {
		t.Errorf("inline Condition: %v", err)
	}
	// The second statement's Effect, in a file and inline: the position is
	// the element's, not the statement's or the policy's.
	os.WriteFile(filepath.Join(dir, "role.json"), []byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n    {\"Action\": \"s3:*\", \"Resource\": \"*\",\n     \"Effect\": \"Maybe\"}\n  ]\n}\n"), 0o644)
	_, err = labfile.LoadFile(lab)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "role.json")+":6:6: MalformedPolicyDocument: statement 2: Effect \"Maybe\" is not valid") {
		t.Errorf("policyFile Effect: %v", err)
	}
	inline = "functions:\n  - name: f\n    handler: echo\n    role:\n      name: f-role\n      policy:\n        Statement:\n          - {Effect: Allow, Action: s3:*, Resource: \"*\"}\n          - Action: s3:*\n            Resource: \"*\"\n            Effect: Maybe\n"
	_, err = labfile.ParseFile("lab.yaml", []byte(inline))
	if err == nil || !strings.Contains(err.Error(), "lab.yaml:11:21: role f-role: MalformedPolicyDocument: statement 2: Effect \"Maybe\" is not valid") {
		t.Errorf("inline Effect: %v", err)
	}
}
