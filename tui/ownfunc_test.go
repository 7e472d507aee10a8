package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime/python"
)

// The console on a function of its own code: what it shows, adding a
// layer, testing it. The function runs as a real Python process (on the
// lab's virtual clock, so its REPORT is deterministic). The goldens record
// this machine's python3 and Pillow where the console names them (the
// runtime note, the stand-in layer): Debian 12's 3.11.2 and 9.4.0 on the
// project's machines; elsewhere `go test -update` records the machine's.

// ownLab has a Python function whose code is testdata/ownfunc (relative to
// this package, where the tests run), and a built-in one.
const ownLab = `
buckets:
  - name: cis-examples
  - name: cis-examples-output
functions:
  - name: thumbnailer
    runtime: python3.10
    handler: lambda_function.lambda_handler
    code: testdata/ownfunc
  - name: zresize
    handler: resize
    environment: {OUTPUT_BUCKET: cis-examples-output}
triggers:
  - bucket: cis-examples
    function: thumbnailer
`

// ownHarness starts ownLab with the code's files dated testStart, so that
// the function view's "Changed" is the same on every run.
func ownHarness(t *testing.T, labYAML string, w, h int) *harness {
	t.Helper()
	files, _ := filepath.Glob("testdata/ownfunc/*")
	for _, f := range files {
		if err := os.Chtimes(f, testStart, testStart); err != nil {
			t.Fatal(err)
		}
	}
	hs := newHarness(t, labYAML, w, h)
	hs.keys("G", "k", "enter") // the Python function (the built-in is last), in Detail
	if hs.m.detail.function != "thumbnailer" {
		t.Fatalf("Detail shows %q:\n%s", hs.m.detail.function, hs.screen())
	}
	return hs
}

// machinePython is what the console says runs python3.10 here.
func machinePython(t *testing.T) string {
	t.Helper()
	in, err := python.Find("python3.10")
	if err != nil {
		t.Fatal(err)
	}
	return in.Notice
}

// TestFunctionViewShowsItsSource: runtime, handler, the code's folder and
// when it last changed, the layers (none yet), and what the runtime said.
func TestFunctionViewShowsItsSource(t *testing.T) {
	h := ownHarness(t, ownLab, 120, 40)
	h.keys("z")
	h.mustSee("Runtime      python3.10", "Handler      lambda_function.lambda_handler", "Code         testdata/ownfunc",
		"Changed      2026-11-24 09:30:00", "Layers (0 of 5)", "none (l adds one)")
	if n := machinePython(t); n != "" {
		h.mustSee("Runtime notes", "! "+n)
	}
	h.keys("esc", "esc", "G", "enter") // unzoom, back to Lab, the built-in
	h.mustSee("Handler      resize (built-in)")
	if s := h.screen(); strings.Contains(s, "Layers (") || strings.Contains(s, "Runtime ") {
		t.Errorf("a built-in handler has no runtime or layers:\n%s", s)
	}
}

// TestFunctionViewGolden: the Python function with the Klayers Pillow
// layer, at the smallest size and a roomy one.
func TestFunctionViewGolden(t *testing.T) {
	withLayer := strings.Replace(ownLab, "    code: testdata/ownfunc\n", "    code: testdata/ownfunc\n    layers: [\""+emulator.KlayersPillow+"\"]\n", 1)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := ownHarness(t, withLayer, size[0], size[1])
			h.keys("z") // the Detail pane zoomed, as one reads a function
			golden.RequireEqual(t, []byte(h.screen()))
			h.mustSee("1 " + emulator.KlayersPillow)
			h.mustSee("stand-in for Klayers-p310-Pillow:2: Pillow")
		})
	}
}

// TestAddLayerDialog: l, the ARN, enter verifies it (the stand-in says
// what it is), enter adds it: the function view lists it, and the lab's
// function has it.
func TestAddLayerDialog(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := ownHarness(t, ownLab, size[0], size[1])
			h.keys("l")
			h.mustSee("Add a layer · thumbnailer", "Layers: 0 of 5.", "enter verify")
			h.typeText(emulator.KlayersPillow)
			h.keys("enter")
			h.mustSee("✓ Klayers-p310-Pillow:2 · ", "stand-in for Klayers-p310-Pillow:2: Pillow", "enter add")
			golden.RequireEqual(t, []byte(h.screen()))
			h.keys("enter")
			if h.m.dialog != nil {
				t.Fatalf("the dialog stayed open:\n%s", h.screen())
			}
			h.settle()
			h.mustSee("added layer " + emulator.KlayersPillow)
			if ls := layerARNs(t, h, "thumbnailer"); len(ls) != 1 || ls[0] != emulator.KlayersPillow {
				t.Errorf("the function's layers: %q", ls)
			}
			h.keys("z")
			h.mustSee("Layers (1 of 5)", "1 "+emulator.KlayersPillow)
		})
	}
}

// TestAddLayerDialogRefusals: Verify shows Lambda's error and adds
// nothing; an edit after a Verify needs another; esc adds nothing.
func TestAddLayerDialogRefusals(t *testing.T) {
	h := ownHarness(t, ownLab, 120, 40)
	for _, tc := range []struct{ arn, want string }{
		{"", "type a layer version ARN, e.g."},
		{"arn:aws:lambda:us-east-1:000000000000:layer:nope:1", "ResourceNotFoundException: The resource you requested does not exist."},
		{"arn:aws:lambda:us-east-1:123456789012:layer:numpy:3", "AccessDeniedException: lambdalab cannot download arn:aws:lambda:us-east-1:123456789012:layer:numpy:3"},
		{"pillow:1", "ValidationException: 1 validation error detected: Value 'pillow:1' at 'arn'"},
	} {
		h.keys("l")
		h.typeText(tc.arn)
		h.keys("enter")
		h.dialogSays(tc.want, "enter verify")
		h.keys("enter") // verifies again; never adds
		h.keys("esc")
		if h.m.dialog != nil {
			t.Fatal("esc did not close the dialog")
		}
	}
	h.keys("l")
	h.typeText(emulator.KlayersPillow)
	h.keys("enter")
	h.mustSee("enter add")
	h.typeText("0") // …:Klayers-p310-Pillow:20
	h.mustSee("enter verify")
	h.keys("esc")
	if ls := layerARNs(t, h, "thumbnailer"); len(ls) != 0 {
		t.Errorf("refused or cancelled layers were added: %q", ls)
	}
	h.keys("esc", "G", "l") // the built-in function
	h.mustSee("zresize runs a built-in handler: layers are for functions of their own code")
	if h.m.dialog != nil {
		t.Error("l opened a dialog on a built-in handler")
	}
}

// TestTestDialog: i opens the S3 Put test event for the function's bucket;
// ctrl+s invokes the Python function with it and shows the execution
// result as the console's Test tab does.
func TestTestDialog(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := ownHarness(t, ownLab, size[0], size[1])
			h.keys("i")
			h.mustSee("Test · thumbnailer", `"eventName": "ObjectCreated:Put"`, "ctrl+s test")
			h.keys("ctrl+s")
			h.mustSee("Execution result: succeeded", "Response", `"statusCode": 200`, `"key": "test/key"`,
				"Function Logs", "START RequestId: ", "got cis-examples test/key", "END RequestId: ", "REPORT RequestId: ")
			golden.RequireEqual(t, []byte(h.screen()))
			h.keys("G", "down", "down", "down", "down", "down")
			h.mustSee("Request ID")
			h.keys("tab") // back to the event
			h.mustSee(`"eventName": "ObjectCreated:Put"`)
			h.keys("esc")
			if h.m.dialog != nil {
				t.Fatal("esc did not close the dialog")
			}
		})
	}
}

// TestTestDialogFailures: a function error is a failed execution with the
// function's error document; an event that is not JSON is refused before
// anything runs.
func TestTestDialogFailures(t *testing.T) {
	h := ownHarness(t, ownLab, 120, 40)
	h.keys("esc", "G", "i") // the built-in resize: test/key does not exist
	h.keys("ctrl+s")
	h.mustSee("Execution result: failed", `"errorMessage": "get s3://cis-examples/test/key: `, "NoSuchKey", "REPORT RequestId: ")
	h.keys("tab")
	h.typeText("x") // at the start: x{…
	h.keys("ctrl+s")
	h.mustSee("the event is not valid JSON")
	if n := len(h.lab.Events.All()); n == 0 {
		t.Fatal("no events recorded")
	}
}

// dialogSays fails unless the open dialog's text, its lines joined, holds
// each of wants (a message wrapped over lines reads whole).
func (h *harness) dialogSays(wants ...string) {
	h.t.Helper()
	text := strings.Join(strings.Fields(dialogText(h.screen())), " ")
	for _, w := range wants {
		if !strings.Contains(text, w) {
			h.t.Fatalf("the dialog does not say %q:\n%s", w, h.screen())
		}
	}
}

// TestInvocationShowsItsInitPhase: an attempt whose environment failed to
// start shows the runtime's lines before START (the error, each line of
// its traceback, INIT_REPORT), as its log stream holds them.
func TestInvocationShowsItsInitPhase(t *testing.T) {
	lab := strings.Replace(ownLab, "code: testdata/ownfunc\n", "code: testdata/ownfunc-pil\n", 1)
	h := newHarness(t, lab, 120, 40)
	h.lab.Put(t, "cis-examples", "cat.png", []byte("not really"), "image/png")
	h.settle()
	h.keys("tab", "tab", "g", "enter", "z") // the first attempt, zoomed
	h.mustSee("Status       init-error (attempt 1)")
	lines := strings.Split(h.screen(), "\n")
	var log []string
	for _, l := range lines {
		if l = strings.Trim(l, "│ "); l != "" {
			log = append(log, l)
		}
	}
	want := []string{"[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'PIL'",
		"Traceback (most recent call last):", "INIT_REPORT Init Duration: ", "START RequestId: "}
	next := 0
	for _, l := range log {
		if next < len(want) && strings.HasPrefix(l, want[next]) {
			next++
		}
	}
	if next < len(want) {
		t.Fatalf("the invocation's log lacks %q (in this order):\n%s", want[next], h.screen())
	}
}

// layerARNs are a function's layers as Lambda's configuration lists them.
func layerARNs(t *testing.T, h *harness, function string) []string {
	t.Helper()
	var out []string
	for _, l := range functionConfiguration(t, h.lab.RootClients(), function).Layers {
		out = append(out, aws.ToString(l.Arn))
	}
	return out
}
