package tui

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/lambdalab/lambdalab/emulator/labfile"
)

// The console as a client of the lab's services: what it changes, it
// changes through their APIs, and what another client changes, it shows.

// readOnlyPolicy lets the function read nothing but its logs: its
// GetObject is refused.
const readOnlyPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`

// TestPolicySaveGoesThroughIAM: p's editor saves with PutRolePolicy: IAM
// refuses a malformed document (the editor stays open with IAM's error),
// keeps a valid one (GetRolePolicy reads it back, the function view shows
// it), and the function's next call is refused: its invocation is
// access-denied, with the refusal IAM made.
func TestPolicySaveGoesThroughIAM(t *testing.T) {
	h := newHarness(t, "", 120, 40)
	h.keys("G", "p")
	d, ok := h.m.dialog.(*policyDialog)
	if !ok {
		t.Fatalf("p opened %T:\n%s", h.m.dialog, h.screen())
	}
	h.typeText("X")
	h.keys("ctrl+s")
	if h.m.dialog != d || !strings.HasPrefix(d.problem, "MalformedPolicyDocument: ") {
		t.Fatalf("a malformed policy: dialog %T, problem %q", h.m.dialog, d.problem)
	}
	d.editor.SetValue(readOnlyPolicy) // as if typed
	h.keys("ctrl+s")
	if h.m.dialog != nil {
		t.Fatalf("a valid policy left the editor open: %s", d.problem)
	}
	h.mustSee("policy of " + d.role + " saved")
	out, err := h.lab.RootClients().IAM.GetRolePolicy(context.Background(), &iamsdk.GetRolePolicyInput{
		RoleName: aws.String(d.role), PolicyName: aws.String(d.policyName)})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(out.PolicyDocument)); doc != readOnlyPolicy {
		t.Errorf("IAM keeps %s", doc)
	}
	if text := detailText(h); !strings.Contains(text, `"logs:PutLogEvents"`) || strings.Contains(text, "s3:GetObject") {
		t.Errorf("the function view shows the old policy: %s", text)
	}

	h.lab.Put(t, "cis-examples", "cat.png", []byte(mustPNG(t)), "image/png")
	h.settle()
	h.mustSee("access-denied")
	h.keys("tab", "tab", "g", "enter") // the Invocations pane, the attempt
	if inv := h.m.detail.invocation; inv == nil || inv.Status != accessDenied || inv.Denied == nil || inv.Denied.Action != "s3:GetObject" {
		t.Fatalf("the attempt: %+v", inv)
	}
	if text := detailText(h); !strings.Contains(text, "Denied IAM refused s3:GetObject on arn:aws:s3:::cis-examples/cat.png") {
		t.Errorf("Detail does not say what IAM refused: %s", text)
	}
}

// TestFunctionViewFollowsOtherClients: a change another client makes
// through the Lambda API (the aws CLI's update-function-configuration)
// shows in the function view and the function form.
func TestFunctionViewFollowsOtherClients(t *testing.T) {
	h := newHarness(t, studentLab, 120, 40)
	h.keys("j") // the function
	h.mustSee("Memory       128 MB", "arn:aws:lambda:us-east-1:"+labfile.DefaultAccount+":", "function:thumbnailer")
	_, err := h.lab.RootClients().Lambda.UpdateFunctionConfiguration(context.Background(), &lambdasdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("thumbnailer"), MemorySize: aws.Int32(512)})
	if err != nil {
		t.Fatal(err)
	}
	h.settle()
	h.mustSee("Memory       512 MB")
	h.keys("e")
	h.mustSee("Memory (MB)  512")
}
