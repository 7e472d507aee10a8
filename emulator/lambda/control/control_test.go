package control_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalab/lambdalab/emulator/ids"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/control"
)

var ctx = context.Background()

const role = "arn:aws:iam::000000000000:role/lab-role"

// recorder is a lab's side of the control plane: what Deps.Runtime was
// asked to build and every change reported.
type recorder struct {
	mu      sync.Mutex
	specs   []control.Spec
	changes []string
}

func (r *recorder) runtime(spec control.Spec) (lambda.Runtime, error) {
	r.mu.Lock()
	r.specs = append(r.specs, spec)
	r.mu.Unlock()
	if strings.HasPrefix(spec.Handler, "broken") {
		return nil, errors.New("no handler " + spec.Handler)
	}
	return lambda.InProcess(func(func(string) string) (awslambda.Handler, error) {
		return awslambda.NewHandler(func(ev json.RawMessage) (json.RawMessage, error) { return ev, nil }), nil
	}), nil
}

func (r *recorder) onChange(ch control.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := ch.Op + " " + ch.Function
	if ch.Err != "" {
		s += ": " + ch.Err
	}
	r.changes = append(r.changes, s)
}

func (r *recorder) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.changes...)
}

func newControl(t *testing.T, opts ...control.Option) (*control.Control, *recorder) {
	t.Helper()
	r := &recorder{}
	svc := lambda.New()
	c := control.New(svc, control.Deps{Runtime: r.runtime, OnChange: r.onChange, CodeDir: t.TempDir(), IDs: ids.NewSeeded(1, 1)}, opts...)
	t.Cleanup(func() { c.Close(); svc.Close() })
	return c, r
}

func TestLabFileFunctionsWithInlinePreparation(t *testing.T) {
	c, r := newControl(t, control.WithInlinePreparation())
	dir := t.TempDir()
	for _, in := range []control.CreateFunctionInput{
		{FunctionName: "resizer", Handler: "resize", Role: role, Code: control.FunctionCode{Builtin: true}},
		{FunctionName: "mine", Runtime: "python3.12", Handler: "app.handler", Role: role, Code: control.FunctionCode{Path: dir}},
	} {
		out, err := c.CreateFunction(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if out.State != control.StatePending {
			t.Errorf("%s: CreateFunction answered %s, want Pending as Lambda answers", in.FunctionName, out.State)
		}
		// Inline: Active by the time the caller sees the answer.
		got, _ := c.GetFunctionConfiguration(in.FunctionName, "")
		if got.State != control.StateActive {
			t.Errorf("%s: %s right after CreateFunction with inline preparation", in.FunctionName, got.State)
		}
	}
	if len(r.specs) != 2 || !r.specs[0].Builtin || r.specs[0].Code != "" || r.specs[0].Handler != "resize" ||
		r.specs[1].Builtin || r.specs[1].Code != dir {
		t.Errorf("Deps.Runtime got %+v", r.specs)
	}
	want := []string{"CreateFunction resizer", "FunctionActive resizer", "CreateFunction mine", "FunctionActive mine"}
	if got := r.log(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("OnChange heard %q, want %q", got, want)
	}
	res, err := c.Invoke(ctx, control.InvokeInput{FunctionName: "resizer", Payload: []byte(`{"a":1}`)})
	if err != nil || string(res.Payload) != `{"a":1}` {
		t.Errorf("invoking a built-in function: %v %s", err, res.Payload)
	}
}

func TestAFailedFunctionComesBackWithAnUpdate(t *testing.T) {
	c, r := newControl(t, control.WithInlinePreparation())
	if _, err := c.CreateFunction(ctx, control.CreateFunctionInput{FunctionName: "f", Handler: "broken.handler", Role: role,
		Code: control.FunctionCode{Builtin: true}}); err != nil {
		t.Fatal(err)
	}
	got, _ := c.GetFunctionConfiguration("f", "")
	if got.State != control.StateFailed || got.StateReason != "no handler broken.handler" || got.StateReasonCode == "" {
		t.Fatalf("a function whose code cannot be built: %s %q %q", got.State, got.StateReason, got.StateReasonCode)
	}
	_, err := c.Invoke(ctx, control.InvokeInput{FunctionName: "f"})
	var e *control.Error
	if !errors.As(err, &e) || e.Type != control.ErrResourceConflict || e.Status() != 409 {
		t.Errorf("invoking a Failed function: %v", err)
	}
	fixed := "echo.handler"
	if _, err := c.UpdateFunctionConfiguration(ctx, control.UpdateFunctionConfigurationInput{FunctionName: "f", Handler: &fixed}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetFunctionConfiguration("f", "")
	if got.State != control.StateActive || got.LastUpdateStatus != control.UpdateSuccessful || got.StateReason != "" {
		t.Errorf("after fixing the handler: %s %s %q", got.State, got.LastUpdateStatus, got.StateReason)
	}
	if res, err := c.Invoke(ctx, control.InvokeInput{FunctionName: "f", Payload: []byte(`{}`)}); err != nil || res.StatusCode != 200 {
		t.Errorf("invoking the fixed function: %v", err)
	}
	if log := r.log(); len(log) != 4 || log[1] != "FunctionFailed f: no handler broken.handler" || log[3] != "UpdateSuccessful f" {
		t.Errorf("OnChange heard %q", log)
	}
}

func TestFunctionNames(t *testing.T) {
	c, _ := newControl(t, control.WithInlinePreparation())
	if _, err := c.CreateFunction(ctx, control.CreateFunctionInput{FunctionName: "demo", Handler: "echo", Role: role,
		Code: control.FunctionCode{Builtin: true}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, qualifier string
		errType         string
	}{
		{"demo", "", ""},
		{"demo:$LATEST", "", ""},
		{"000000000000:function:demo", "", ""},
		{"arn:aws:lambda:us-east-1:000000000000:function:demo", "", ""},
		{"arn:aws:lambda:us-east-1:000000000000:function:demo:$LATEST", "$LATEST", ""},
		{"arn:aws:lambda:us-east-1:000000000000:function:demo:$LATEST", "1", control.ErrInvalidParameterValue},
		{"demo", "1", control.ErrResourceNotFound},
		{"arn:aws:lambda:eu-west-1:000000000000:function:demo", "", control.ErrResourceNotFound},
		{"111111111111:function:demo", "", control.ErrResourceNotFound},
		{"de mo", "", control.ErrValidation},
	}
	for _, tc := range tests {
		_, err := c.GetFunctionConfiguration(tc.name, tc.qualifier)
		var e *control.Error
		switch {
		case tc.errType == "" && err != nil:
			t.Errorf("%q (qualifier %q): %v", tc.name, tc.qualifier, err)
		case tc.errType != "" && (!errors.As(err, &e) || e.Type != tc.errType):
			t.Errorf("%q (qualifier %q): %v, want %s", tc.name, tc.qualifier, err, tc.errType)
		}
	}
}
