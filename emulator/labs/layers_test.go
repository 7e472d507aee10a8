package labs

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrepareLayersBuildsShippedProgramLayers: a shipped lab's program
// layer is built from this machine when missing (a zip with bin/PROGRAM),
// and said so; present, it is left as it is.
func TestPrepareLayersBuildsShippedProgramLayers(t *testing.T) {
	saved := programLayers
	programLayers = map[string]map[string]string{"demo": {"xz.zip": "xz"}}
	t.Cleanup(func() { programLayers = saved })
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "demo"), 0o755) // the extracted code, as LoadLab leaves it
	zipPath := filepath.Join(dir, "xz.zip")
	refs := []LayerRef{{Function: "f", Ref: "xz.zip", Path: zipPath}}

	report, err := PrepareLayers("demo", dir, refs)
	if err != nil || !strings.Contains(report, "lab demo: built its layer xz.zip from this machine's xz, once: bin/xz and ") ||
		!strings.Contains(report, "lambdalab layer build xz --from-machine") {
		t.Fatalf("PrepareLayers = %q, %v", report, err)
	}
	r, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Open("bin/xz"); err != nil {
		t.Errorf("the layer has no bin/xz: %v", err)
	}
	if report, err := PrepareLayers("demo", dir, refs); report != "" || err != nil {
		t.Errorf("built again: %q, %v", report, err)
	}
}

// TestPrepareLayersNamesTheCommand: a missing layer zip of any other lab
// (a student's copy of the shipped one among them) is an error naming the
// command that builds it, and nothing is built.
func TestPrepareLayersNamesTheCommand(t *testing.T) {
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "ffmpeg.zip")
	for _, lab := range []string{filepath.Join(dir, "lab.yaml"), "transcode"} {
		_, err := PrepareLayers(lab, dir, []LayerRef{{Function: "split", Ref: "ffmpeg.zip", Path: zipPath}})
		want := "function split: layer ffmpeg.zip: there is no " + zipPath + "; build it first: lambdalab layer build ffmpeg --from-machine --out " + zipPath
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("lab %s: %v\nwant %s…", lab, err, want)
		}
	}
	if _, err := os.Stat(zipPath); err == nil {
		t.Error("a zip was built for a lab that is not shipped")
	}
}
