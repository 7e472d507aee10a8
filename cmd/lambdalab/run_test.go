package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lambdalab/lambdalab/scenarios"
)

// --update keeps the golden transcript of a scenario that failed: its
// transcript is not what the scenario should show.
func TestUpdateLeavesAFailedScenariosGolden(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, scenarios.LibraryDir), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	golden := filepath.Join(scenarios.LibraryDir, "broken.golden")
	os.WriteFile(golden, []byte("the good transcript\n"), 0o644)

	failed := &scenarios.Result{Name: "broken", Passed: false, Failure: "step 2 failed", Transcript: "a bad transcript\n"}
	checkGolden("broken", failed, true)
	if b, _ := os.ReadFile(golden); string(b) != "the good transcript\n" {
		t.Errorf("golden rewritten by a failed run: %q", b)
	}
	if failed.Passed {
		t.Error("a failed run reported passed")
	}

	passed := &scenarios.Result{Name: "broken", Passed: true, Transcript: "the new transcript\n"}
	checkGolden("broken", passed, true)
	if b, _ := os.ReadFile(golden); string(b) != "the new transcript\n" || !passed.Passed {
		t.Errorf("golden of a passed run: %q (passed %v, %s)", b, passed.Passed, passed.Failure)
	}
}
