package printer

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// TestObjectQuotesControlCharacters: a key cannot forge a log line or send
// escape sequences to the terminal.
func TestObjectQuotesControlCharacters(t *testing.T) {
	for key, want := range map[string]string{
		"cat.png":                "b/cat.png",
		"ümlaut é.png":           "b/ümlaut é.png",
		"x\n12:00:00.000 S3 PUT": `b/"x\n12:00:00.000 S3 PUT"`,
		"\x1b[2Jclear":           `b/"\x1b[2Jclear"`,
	} {
		if got := object("b", key); got != want {
			t.Errorf("object(%q) = %s, want %s", key, got, want)
		}
	}
}

// TestLoopStoppedBlock: a stopped loop prints as one block, every line
// stamped and prefixed by the function: which limit stopped it, the chain,
// and what to change. The two stops read differently: Lambda's detection
// (AWS does this too) and lambdalab's own ceiling (AWS would not stop it).
func TestLoopStoppedBlock(t *testing.T) {
	at := time.Date(2026, 6, 1, 9, 0, 1, 250_000_000, time.UTC)
	for _, tc := range []struct {
		name string
		ev   bus.LoopStopped
		want []string
	}{{
		name: "lambda",
		ev: bus.LoopStopped{Header: bus.Header{Time: at}, Function: "cis-exercise-demo", Chain: "0a1b2c3d", Invocations: 16,
			Path: "cis-examples/cat.png → cis-exercise-demo → cis-examples/cat.png → … (16 invocations)",
			By:   "lambda", Advice: "write the output to a different bucket"},
		want: []string{
			"09:00:01.250 cis-exercise-demo ■ RECURSIVE LOOP STOPPED by Lambda after 16 invocations; the next event was dropped (RecursiveInvocationsDropped)",
			"09:00:01.250 cis-exercise-demo ■ chain: cis-examples/cat.png → cis-exercise-demo → cis-examples/cat.png → … (16 invocations)",
			"09:00:01.250 cis-exercise-demo ■ to fix: write the output to a different bucket",
		},
	}, {
		name: "lab-ceiling",
		ev: bus.LoopStopped{Header: bus.Header{Time: at.Add(time.Hour)}, Function: "loop", Chain: "ffff0000", Invocations: 1000,
			Path: "b/k → loop → b/k → … (1000 invocations)",
			By:   "lab-ceiling", Advice: "this function allows recursive loops (recursiveLoop: Allow)"},
		want: []string{
			"10:00:01.250 loop ■ RECURSIVE LOOP STOPPED BY LAMBDALAB'S CEILING after 1000 invocations (the function allows loops; AWS would not stop it)",
			"10:00:01.250 loop ■ chain: b/k → loop → b/k → … (1000 invocations)",
			"10:00:01.250 loop ■ to fix: this function allows recursive loops (recursiveLoop: Allow)",
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, verbose := range []bool{false, true} {
				var buf bytes.Buffer
				p := New(&buf)
				p.Verbose = verbose
				p.Print(tc.ev)
				if got, want := buf.String(), strings.Join(tc.want, "\n")+"\n"; got != want {
					t.Errorf("verbose=%v:\n got %q\nwant %q", verbose, got, want)
				}
			}
		})
	}
}

// TestRecursiveDropLine: the event Lambda drops when it stops a loop says
// where its invocation record went, or that it is lost.
func TestRecursiveDropLine(t *testing.T) {
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	drop := bus.InvocationDropped{Header: bus.Header{Time: at}, Function: "f", EventID: "e1", Condition: "RecursiveInvocationDropped"}
	for _, tc := range []struct {
		destination, err, want string
	}{
		{"", "", "09:00:00.000 f ~ event dropped: RecursiveInvocationDropped after 0 attempt(s); no on-failure destination is configured, so the event is lost\n"},
		{"s3://failed-events/aws/lambda/async/f/x", "", "09:00:00.000 f ~ event dropped: RecursiveInvocationDropped after 0 attempt(s); invocation record written to s3://failed-events/aws/lambda/async/f/x\n"},
		{"s3://failed-events/x", "AccessDenied", "09:00:00.000 f ~ event dropped: RecursiveInvocationDropped after 0 attempt(s); the invocation record could not be written to s3://failed-events/x: AccessDenied\n"},
	} {
		d := drop
		d.Destination, d.Error = tc.destination, tc.err
		var buf bytes.Buffer
		New(&buf).Print(d)
		if buf.String() != tc.want {
			t.Errorf("got  %q\nwant %q", buf.String(), tc.want)
		}
	}
}

func TestLogLineSplitsRecordsAndEscapesControls(t *testing.T) {
	var buf strings.Builder
	p := New(&buf)
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	p.Print(bus.LogLine{Header: bus.Header{Time: at}, Function: "f",
		Line: "[ERROR] KeyError: 'Records'\rTraceback (most recent call last):\r  File \"x\"\x1b[31m"})
	p.Print(bus.RuntimeNotice{Header: bus.Header{Time: at}, Function: "f", Message: "python3.10 requested; this machine runs Python 3.11.2"})
	want := "09:00:00.000 f | [ERROR] KeyError: 'Records'\n" +
		"09:00:00.000 f | Traceback (most recent call last):\n" +
		"09:00:00.000 f |   File \"x\"\\x1b[31m\n" +
		"09:00:00.000 f ! python3.10 requested; this machine runs Python 3.11.2\n"
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}
