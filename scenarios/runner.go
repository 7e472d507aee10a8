package scenarios

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
	"github.com/lambdalab/lambdalab/emulator/printer"
)

// timeout bounds one S3 call of a step.
const timeout = 30 * time.Second

// Result is the outcome of one scenario.
type Result struct {
	Name   string       `json:"name"`
	File   string       `json:"file"`
	Passed bool         `json:"passed"`
	Steps  []StepResult `json:"steps"`
	// Failure says which step failed and why ("" when it passed).
	Failure    string `json:"failure,omitempty"`
	Transcript string `json:"-"`
}

// StepResult is the outcome of one step.
type StepResult struct {
	Index       int    `json:"index"`
	Kind        string `json:"kind"`
	Where       string `json:"where"`
	Description string `json:"description"`
	Passed      bool   `json:"passed"`
	// Error is the AWS error code the step met, if any (an expected error
	// passes when the next step expects it).
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
}

// runner runs one scenario on a fresh lab. It acts on the lab as a client
// of its services (clients) and reads what happens from the bus (events);
// the lab itself only builds it and runs its time (lab).
type runner struct {
	ctx     context.Context
	sc      *Scenario
	lab     *emulator.Lab
	time    labTime
	client  *s3.Client
	clients emulator.Clients // the root's, as a student at the console
	clock   *clock.Virtual
	events  *bus.Recorder
	out     bytes.Buffer
	printer *printer.Printer
	printed int
	lastErr string
}

// Run runs the scenario on a fresh lab on a virtual clock, step by step,
// and returns what happened with its transcript.
func Run(ctx context.Context, sc *Scenario) *Result {
	r, err := Start(ctx, sc)
	res := &Result{Name: sc.Name, File: sc.File}
	if err != nil {
		res.Failure = err.Error()
		return res
	}
	defer r.Close()
	for i := range sc.Steps {
		sr := r.RunStep(i)
		res.Steps = append(res.Steps, sr)
		if !sr.Passed {
			res.Failure = fmt.Sprintf("step %d (%s) %s: %s", i+1, sr.Where, sr.Description, sr.Message)
			break
		}
	}
	res.Passed = res.Failure == ""
	if res.Passed {
		fmt.Fprintf(&r.out, "\n== passed: %d steps\n", len(sc.Steps))
	} else {
		fmt.Fprintf(&r.out, "\n== FAILED: %s\n", res.Failure)
	}
	res.Transcript = r.out.String()
	return res
}

// Runner is a scenario being played step by step (by the TUI).
type Runner = runner

// Start builds the scenario's lab and returns a runner positioned before its
// first step.
func Start(ctx context.Context, sc *Scenario) (*Runner, error) {
	if err := prepareLayers(sc.Lab); err != nil {
		return nil, fmt.Errorf("%s: lab: %w", sc.File, err)
	}
	b := bus.New()
	r := &runner{ctx: ctx, sc: sc, clock: clock.NewVirtual(sc.Start), events: bus.Record(b)}
	r.printer = printer.New(&r.out)
	lab, err := emulator.New(sc.Lab, emulator.WithClock(r.clock), emulator.WithSeed(sc.Seed), emulator.WithBus(b))
	if err != nil {
		if sc.sourceHint != "" {
			return nil, fmt.Errorf("%s: lab: %w (%s)", sc.File, err, sc.sourceHint)
		}
		return nil, fmt.Errorf("%s: lab: %w", sc.File, err)
	}
	r.lab, r.clients = lab, lab.RootClients()
	r.client = r.clients.S3
	// The lab's scheduler, which its virtual clock waits on, lives in its
	// Lambda service; the Lab itself offers only WaitIdle so far.
	r.time = lab
	fmt.Fprintf(&r.out, "# scenario %s: %s\n# lab %s\n", sc.Name, sc.Description, sc.Lab.Name)
	if err := r.time.Settle(ctx); err != nil {
		return nil, err
	}
	r.flush()
	return r, nil
}

// labTime runs a lab's time on its virtual clock: lifecycle, not a
// service's API.
type labTime interface {
	// Settle runs what can run without the clock moving.
	Settle(ctx context.Context) error
	// RunUntilIdle moves the clock until nothing is queued or running.
	RunUntilIdle(ctx context.Context, v *clock.Virtual) error
	// RunFor moves the clock by d, running what falls due.
	RunFor(ctx context.Context, v *clock.Virtual, d time.Duration) error
	// Step moves the clock to the next moment anything happens.
	Step(ctx context.Context, v *clock.Virtual) (bool, error)
}

// Lab is the runner's lab.
func (r *runner) Lab() *emulator.Lab { return r.lab }

// Settle runs the lab until nothing more happens without its clock
// moving: what the console does after each action of a scenario's lab.
func (r *runner) Settle() error { return r.time.Settle(r.ctx) }

// Bus is the lab's bus.
func (r *runner) Bus() *bus.Bus { return r.lab.Bus() }

// Close stops the lab.
func (r *runner) Close() { r.lab.Close() }

// Transcript is what the runner printed so far.
func (r *runner) Transcript() string { return r.out.String() }

// flush prints the bus events that arrived since the last flush.
func (r *runner) flush() {
	all := r.events.All()
	for _, ev := range all[r.printed:] {
		r.printer.Print(onLabTime(ev))
	}
	r.printed = len(all)
}

// RunStep runs step i: the step, then everything the lab does at the same
// lab time, and prints it all.
func (r *runner) RunStep(i int) StepResult {
	st := r.sc.Steps[i]
	sr := StepResult{Index: i + 1, Kind: st.Kind, Where: st.Where(r.sc.File), Description: r.describe(st)}
	fmt.Fprintf(&r.out, "\n== step %d: %s\n", i+1, sr.Description)
	for _, line := range strings.Split(strings.TrimSpace(st.Notes), "\n") {
		if line != "" {
			fmt.Fprintf(&r.out, "   # %s\n", line)
		}
	}
	err := st.spec.run(r)
	if _, waits := st.spec.(*waitSpec); !waits && err == nil {
		err = r.time.Settle(r.ctx)
	}
	r.flush()
	_, isExpect := st.spec.(*expectSpec)
	switch {
	case isExpect:
		sr.Passed = err == nil
		r.lastErr = ""
		if err != nil {
			sr.Message = err.Error()
			fmt.Fprintf(&r.out, "   ✗ %s\n", err)
		} else {
			fmt.Fprintf(&r.out, "   ✓ as expected\n")
		}
	case err != nil:
		sr.Error, sr.Message = errorCode(err), err.Error()
		r.lastErr = sr.Error
		fmt.Fprintf(&r.out, "   → %s\n", err)
		sr.Passed = r.expectsError(i + 1)
		if !sr.Passed {
			sr.Message = "unexpected error: " + err.Error()
		}
	default:
		r.lastErr = ""
		sr.Passed = true
	}
	return sr
}

// errorCode is the AWS error code of a failed step.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	var pe *lambda.ParameterError
	if errors.As(err, &pe) {
		return pe.Type
	}
	var le *layers.ParameterError
	if errors.As(err, &le) {
		return le.Type
	}
	var se *iam.SyntaxError
	if errors.As(err, &se) {
		return "MalformedPolicyDocument"
	}
	return "Error"
}

func apiCode(err error) string { return errorCode(err) }

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
}

// Describe says what step i does, in one line: the Description RunStep
// reports, known before the step runs (the console lists the steps ahead).
func (r *runner) Describe(i int) string { return r.describe(r.sc.Steps[i]) }

// describe says what a step does, in one line.
func (r *runner) describe(st Step) string { return st.spec.describe() }

// expectsError reports whether step i expects the step before it to fail.
func (r *runner) expectsError(i int) bool {
	if i >= len(r.sc.Steps) {
		return false
	}
	e, ok := r.sc.Steps[i].spec.(*expectSpec)
	return ok && e.Error != ""
}

func describeExpect(e expectSpec) string {
	switch {
	case e.Object != nil && e.Object.Absent:
		return fmt.Sprintf("s3://%s/%s absent", e.Object.Bucket, e.Object.Key)
	case e.Object != nil:
		var parts []string
		if e.Object.ContentType != "" {
			parts = append(parts, e.Object.ContentType)
		}
		if e.Object.Width > 0 || e.Object.Height > 0 {
			parts = append(parts, fmt.Sprintf("%d×%d", e.Object.Width, e.Object.Height))
		}
		if e.Object.Size != nil {
			parts = append(parts, fmt.Sprintf("%d bytes", *e.Object.Size))
		}
		if e.Object.SameAs != "" {
			parts = append(parts, "identical to "+e.Object.SameAs)
		}
		return fmt.Sprintf("s3://%s/%s %s", e.Object.Bucket, e.Object.Key, strings.Join(parts, " "))
	case e.Objects != nil:
		return fmt.Sprintf("%d object(s) in s3://%s/%s", e.Objects.Count, e.Objects.Bucket, e.Objects.Prefix)
	case e.Invocations != nil:
		return fmt.Sprintf("%d %s invocation(s) of %s", e.Invocations.Count, e.Invocations.Status, e.Invocations.Function)
	case e.Log != nil:
		return fmt.Sprintf("a line of /aws/lambda/%s matching %q", e.Log.Function, e.Log.Matches)
	case e.Metric != nil:
		return fmt.Sprintf("%s of %s = %d", e.Metric.Name, e.Metric.Function, e.Metric.Value)
	case e.Video != nil:
		return e.Video.describe()
	}
	return "error " + e.Error
}
