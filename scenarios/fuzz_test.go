package scenarios_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/scenarios"
)

// FuzzParseScenario parses scenario files (YAML) without running them. It
// checks:
//   - nothing panics, and parsing is deterministic;
//   - every error (errors.Join'ed ones one by one) is a *yamlpos.PosError
//     whose message starts "fuzz.yaml:LINE:COL: " with a position inside the
//     file; the few errors about the whole file (empty, no lab) have no
//     position, and a lab file's or policyFile's error names that file;
//   - an accepted scenario has a name, a lab and a seed.
//
// Seeds: testdata/fuzz/FuzzParseScenario (the library and broken variants).
func FuzzParseScenario(f *testing.F) {
	paths, err := filepath.Glob("library/*.yaml")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no library scenarios: %v", err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("name: x\nlab: default\nsteps: {}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if labtest.TouchesDevices(data) {
			t.Skip("would read a device file")
		}
		const name = "fuzz.yaml"
		sc, err := scenarios.Parse(name, "", data)
		_, err2 := scenarios.Parse(name, "", data)
		if labtest.ErrString(err) != labtest.ErrString(err2) {
			t.Fatalf("Parse not deterministic:\n%v\nthen\n%v", err, err2)
		}
		if err != nil {
			labtest.CheckPosErrors(t, name, data, err, "the scenario is empty", "the scenario has no lab")
			return
		}
		if sc.Name == "" || sc.Lab == nil || sc.Seed == 0 {
			t.Fatalf("accepted scenario without name, lab or seed: %+v", sc)
		}
	})
}
