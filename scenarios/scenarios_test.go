package scenarios

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // a hang guard, not a speed bound
	t.Cleanup(cancel)
	return ctx
}

// TestLibrary runs every embedded scenario: each passes, and its
// transcript equals, byte for byte, the golden transcript an earlier run
// wrote (lambdalab run --update).
func TestLibrary(t *testing.T) {
	lib := Library()
	if len(lib) < 9 {
		t.Fatalf("library has %d scenarios", len(lib))
	}
	for _, e := range lib {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel() // each its own lab; most wait on function processes
			if e.Description == "" {
				t.Error("no description")
			}
			sc, err := Embedded(e.Name)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Notes == "" {
				t.Error("an embedded scenario explains itself in notes")
			}
			// One run, compared with the golden an earlier run wrote: the
			// same bytes from another run, on another day and machine, is
			// what determinism means (a second run here doubled the time).
			first := Run(ctxT(t), sc)
			if !first.Passed {
				t.Fatalf("failed: %s\n%s", first.Failure, first.Transcript)
			}
			golden, ok := Golden(e.Name)
			if !ok || golden != first.Transcript {
				t.Fatalf("transcript differs from library/%s.golden (lambdalab run --update %s):\n%s", e.Name, e.Name, firstDifference(golden, first.Transcript))
			}
		})
	}
}

func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < min(len(al), len(bl)); i++ {
		if al[i] != bl[i] {
			return "line " + strconv.Itoa(i+1) + ":\n- " + al[i] + "\n+ " + bl[i]
		}
	}
	return "lengths differ"
}

func TestWrongExpectationSaysWhichStepAndWhy(t *testing.T) {
	src := `name: wrong
description: expects the thumbnail in the wrong size
lab: default
steps:
  - upload: {bucket: cis-examples, key: cat.png, image: {width: 100, height: 100}}
  - wait: idle
  - expect: {object: {bucket: cis-examples-output, key: cat.png, width: 200, height: 200}}
  - expect: {invocations: {function: cis-exercise-demo, status: ok, count: 1}}
`
	sc, err := Parse("wrong.yaml", "", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res := Run(ctxT(t), sc)
	want := "step 3 (wrong.yaml:7:5) expect s3://cis-examples-output/cat.png 200×200: s3://cis-examples-output/cat.png: png of 300×300, want 200×200"
	if res.Passed || res.Failure != want {
		t.Fatalf("failure:\n%s\nwant:\n%s", res.Failure, want)
	}
	if len(res.Steps) != 3 || !strings.Contains(res.Transcript, "== FAILED: step 3") {
		t.Errorf("the run should stop at the failing step: %d steps\n%s", len(res.Steps), res.Transcript)
	}
}

func TestUnexpectedErrorFailsTheStep(t *testing.T) {
	src := "name: oops\nlab: default\nsteps:\n  - createBucket: Bad_Name\n  - expect: {objects: {bucket: cis-examples, count: 0}}\n"
	sc, err := Parse("oops.yaml", "", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res := Run(ctxT(t), sc)
	if res.Passed || !strings.Contains(res.Failure, "step 1 (oops.yaml:4:5) createBucket Bad_Name: unexpected error") ||
		!strings.Contains(res.Failure, "InvalidBucketName") {
		t.Fatalf("failure: %s", res.Failure)
	}
}

func TestMalformedScenarios(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"unknown kind", "name: x\nlab: default\nsteps:\n  - uplaod: {bucket: b, key: k, text: hi}\n",
			`x.yaml:4:5: unknown step kind "uplaod"; the kinds are addLayer, addTrigger, createBucket`},
		{"unknown field", "name: x\nlab: default\nsteps:\n  - upload: {bucket: b, key: k, txt: hi}\n",
			`x.yaml:4:33: upload: unknown field "txt"; the shape is upload: {bucket: B, key: K, and one of file`},
		{"wrong type", "name: x\nlab: default\nsteps:\n  - wait: {invocations: many}\n",
			`x.yaml:4:25: wait:`},
		{"missing parts", "name: x\nlab: default\nsteps:\n  - upload: {bucket: b}\n",
			"x.yaml:4:13: upload: an upload needs bucket, key and exactly one of file, sample, image, text; the shape is upload:"},
		{"two kinds", "name: x\nlab: default\nsteps:\n  - wait: idle\n    expect: {error: X}\n",
			"x.yaml:5:5: step 1 has two kinds (wait and expect)"},
		{"bad inline lab", "name: x\nlab:\n  buckets:\n    - name: Bad_Bucket\nsteps:\n  - wait: idle\n",
			`x.yaml:4:13: invalid bucket name "Bad_Bucket"`},
		{"unknown top-level key", "name: x\nlab: default\nsteps: []\ngrading: strict\n", `x.yaml:4:1: unknown field "grading"`},
		{"steps not a list", "name: x\nlab: default\nsteps: {upload: x}\n", "x.yaml:3:8: steps must be a list"},
		{"bad expect status", "name: x\nlab: default\nsteps:\n  - expect: {invocations: {function: f, status: fine, count: 1}}\n",
			`status "fine": one of ok, error`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", "", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}

// TestTeacherScenarioFromADirectory: a teacher's scenario next to a
// student's lab file and image, in a plain directory: no rebuild needed.
func TestTeacherScenarioFromADirectory(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "student-lab.yaml"), []byte(`
buckets:
  - name: student-uploads
  - name: student-thumbs
functions:
  - name: thumbnailer
    handler: resize
    environment: {OUTPUT_BUCKET: student-thumbs, WIDTH: "128", HEIGHT: "128"}
triggers:
  - bucket: student-uploads
    function: thumbnailer
    suffix: .png
`), 0o644)
	img, _ := Samples.ReadFile("samples/sunset-small.png")
	os.WriteFile(filepath.Join(dir, "holiday.png"), img, 0o644)
	os.WriteFile(filepath.Join(dir, "grade.yaml"), []byte(`name: grade
description: The student's thumbnailer makes 128x128 PNGs of .png uploads only.
lab: {file: student-lab.yaml}
steps:
  - upload: {bucket: student-uploads, key: holiday.png, file: holiday.png}
  - upload: {bucket: student-uploads, key: notes.txt, text: "not an image"}
  - wait: idle
  - expect: {object: {bucket: student-thumbs, key: holiday.png, contentType: image/png, width: 128, height: 128}}
  - expect: {invocations: {function: thumbnailer, count: 1}}
`), 0o644)
	sc, err := Load(filepath.Join(dir, "grade.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if res := Run(ctxT(t), sc); !res.Passed {
		t.Fatalf("%s\n%s", res.Failure, res.Transcript)
	}
}
