package tui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// studentLab has no role, so the function may use every bucket the student
// creates.
const studentLab = `
buckets:
  - name: thumbnails-out
functions:
  - name: thumbnailer
    handler: resize
    environment: {OUTPUT_BUCKET: thumbnails-out}
`

func writePNG(t *testing.T, dir, name string, w, h int) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 4), uint8(y * 4), 200, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConsoleExercise shows that key presses alone, as a user types them,
// drive the whole exercise: create a bucket (an invalid name is refused as
// typed), select it with k (up), add a trigger, upload, tab to the
// Invocations pane, open the invocation and read its log from START to
// REPORT. Nothing reaches into the model to select or focus.
func TestConsoleExercise(t *testing.T) {
	h := newHarness(t, studentLab, 80, 24)
	h.keys("c")
	h.typeText("My_Photos")
	h.mustSee("must not contain uppercase letters")
	h.keys("enter") // refused: the dialog stays
	if h.m.dialog == nil {
		t.Fatal("an invalid bucket name closed the dialog")
	}
	for range "My_Photos" {
		h.send(backspace())
	}
	h.typeText("photos-in")
	h.keys("enter")
	h.settle()
	if h.m.c.State.Bucket("photos-in") == nil {
		t.Fatalf("bucket not created:\n%s", h.screen())
	}
	h.mustSee("created bucket photos-in", "▪ photos-in")

	// The Lab pane's cursor stays where it was (thumbnails-out); photos-in
	// sorts above it, so one press of k selects it and the Objects pane
	// follows.
	if it := h.m.labP.selected(); it.bucket != "thumbnails-out" {
		t.Fatalf("after creating, the Lab cursor is on %+v, want thumbnails-out", it)
	}
	h.keys("k")
	if h.m.c.State.Selected != "photos-in" {
		t.Fatalf("k selected %q, want photos-in:\n%s", h.m.c.State.Selected, h.screen())
	}
	h.mustSee("Objects · photos-in (0)")
	// Add a trigger to the function.
	h.keys("t")
	h.mustSee("Add trigger · S3 bucket photos-in", "thumbnailer", "[x] s3:ObjectCreated:*")
	h.keys("enter")
	h.settle()
	h.mustSee("trigger added: photos-in s3:ObjectCreated:* → thumbnailer", "λ")

	// Upload a picture through the upload dialog.
	path := writePNG(t, t.TempDir(), "cat.png", 64, 48)
	h.keys("u")
	h.typeText(path)
	h.keys("enter")
	h.settle()
	h.mustSee("uploaded 1 file(s) to photos-in", "cat.png")
	if n := len(h.m.c.State.History.rows); n != 1 {
		t.Fatalf("invocation rows = %d, want 1", n)
	}
	inv := h.m.c.State.History.rows[0]
	if inv.Status != "ok" || inv.Function != "thumbnailer" {
		t.Fatalf("invocation: %+v", inv)
	}
	h.mustSee("thumbnailer", "ok")

	// Open it: tab twice (Lab → Objects → Invocations), enter on the newest
	// row; Detail shows the log from START to REPORT.
	h.keys("tab")
	if h.m.focus != objectsPaneID {
		t.Fatalf("tab from Lab focused pane %d, want Objects", h.m.focus)
	}
	h.keys("tab")
	if h.m.focus != invocationsPaneID {
		t.Fatalf("second tab focused pane %d, want Invocations", h.m.focus)
	}
	h.keys("enter")
	if h.m.focus != detailPaneID || h.m.detail.kind != detailInvocation {
		t.Fatalf("enter did not open the invocation")
	}
	h.keys("z")
	h.mustSee("START RequestId: "+inv.RequestID, "resizing s3://photos-in/cat.png", "END RequestId: "+inv.RequestID)
	for range 10 {
		h.keys("j")
	}
	h.mustSee("REPORT RequestId: " + inv.RequestID)
	h.keys("z", "esc")
	if h.m.focus != invocationsPaneID {
		t.Errorf("esc should return to the Invocations pane, focus is %d", h.m.focus)
	}
	if b := h.m.c.State.Bucket("thumbnails-out"); b == nil || len(b.Objects) != 1 || b.Objects[0].Key != "cat.png" {
		t.Errorf("thumbnails-out: %+v", b)
	}
}

func backspace() tea.KeyPressMsg { return tea.KeyPressMsg{Code: tea.KeyBackspace} }

// TestDeleteNeedsTheConsolesConfirmation shows that x deletes nothing until
// "permanently delete" is typed exactly, as the console asks.
func TestDeleteNeedsTheConsolesConfirmation(t *testing.T) {
	h := newHarness(t, studentLab, 80, 24)
	h.lab.Put(t, "thumbnails-out", "keep-me.png", []byte("x"), "image/png")
	h.settle()
	h.keys("tab") // the only bucket is selected; tab focuses its objects
	if h.m.focus != objectsPaneID {
		t.Fatalf("tab focused pane %d, want Objects", h.m.focus)
	}
	for _, attempt := range []string{"", "delete", "yes", "Permanently delete", "permanently delete "} {
		h.keys("x")
		h.mustSee("To confirm, type: permanently delete")
		h.typeText(attempt)
		h.keys("enter")
		if h.m.dialog == nil {
			t.Fatalf("%q was accepted as the confirmation", attempt)
		}
		h.mustSee("type permanently delete to confirm")
		h.keys("esc")
		h.settle()
		if b := h.m.c.State.Bucket("thumbnails-out"); len(b.Objects) != 1 {
			t.Fatalf("%q deleted the object", attempt)
		}
	}
	h.keys("x")
	h.typeText("permanently delete")
	h.keys("enter")
	h.settle()
	if b := h.m.c.State.Bucket("thumbnails-out"); len(b.Objects) != 0 {
		t.Fatalf("the confirmed delete left %d objects", len(b.Objects))
	}
	h.mustSee("permanently deleted 1 object(s) from thumbnails-out")
}

func TestDownloadStaysInItsFolder(t *testing.T) {
	for _, key := range []string{"../escape.txt", "a/../../escape.txt", "/etc/passwd", ""} {
		if _, err := SafeJoin("/tmp/dl", key); err == nil {
			t.Errorf("SafeJoin accepted %q", key)
		}
	}
	if p, err := SafeJoin("/tmp/dl", "photos/2024/cat.png"); err != nil || p != filepath.Join("/tmp/dl", "photos", "2024", "cat.png") {
		t.Errorf("SafeJoin(photos/2024/cat.png) = %q, %v", p, err)
	}
}

// TestLoopBanner: the recursion lab's loop shows a banner; s opens the safe
// patterns.
func TestLoopBanner(t *testing.T) {
	data, err := os.ReadFile("../emulator/labs/recursion.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, string(data), 100, 30)
	h.lab.Put(t, "cis-examples", "cat.png", []byte(mustPNG(t)), "image/png")
	h.settle()
	h.mustSee("LOOP STOPPED: cis-exercise-demo ran 16 times in a chain", "s safe patterns", "dropped-loop")
	h.keys("s")
	h.mustSee("Recursive loops: three safe patterns", "same-bucket-prefix")
	h.keys("esc", "esc")
	if strings.Contains(h.screen(), "LOOP STOPPED") {
		t.Error("esc did not dismiss the banner")
	}
}

func mustPNG(t *testing.T) string {
	dir := t.TempDir()
	b, _ := os.ReadFile(writePNG(t, dir, "x.png", 32, 32))
	return string(b)
}

// TestGolden renders the default lab after one upload at the smallest
// supported size and a roomy one.
func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := newHarness(t, "", size[0], size[1])
			h.lab.Put(t, "cis-examples", "holiday photo.png", []byte(mustPNG(t)), "image/png")
			h.settle()
			h.keys("tab", "tab", "enter") // Lab → Objects → Invocations, open the newest
			golden.RequireEqual(t, []byte(h.screen()))
		})
	}
}

func TestPreviewProfiles(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 32), 0, uint8(y * 32), 255})
		}
	}
	cases := map[colorprofile.Profile]string{
		colorprofile.TrueColor: "\x1b[38;2;",
		colorprofile.ANSI256:   "\x1b[38;5;",
		colorprofile.ANSI:      "▀",
	}
	for p, want := range cases {
		lines := renderPreview(img, 8, 4, p)
		if len(lines) != 4 || !strings.Contains(lines[0], want) {
			t.Errorf("profile %v: %q", p, lines)
		}
	}
	ascii := renderPreview(img, 8, 4, colorprofile.Ascii)
	if len(ascii) == 0 || strings.Contains(strings.Join(ascii, ""), "\x1b") {
		t.Errorf("NO_COLOR preview must be plain text: %q", ascii)
	}
}

func TestMouseSelectsPanesAndRows(t *testing.T) {
	h := newHarness(t, studentLab, 80, 24)
	h.lab.Put(t, "thumbnails-out", "a.png", []byte("x"), "")
	h.lab.Put(t, "thumbnails-out", "b.png", []byte("x"), "")
	h.settle()
	// Click the second object row of the Objects pane.
	r := h.m.rects[objectsPaneID]
	h.send(tea.MouseClickMsg{X: r.x + 3, Y: r.y + 3, Button: tea.MouseLeft})
	if h.m.focus != objectsPaneID {
		t.Fatalf("click did not focus Objects")
	}
	if o, _ := h.m.objects.selected(); o.Key != "b.png" {
		t.Errorf("click selected %q, want b.png", o.Key)
	}
	// The wheel scrolls the pane under the pointer.
	h.send(tea.MouseWheelMsg{X: r.x + 3, Y: r.y + 3, Button: tea.MouseWheelUp})
	if o, _ := h.m.objects.selected(); o.Key != "a.png" {
		t.Errorf("wheel up selected %q, want a.png", o.Key)
	}
}

func TestResizeRelaysOut(t *testing.T) {
	h := newHarness(t, "", 80, 24)
	small := h.m.rects
	h.send(tea.WindowSizeMsg{Width: 160, Height: 50})
	if h.m.rects == small || h.m.rects[detailPaneID].w <= small[detailPaneID].w {
		t.Fatalf("panes did not grow: %v → %v", small, h.m.rects)
	}
	for _, line := range strings.Split(h.screen(), "\n") {
		if w := len([]rune(line)); w > 160 {
			t.Fatalf("a line is %d cells wide at 160 columns: %q", w, line)
		}
	}
}

// TestDownloadDoesNotFollowLinksOut: a symbolic link inside the download
// folder that points outside it does not let a key write there.
func TestDownloadDoesNotFollowLinksOut(t *testing.T) {
	lab := labtest.Start(t, "")
	lab.Put(t, "cis-examples", "link/escape.txt", []byte("x"), "text/plain")
	lab.Put(t, "cis-examples", "inside/ok.txt", []byte("ok"), "text/plain")
	dir, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	src := NewSource(lab.Lab, "")
	if err := src.downloadOne(context.Background(), "cis-examples", "link/escape.txt", dir); err == nil {
		t.Error("the download followed the link out of its folder")
	}
	if _, err := os.Stat(filepath.Join(outside, "escape.txt")); err == nil {
		t.Error("a file was written outside the download folder")
	}
	if err := src.downloadOne(context.Background(), "cis-examples", "inside/ok.txt", dir); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "inside", "ok.txt")); string(b) != "ok" {
		t.Errorf("inside/ok.txt = %q", b)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"cat.png":       "cat.png",
		"a\x1b[2Jb":     `a\x1b[2Jb`,
		"line\nbreak\r": `line\x0abreak\x0d`,
		"tab\there":     "tab  here",
		"ü \u009b31m €": `ü \x9b31m €`,
		"del\x7f":       `del\x7f`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}
