package emulator_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// startShipped starts a shipped lab on a virtual clock.
func startShipped(t *testing.T, name string) *labtest.Lab {
	t.Helper()
	vc := clock.NewVirtual(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	return labtest.Start(t, string(mustYAML(t, name)), emulator.WithClock(vc), emulator.WithSeed(42))
}

func mustYAML(t *testing.T, name string) []byte {
	t.Helper()
	b, err := labsFS.ReadFile(name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// functionWrites counts the objects the function's role wrote.
func functionWrites(evs []bus.Event, function string) int {
	n := 0
	for _, e := range evs {
		if c, ok := e.(bus.ObjectChanged); ok && strings.HasSuffix(c.Principal, ":"+function) {
			n++
		}
	}
	return n
}

func TestRecursionStoppedAtSixteen(t *testing.T) {
	lab := startShipped(t, "recursion")
	lab.Put(t, "cis-examples", "cat.png", labtest.Image(t, 64, 64, "png"), "image/png")
	lab.WaitIdle(t)
	evs := lab.Events.All()

	starts := labtest.Of[bus.InvocationStarted](lab.Events)
	if len(starts) != 16 {
		t.Fatalf("invocations = %d, want 16", len(starts))
	}
	for i, s := range starts {
		if s.Depth != i+1 || s.Chain != starts[0].Chain {
			t.Errorf("invocation %d: depth %d chain %s", i+1, s.Depth, s.Chain)
		}
	}
	stops := labtest.Of[bus.LoopStopped](lab.Events)
	if len(stops) != 1 || stops[0].By != "lambda" || stops[0].Invocations != 16 ||
		!strings.HasPrefix(stops[0].Path, "cis-examples/cat.png → cis-exercise-demo → cis-examples/cat.png") {
		t.Fatalf("loop stopped: %+v", stops)
	}
	if n := functionWrites(evs, "cis-exercise-demo"); n != 16 {
		t.Errorf("function writes = %d, want 16", n)
	}
	m, _ := lab.Lambda().Metrics("cis-exercise-demo")
	if m.RecursiveInvocationsDropped != 1 {
		t.Errorf("RecursiveInvocationsDropped = %d, want 1", m.RecursiveInvocationsDropped)
	}
	if d := labtest.Of[bus.InvocationDropped](lab.Events); len(d) != 1 || d[0].Condition != "RecursiveInvocationDropped" {
		t.Errorf("dropped: %+v", d)
	}
}

func TestTwoUploadsAreTwoChains(t *testing.T) {
	lab := startShipped(t, "recursion")
	lab.Put(t, "cis-examples", "a.png", labtest.Image(t, 32, 32, "png"), "image/png")
	lab.Put(t, "cis-examples", "b.png", labtest.Image(t, 32, 32, "png"), "image/png")
	lab.WaitIdle(t)
	chains := map[string]int{}
	for _, s := range labtest.Of[bus.InvocationStarted](lab.Events) {
		chains[s.Chain]++
	}
	if len(chains) != 2 {
		t.Fatalf("chains: %v", chains)
	}
	for c, n := range chains {
		if n != 16 {
			t.Errorf("chain %s ran %d invocations, want 16", c, n)
		}
	}
	if stops := labtest.Of[bus.LoopStopped](lab.Events); len(stops) != 2 {
		t.Errorf("loop stops = %d, want 2", len(stops))
	}
}

func TestRecursionAllowedRunsToTheLabCeiling(t *testing.T) {
	// The shipped lab with a smaller ceiling, to keep the test quick.
	data := strings.Replace(string(mustYAML(t, "recursion-allowed")), "invocations: 1000", "invocations: 30", 1)
	lab := labtest.Start(t, data, emulator.WithClock(clock.NewVirtual(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))))
	lab.Put(t, "cis-examples", "cat.png", labtest.Image(t, 32, 32, "png"), "image/png")
	lab.WaitIdle(t)
	if n := len(labtest.Of[bus.InvocationStarted](lab.Events)); n != 30 {
		t.Errorf("invocations = %d, want 30 (the lab's ceiling)", n)
	}
	stops := labtest.Of[bus.LoopStopped](lab.Events)
	if len(stops) != 1 || stops[0].By != "lab-ceiling" || !strings.Contains(stops[0].Advice, "AWS does not have") {
		t.Errorf("stops: %+v", stops)
	}
	m, _ := lab.Lambda().Metrics("cis-exercise-demo")
	if m.RecursiveInvocationsDropped != 0 {
		t.Errorf("Lambda's own counter must stay 0 when the lab's ceiling stops a loop: %d", m.RecursiveInvocationsDropped)
	}
}

func TestPrefixPatternRunsOnce(t *testing.T) {
	lab := startShipped(t, "same-bucket-prefix")
	lab.Put(t, "cis-examples", "uploads/cat.png", labtest.Image(t, 64, 64, "png"), "image/png")
	lab.WaitIdle(t)
	if n := len(labtest.Of[bus.InvocationStarted](lab.Events)); n != 1 {
		t.Errorf("invocations = %d, want 1", n)
	}
	out, body := lab.Get(t, "cis-examples", "resized/cat.png")
	if aws.ToString(out.ContentType) != "image/png" || len(body) == 0 {
		t.Errorf("resized/cat.png: %v", out.ContentType)
	}
}

func TestSkipOwnOutputPattern(t *testing.T) {
	lab := startShipped(t, "skip-own-output")
	lab.Put(t, "cis-examples", "cat.png", labtest.Image(t, 64, 64, "png"), "image/png")
	lab.WaitIdle(t)
	ends := labtest.Of[bus.InvocationEnded](lab.Events)
	if len(ends) != 2 || ends[0].Status != "ok" || ends[1].Status != "ok" {
		t.Fatalf("invocations: %+v", ends)
	}
	var second string // the invocation the thumbnail caused
	for _, s := range labtest.Of[bus.InvocationStarted](lab.Events) {
		if s.Depth == 2 {
			second = s.RequestID
		}
	}
	logs := lab.Lambda().Logs().Invocation("/aws/lambda/cis-exercise-demo", second)
	if !strings.Contains(logs[1].Message, "skipping s3://cis-examples/thumbnails/cat.png: it is an image cis-exercise-demo wrote") {
		t.Errorf("second invocation log: %+v", logs)
	}
}

func TestTriggerWarning(t *testing.T) {
	// The default lab: output goes elsewhere, no warning.
	lab := labtest.Start(t, "")
	if w := labtest.Of[bus.TriggerWarning](lab.Events); len(w) != 0 {
		t.Fatalf("default lab warned: %+v", w)
	}
	// A trigger on the output bucket: the S3 API accepts it and the lab warns.
	lab.AllowS3(t, "cis-exercise-demo", "cis-examples-output")
	_, err := lab.Client.PutBucketNotificationConfiguration(context.Background(), &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String("cis-examples-output"),
		NotificationConfiguration: &types.NotificationConfiguration{LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{
			{LambdaFunctionArn: aws.String(demoARN), Events: []types.Event{"s3:ObjectCreated:*"}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	w := labtest.Of[bus.TriggerWarning](lab.Events)
	if len(w) != 1 || w[0].Bucket != "cis-examples-output" || w[0].Acknowledged || !strings.HasPrefix(w[0].Message, "Recursive invocation:") {
		t.Fatalf("warnings: %+v", w)
	}
	// A lab file must acknowledge it.
	data := strings.Replace(string(mustYAML(t, "recursion")), "acknowledgeRecursiveInvocation: true", "acknowledgeRecursiveInvocation: false", 1)
	_, err = labfile.ParseFile("loop.yaml", []byte(data))
	if err == nil || !strings.Contains(err.Error(), "loop.yaml:12:5: Recursive invocation: function cis-exercise-demo writes to bucket cis-examples (its OUTPUT_BUCKET is cis-examples)") ||
		!strings.Contains(err.Error(), "acknowledgeRecursiveInvocation: true") {
		t.Errorf("unacknowledged lab: %v", err)
	}
	// The shipped recursion lab acknowledges, and the warning says so.
	loop := startShipped(t, "recursion")
	if w := labtest.Of[bus.TriggerWarning](loop.Events); len(w) != 1 || !w[0].Acknowledged || w[0].Bucket != "cis-examples" {
		t.Errorf("recursion lab warnings: %+v", w)
	}
}
