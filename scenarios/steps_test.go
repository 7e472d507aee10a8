package scenarios

import (
	"fmt"
	"strings"
	"testing"
)

// stepsHeader is the scenario the step tests append their steps to: inbox
// has one trigger (images/*.png → thumbs, the exercise's resize into
// outbox); echoer logs every event it receives; spare has no trigger.
const stepsHeader = `name: steps
description: the trigger, notification, bucket and invoke steps at work
lab:
  buckets:
    - name: inbox
    - name: outbox
    - name: spare
  functions:
    - name: echoer
      handler: echo
    - name: thumbs
      handler: resize
      environment: {OUTPUT_BUCKET: outbox}
  triggers:
    - id: images
      bucket: inbox
      function: thumbs
      prefix: images/
      suffix: .png
steps:
`

// stepList writes steps as the list items of a scenario, one line each.
func stepList(items ...string) string {
	var b strings.Builder
	for _, it := range items {
		b.WriteString("  - " + it + "\n")
	}
	return b.String()
}

// stepAt is where step n (from 1) of a runSteps scenario is.
func stepAt(n int) string {
	return fmt.Sprintf("steps.yaml:%d:5", strings.Count(stepsHeader, "\n")+n)
}

// runSteps runs the steps on stepsHeader's lab.
func runSteps(t *testing.T, items ...string) *Result {
	t.Helper()
	sc, err := Parse("steps.yaml", "", []byte(stepsHeader+stepList(items...)))
	if err != nil {
		t.Fatal(err)
	}
	return Run(ctxT(t), sc)
}

// mustPass stops the test, with the transcript, unless the scenario passed.
func mustPass(t *testing.T, res *Result) {
	t.Helper()
	if !res.Passed {
		t.Fatalf("%s\n%s", res.Failure, res.Transcript)
	}
}

// transcriptHas fails for each of wants the run's transcript lacks.
func transcriptHas(t *testing.T, res *Result, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(res.Transcript, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, res.Transcript)
		}
	}
}

// TestAddTriggerMakesUploadsInvokeTheFunction shows addTrigger adding a
// configuration beside the bucket's existing one: uploads before it invoke
// nothing, matching uploads after it invoke the function with S3's event,
// and the old trigger keeps working.
func TestAddTriggerMakesUploadsInvokeTheFunction(t *testing.T) {
	res := runSteps(t,
		`upload: {bucket: inbox, key: docs/early.txt, text: "before the trigger"}`,
		`wait: idle`,
		`expect: {invocations: {function: echoer, count: 0}}`,
		`addTrigger: {bucket: inbox, function: echoer, prefix: docs/, id: docs}`,
		`upload: {bucket: inbox, key: docs/my notes.txt, text: "matches"}`,
		`upload: {bucket: inbox, key: other/x.txt, text: "outside docs/"}`,
		`wait: idle`,
		`expect: {invocations: {function: echoer, status: ok, count: 1}}`,
		`expect: {log: {function: echoer, matches: '"key": "docs/my\+notes\.txt"', count: 1}}`,
		`expect: {log: {function: echoer, matches: '"configurationId": "docs"'}}`,
		`upload: {bucket: inbox, key: images/cat.png, image: {width: 40, height: 30}}`,
		`wait: idle`,
		`expect: {object: {bucket: outbox, key: images/cat.png, width: 300, height: 300}}`,
		`expect: {invocations: {function: echoer, count: 1}}`,
	)
	mustPass(t, res)
	transcriptHas(t, res,
		"== step 4: addTrigger inbox → echoer s3:ObjectCreated:* (prefix docs/)",
		"S3 inbox: notification configuration set (images, docs)",
		"S3 event ObjectCreated:Put inbox/docs/my notes.txt → echoer (configuration docs)",
	)
}

// TestAddTriggerFilters shows that a trigger's prefix, suffix and events
// decide which requests invoke the function.
func TestAddTriggerFilters(t *testing.T) {
	cases := []struct {
		name    string
		trigger string
		actions []string
		count   int
		matches string
	}{
		{"prefix", "{bucket: spare, function: echoer, prefix: in/}",
			[]string{"upload: {bucket: spare, key: in/a.txt, text: a}", "upload: {bucket: spare, key: out/a.txt, text: a}"}, 1, `"key": "in/a\.txt"`},
		{"suffix", "{bucket: spare, function: echoer, suffix: .csv}",
			[]string{"upload: {bucket: spare, key: a.csv, text: a}", "upload: {bucket: spare, key: a.txt, text: a}"}, 1, `"key": "a\.csv"`},
		{"removals only", `{bucket: spare, function: echoer, events: ["s3:ObjectRemoved:*"]}`,
			[]string{"upload: {bucket: spare, key: a.txt, text: a}", "delete: {bucket: spare, key: a.txt}"}, 1, `"eventName": "ObjectRemoved:Delete"`},
		{"default events are every creation", "{bucket: spare, function: echoer}",
			[]string{"upload: {bucket: spare, key: a.txt, text: a}", "upload: {bucket: spare, key: b.txt, text: b}", "delete: {bucket: spare, key: a.txt}"}, 2, `"eventName": "ObjectCreated:Put"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items := append([]string{"addTrigger: " + tc.trigger}, tc.actions...)
			items = append(items, "wait: idle",
				fmt.Sprintf("expect: {invocations: {function: echoer, status: ok, count: %d}}", tc.count),
				fmt.Sprintf("expect: {log: {function: echoer, matches: '%s', count: %d}}", tc.matches, tc.count))
			mustPass(t, runSteps(t, items...))
		})
	}
}

// refusal is a step that S3 or Lambda refuses, and what must hold after.
type refusal struct {
	name     string
	before   []string // steps that set the scene
	step     string   // the refused step
	code     string   // the AWS error code it meets
	fragment string   // part of AWS's message
	after    []string // checks after the expected error
}

// checkRefusal runs a refusal twice. Unexpected, the run stops at the step
// with a failure that names its position and the AWS error; expected (the
// next step is expect: {error: CODE}), the run passes and the after steps
// hold.
func checkRefusal(t *testing.T, rf refusal) {
	t.Helper()
	n := len(rf.before) + 1
	res := runSteps(t, append(append([]string{}, rf.before...), rf.step)...)
	prefix := fmt.Sprintf("step %d (%s) ", n, stepAt(n))
	if res.Passed || !strings.HasPrefix(res.Failure, prefix) ||
		!strings.Contains(res.Failure, ": unexpected error: ") || !strings.Contains(res.Failure, rf.code) {
		t.Fatalf("unexpected refusal: failure %q, want it to start %q and name %s\n%s", res.Failure, prefix, rf.code, res.Transcript)
	}
	if last := res.Steps[len(res.Steps)-1]; last.Index != n || last.Error != rf.code || !strings.Contains(last.Message, rf.fragment) {
		t.Fatalf("step %d: error %q message %q, want %s with %q", last.Index, last.Error, last.Message, rf.code, rf.fragment)
	}
	items := append(append([]string{}, rf.before...), rf.step, "expect: {error: "+rf.code+"}")
	res = runSteps(t, append(items, rf.after...)...)
	mustPass(t, res)
	if got := res.Steps[n-1]; !got.Passed || got.Error != rf.code {
		t.Fatalf("expected refusal: step %d passed %v with error %q, want %s", n, got.Passed, got.Error, rf.code)
	}
}

// imagesTriggerStillWorks are steps that pass only while inbox's original
// trigger is in place: an S3 refusal leaves the configuration as it was.
var imagesTriggerStillWorks = []string{
	"upload: {bucket: inbox, key: images/after.png, image: {width: 8, height: 8}}",
	"wait: idle",
	"expect: {invocations: {function: thumbs, status: ok, count: 1}}",
	"expect: {invocations: {function: echoer, count: 0}}",
}

// TestAddTriggerRefusals shows S3's answers to configurations it will not
// store, and that a refused addTrigger changes nothing.
func TestAddTriggerRefusals(t *testing.T) {
	for _, rf := range []refusal{
		{name: "ambiguous with the existing trigger", step: "addTrigger: {bucket: inbox, function: echoer, suffix: .png}",
			code: "InvalidArgument", fragment: "Configuration is ambiguously defined"},
		{name: "overlapping", before: []string{"addTrigger: {bucket: spare, function: thumbs}"},
			step: "addTrigger: {bucket: spare, function: echoer}", code: "InvalidArgument", fragment: "Configurations overlap"},
		{name: "an id already used", step: "addTrigger: {bucket: inbox, function: echoer, prefix: docs/, id: images}",
			code: "InvalidArgument", fragment: "Same ID used for multiple configurations"},
		{name: "no such function", step: "addTrigger: {bucket: inbox, function: ghost, prefix: docs/}",
			code: "InvalidArgument", fragment: "Unable to validate the following destination configurations"},
		{name: "unsupported event", step: `addTrigger: {bucket: inbox, function: echoer, prefix: docs/, events: ["s3:ObjectCreated:Upload"]}`,
			code: "InvalidArgument", fragment: "The event is not supported for notifications"},
		{name: "wildcard prefix", step: "addTrigger: {bucket: inbox, function: echoer, prefix: docs/*}",
			code: "InvalidArgument", fragment: "Wildcards are not supported"},
		{name: "no such bucket", step: "addTrigger: {bucket: no-such-bucket, function: echoer}",
			code: "NoSuchBucket", fragment: "The specified bucket does not exist"},
	} {
		rf.after = imagesTriggerStillWorks
		t.Run(rf.name, func(t *testing.T) { checkRefusal(t, rf) })
	}
}

// TestPutNotificationReplacesTheConfiguration shows putNotification
// replacing a bucket's triggers (the lab's images trigger stops, the new
// ones run) and triggers: [] removing them all.
func TestPutNotificationReplacesTheConfiguration(t *testing.T) {
	res := runSteps(t,
		`putNotification: {bucket: inbox, triggers: [{function: echoer, events: ["s3:ObjectRemoved:*"], id: removals}, {function: thumbs, prefix: photos/, suffix: .png, id: photos}]}`,
		`upload: {bucket: inbox, key: images/a.png, image: {width: 20, height: 20}}`,
		`upload: {bucket: inbox, key: photos/b.png, image: {width: 20, height: 20}}`,
		`delete: {bucket: inbox, key: images/a.png}`,
		`wait: idle`,
		`expect: {object: {bucket: outbox, key: images/a.png, absent: true}}`,
		`expect: {object: {bucket: outbox, key: photos/b.png, width: 300, height: 300}}`,
		`expect: {invocations: {function: echoer, status: ok, count: 1}}`,
		`expect: {log: {function: echoer, matches: '"eventName": "ObjectRemoved:Delete"', count: 1}}`,
		`expect: {log: {function: echoer, matches: '"configurationId": "removals"', count: 1}}`,
		`putNotification: {bucket: inbox, triggers: []}`,
		`upload: {bucket: inbox, key: photos/c.png, image: {width: 20, height: 20}}`,
		`delete: {bucket: inbox, key: photos/b.png}`,
		`wait: idle`,
		`expect: {invocations: {function: thumbs, count: 1}}`,
		`expect: {invocations: {function: echoer, count: 1}}`,
	)
	mustPass(t, res)
	transcriptHas(t, res,
		"== step 1: putNotification inbox (2 trigger(s))",
		"S3 inbox: notification configuration set (removals, photos)",
		"== step 11: putNotification inbox (0 trigger(s))",
		"S3 inbox: notifications removed",
	)
}

// TestPutNotificationRefusals shows S3's InvalidArgument (and NoSuchBucket)
// for configurations it will not store; the old configuration stays.
func TestPutNotificationRefusals(t *testing.T) {
	put := func(triggers string) string { return "putNotification: {bucket: inbox, triggers: " + triggers + "}" }
	for _, rf := range []refusal{
		{name: "unsupported event", step: put(`[{function: echoer, events: ["s3:ObjectCreated:Bogus"]}]`),
			code: "InvalidArgument", fragment: "The event is not supported for notifications"},
		{name: "two triggers overlap", step: put("[{function: echoer}, {function: thumbs}]"),
			code: "InvalidArgument", fragment: "Configurations overlap"},
		{name: "ambiguous suffixes", step: put("[{function: echoer, suffix: .png}, {function: thumbs, prefix: a/, suffix: .png}]"),
			code: "InvalidArgument", fragment: "Configuration is ambiguously defined"},
		{name: "duplicate ids", step: put("[{function: echoer, prefix: a/, id: x}, {function: thumbs, prefix: b/, id: x}]"),
			code: "InvalidArgument", fragment: "Same ID used for multiple configurations"},
		{name: "wildcard suffix", step: put("[{function: echoer, suffix: '*.txt'}]"),
			code: "InvalidArgument", fragment: "Wildcards are not supported"},
		{name: "no such function", step: put("[{function: ghost}]"),
			code: "InvalidArgument", fragment: "Unable to validate the following destination configurations"},
		{name: "no such bucket", step: "putNotification: {bucket: no-such-bucket, triggers: [{function: echoer}]}",
			code: "NoSuchBucket", fragment: "The specified bucket does not exist"},
	} {
		rf.after = imagesTriggerStillWorks
		t.Run(rf.name, func(t *testing.T) { checkRefusal(t, rf) })
	}
}

// TestDeleteBucket shows DeleteBucket through the step: an empty bucket
// goes (with its triggers), a non-empty one answers BucketNotEmpty and
// stays, a missing one answers NoSuchBucket.
func TestDeleteBucket(t *testing.T) {
	gone := []string{
		"upload: {bucket: spare, key: a.txt, text: a}",
		"expect: {error: NoSuchBucket}",
	}
	for _, tc := range []struct {
		name, bucket  string
		before, after []string
		step          string
	}{
		{name: "empty", bucket: "spare", step: "deleteBucket: spare", after: gone},
		{name: "by mapping", bucket: "spare", step: "deleteBucket: {name: spare}", after: gone},
		{name: "emptied first", bucket: "spare", before: []string{"upload: {bucket: spare, key: a.txt, text: a}", "delete: {bucket: spare, key: a.txt}"},
			step: "deleteBucket: spare", after: gone},
		{name: "its triggers go with it", bucket: "inbox", step: "deleteBucket: inbox", after: []string{
			"createBucket: inbox",
			"upload: {bucket: inbox, key: images/a.png, image: {width: 8, height: 8}}",
			"wait: idle",
			"expect: {invocations: {function: thumbs, count: 0}}",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.before) + 1
			res := runSteps(t, append(append(append([]string{}, tc.before...), tc.step), tc.after...)...)
			mustPass(t, res)
			bucket := tc.bucket
			if got := res.Steps[n-1]; got.Kind != "deleteBucket" || got.Error != "" || got.Description != "deleteBucket "+bucket {
				t.Errorf("step %d: %+v", n, got)
			}
			if !strings.Contains(res.Transcript, "S3 bucket deleted: "+bucket+"\n") {
				t.Errorf("the transcript lacks the deletion of %s:\n%s", bucket, res.Transcript)
			}
		})
	}
	for _, rf := range []refusal{
		{name: "not empty", before: []string{"upload: {bucket: spare, key: keep.txt, text: a}"}, step: "deleteBucket: spare",
			code: "BucketNotEmpty", fragment: "The bucket you tried to delete is not empty",
			after: []string{"expect: {objects: {bucket: spare, count: 1}}", "expect: {object: {bucket: spare, key: keep.txt, size: 1}}"}},
		{name: "no such bucket", step: "deleteBucket: no-such-bucket",
			code: "NoSuchBucket", fragment: "The specified bucket does not exist", after: []string{"expect: {objects: {bucket: spare, count: 0}}"}},
	} {
		t.Run(rf.name, func(t *testing.T) { checkRefusal(t, rf) })
	}
}

// TestExpectErrorSaysWhatTheStepDid shows the failure when an error
// expectation after deleteBucket does not hold: another code, or none.
func TestExpectErrorSaysWhatTheStepDid(t *testing.T) {
	cases := []struct {
		name  string
		items []string
		want  string
	}{
		{"another code", []string{"upload: {bucket: spare, key: a.txt, text: a}", "deleteBucket: spare", "expect: {error: NoSuchBucket}"},
			"step 3 (" + stepAt(3) + ") expect error NoSuchBucket: the previous step failed with BucketNotEmpty, want NoSuchBucket"},
		{"no error", []string{"deleteBucket: spare", "expect: {error: BucketNotEmpty}"},
			"step 2 (" + stepAt(2) + ") expect error BucketNotEmpty: the previous step succeeded, want it to fail with BucketNotEmpty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runSteps(t, tc.items...)
			if res.Passed || res.Failure != tc.want {
				t.Fatalf("failure:\n%s\nwant:\n%s\n%s", res.Failure, tc.want, res.Transcript)
			}
		})
	}
}

// TestInvokeRunsTheFunctionWithTheEvent shows invoke queueing a test event
// as the console's Test button does: the function gets the payload or the
// template's S3 event, asynchronously, with Lambda's retries.
func TestInvokeRunsTheFunctionWithTheEvent(t *testing.T) {
	cases := []struct {
		name, function string
		items          []string
	}{
		{"payload", "echoer", []string{
			"invoke: {function: echoer, payload: {hello: world, items: [1, 2]}}",
			"wait: idle",
			"expect: {invocations: {function: echoer, status: ok, count: 1}}",
			`expect: {log: {function: echoer, matches: '"hello": "world"', count: 1}}`,
			"expect: {metric: {function: echoer, name: AsyncEventsReceived, value: 1}}",
		}},
		{"s3-put template", "echoer", []string{
			"invoke: {function: echoer, template: s3-put, bucket: spare, key: my photo.png}",
			"wait: idle",
			"expect: {invocations: {function: echoer, status: ok, count: 1}}",
			`expect: {log: {function: echoer, matches: '"eventName": "ObjectCreated:Put"', count: 1}}`,
			`expect: {log: {function: echoer, matches: '"key": "my\+photo\.png"', count: 1}}`,
			`expect: {log: {function: echoer, matches: '"arn": "arn:aws:s3:::spare"', count: 1}}`,
		}},
		{"s3-delete template", "echoer", []string{
			"invoke: {function: echoer, template: s3-delete, bucket: spare, key: gone.txt}",
			"wait: idle",
			`expect: {log: {function: echoer, matches: '"eventName": "ObjectRemoved:Delete"', count: 1}}`,
			`expect: {log: {function: echoer, matches: '"size"', count: 0}}`,
		}},
		{"the exercise on an object without a trigger", "thumbs", []string{
			"upload: {bucket: spare, key: my pic.png, image: {width: 64, height: 48}}",
			"wait: idle",
			"expect: {invocations: {function: thumbs, count: 0}}",
			"invoke: {function: thumbs, template: s3-put, bucket: spare, key: my pic.png}",
			"wait: idle",
			"expect: {object: {bucket: outbox, key: my pic.png, contentType: image/png, width: 300, height: 300}}",
		}},
		{"a missing object is retried like S3's events", "thumbs", []string{
			"invoke: {function: thumbs, template: s3-put, bucket: spare, key: missing.png}",
			"wait: idle",
			"expect: {invocations: {function: thumbs, status: error, count: 3}}",
			"expect: {invocations: {function: thumbs, status: dropped, count: 1}}",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runSteps(t, tc.items...)
			mustPass(t, res)
			if !strings.Contains(res.Transcript, "\n09:00:00.000 "+tc.function+" | START RequestId: ") {
				t.Errorf("no invocation of %s in the transcript:\n%s", tc.function, res.Transcript)
			}
		})
	}
}

// TestInvokeRefusals shows Lambda's ResourceNotFoundException for a test
// event to a function that does not exist.
func TestInvokeRefusals(t *testing.T) {
	checkRefusal(t, refusal{
		step: "invoke: {function: ghost, payload: {a: 1}}", code: "ResourceNotFoundException",
		fragment: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost",
		after:    []string{"wait: idle", "expect: {invocations: {function: echoer, count: 0}}"},
	})
}

// TestStepShapesOfTheFourKinds shows the parse errors of addTrigger,
// putNotification, deleteBucket and invoke: where, what, and the shape.
func TestStepShapesOfTheFourKinds(t *testing.T) {
	cases := []struct{ name, step, want string }{
		{"trigger without function", "addTrigger: {bucket: b}",
			"x.yaml:4:17: addTrigger: a trigger needs bucket and function; the shape is " + Shapes["addTrigger"]},
		{"trigger field misspelt", "addTrigger: {bucket: b, function: f, prefx: a/}", `x.yaml:4:42: addTrigger: unknown field "prefx"`},
		{"events not a list", "addTrigger: {bucket: b, function: f, events: s3:ObjectCreated:*}", "x.yaml:4:50: addTrigger: "},
		{"notification without bucket", "putNotification: {triggers: []}", "x.yaml:4:22: putNotification: putNotification needs bucket"},
		{"notification trigger without function", "putNotification: {bucket: b, triggers: [{prefix: a/}]}",
			"x.yaml:4:22: putNotification: trigger 1 needs function; the shape is " + Shapes["putNotification"]},
		{"notification trigger for another bucket", "putNotification: {bucket: b, triggers: [{function: f}, {bucket: c, function: g}]}",
			"x.yaml:4:22: putNotification: trigger 2 names bucket c, but this putNotification sets the triggers of b"},
		{"triggers not a list", "putNotification: {bucket: b, triggers: {function: f}}", "x.yaml:4:44: putNotification: "},
		{"notification field misspelt", "putNotification: {bucket: b, triggers: [{function: f, sufix: .png}]}", `x.yaml:4:59: putNotification: unknown field "sufix"`},
		{"bucket without name", "deleteBucket: {}", "x.yaml:4:19: deleteBucket: the bucket needs a name; the shape is deleteBucket: NAME"},
		{"bucket as a list", "deleteBucket: [a, b]", "x.yaml:4:19: deleteBucket: "},
		{"invoke without function", "invoke: {template: s3-put, bucket: b, key: k}", "x.yaml:4:13: invoke: invoke needs function"},
		{"invoke without event", "invoke: {function: f}", "x.yaml:4:13: invoke: invoke needs one of template, payload; the shape is " + Shapes["invoke"]},
		{"invoke with two events", "invoke: {function: f, template: s3-put, bucket: b, key: k, payload: {a: 1}}", "x.yaml:4:13: invoke: invoke needs one of template, payload"},
		{"unknown template", "invoke: {function: f, template: s3-get, bucket: b, key: k}", `x.yaml:4:13: invoke: template "s3-get": s3-put or s3-delete`},
		{"template without key", "invoke: {function: f, template: s3-delete, bucket: b}", "x.yaml:4:13: invoke: template s3-delete needs bucket and key"},
		{"template without bucket", "invoke: {function: f, template: s3-put, key: k}", "x.yaml:4:13: invoke: template s3-put needs bucket and key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", "", []byte("name: x\nlab: default\nsteps:\n  - "+tc.step+"\n"))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got  %v\nwant %s…", err, tc.want)
			}
		})
	}
}

// TestFourKindsFromAFile runs testdata/steps/four-kinds.yaml, a scenario
// file using all four step kinds, twice: it passes, each kind ran, and the
// two transcripts are identical.
func TestFourKindsFromAFile(t *testing.T) {
	var transcripts []string
	for range 2 {
		sc, err := Load("testdata/steps/four-kinds.yaml")
		if err != nil {
			t.Fatal(err)
		}
		res := Run(ctxT(t), sc)
		mustPass(t, res)
		ran := map[string]bool{}
		for _, st := range res.Steps {
			ran[st.Kind] = true
		}
		for _, kind := range []string{"addTrigger", "putNotification", "deleteBucket", "invoke"} {
			if !ran[kind] {
				t.Errorf("no %s step ran", kind)
			}
		}
		transcripts = append(transcripts, res.Transcript)
	}
	if transcripts[0] != transcripts[1] {
		t.Fatalf("two runs differ:\n%s", firstDifference(transcripts[0], transcripts[1]))
	}
}
