package scenarios_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/scenarios"
)

// FuzzParseScenario parses scenario files (YAML) without running them. It
// checks:
//   - nothing panics, and parsing is deterministic;
//   - every error (errors.Join'ed ones one by one) is an *emulator.PosError
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
		if fuzzTouchesDevices(data) {
			t.Skip("would read a device file")
		}
		const name = "fuzz.yaml"
		sc, err := scenarios.Parse(name, "", data)
		_, err2 := scenarios.Parse(name, "", data)
		if fuzzErrString(err) != fuzzErrString(err2) {
			t.Fatalf("Parse not deterministic:\n%v\nthen\n%v", err, err2)
		}
		if err != nil {
			fuzzCheckPosErrors(t, name, data, err, "the scenario is empty", "the scenario has no lab")
			return
		}
		if sc.Name == "" || sc.Lab == nil || sc.Seed == 0 {
			t.Fatalf("accepted scenario without name, lab or seed: %+v", sc)
		}
	})
}

// fuzzTouchesDevices reports whether a fuzzed file could make the parser read
// from /dev (a lab file of /dev/zero never ends), /proc or /sys.
func fuzzTouchesDevices(data []byte) bool {
	for _, s := range []string{"/dev", "/proc", "/sys"} {
		if bytes.Contains(data, []byte(s)) {
			return true
		}
	}
	return false
}

func fuzzErrString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// fuzzPosPrefix is how a positioned PosError begins: file:line:col: message.
var fuzzPosPrefix = regexp.MustCompile(`^(.*?):(\d+):(\d+): \S`)

// fuzzCheckPosErrors checks that err, and each error it joins, is a PosError
// naming file at a position inside data (the emulator's fuzz test has the
// same helper). Errors whose message contains one of unpositioned may leave
// out the position; a PosError naming another file is accepted as it is.
func fuzzCheckPosErrors(t *testing.T, file string, data []byte, err error, unpositioned ...string) {
	t.Helper()
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	// YAML breaks lines at LF, CRLF and a lone CR.
	lines := bytes.Count(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\n")) + bytes.Count(data, []byte("\r")) - bytes.Count(data, []byte("\r\n")) + 1
	for _, e := range errs {
		var pe *emulator.PosError
		if !errors.As(e, &pe) || pe != e {
			t.Fatalf("error %T %q: want an *emulator.PosError\n%q", e, e, data)
		}
		if pe.Msg == "" {
			t.Fatalf("error %q has no message", e)
		}
		if pe.File != file {
			if _, err := os.Stat(pe.File); pe.File == "" || errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("error %q names no file of ours", e)
			}
			continue
		}
		if pe.Line == 0 && fuzzAllowed(pe.Msg, unpositioned) {
			if msg := e.Error(); msg != file+": "+pe.Msg {
				t.Fatalf("error %q: want it to start %q", msg, file+": ")
			}
			continue
		}
		m := fuzzPosPrefix.FindStringSubmatch(e.Error())
		if m == nil || m[1] != file {
			t.Fatalf("error %q: want %s:LINE:COL: ...\n%q", e, file, data)
		}
		if pe.Line < 1 || pe.Line > lines || pe.Col < 1 {
			t.Fatalf("error %q: position %d:%d outside the file (%d lines)\n%q", e, pe.Line, pe.Col, lines, data)
		}
	}
}

func fuzzAllowed(msg string, unpositioned []string) bool {
	for _, u := range unpositioned {
		if strings.Contains(msg, u) {
			return true
		}
	}
	return false
}
