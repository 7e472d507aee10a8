package labfile_test

import (
	"testing"

	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/labs"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// FuzzParseLab parses lab files (YAML) without starting a lab. It checks:
//   - nothing panics, and parsing is deterministic;
//   - every error (errors.Join'ed ones one by one) is a *yamlpos.PosError
//     whose message starts "lab.yaml:LINE:COL: " with a position inside the
//     file; only an empty file has no position, and only a policyFile's
//     error names another file;
//   - an accepted lab has a region, and its notification configurations
//     can be built.
//
// Seeds: testdata/fuzz/FuzzParseLab (the shipped labs and broken variants).
func FuzzParseLab(f *testing.F) {
	for _, name := range labfile.ShippedLabs() {
		data, err := labs.Files.ReadFile(name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("buckets: [abc\n"))
	f.Add([]byte("functions:\n  - name: f\n    handler: echo\n    timeout: 3 seconds\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if labtest.TouchesDevices(data) {
			t.Skip("would read a device file")
		}
		const name = "lab.yaml"
		lab, err := labfile.ParseFile(name, data)
		_, err2 := labfile.ParseFile(name, data)
		if labtest.ErrString(err) != labtest.ErrString(err2) {
			t.Fatalf("ParseFile not deterministic:\n%v\nthen\n%v", err, err2)
		}
		if err != nil {
			labtest.CheckPosErrors(t, name, data, err, "the lab file is empty")
			return
		}
		if lab.Region == "" || lab.AccountConcurrency < 1 {
			t.Fatalf("accepted lab without region or concurrency: %+v", lab)
		}
		_ = lab.Notifications()
	})
}
