package emulator_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/lambdalab/lambdalab/emulator"
)

// FuzzParseLab parses lab files (YAML) without starting a lab. It checks:
//   - nothing panics, and parsing is deterministic;
//   - every error (errors.Join'ed ones one by one) is an *emulator.PosError
//     whose message starts "lab.yaml:LINE:COL: " with a position inside the
//     file; only an empty file has no position, and only a policyFile's
//     error names another file;
//   - an accepted lab has a region, and its notification configurations
//     can be built.
//
// Seeds: testdata/fuzz/FuzzParseLab (the shipped labs and broken variants).
func FuzzParseLab(f *testing.F) {
	for _, name := range emulator.ShippedLabs() {
		data, err := labsFS.ReadFile(name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("buckets: [abc\n"))
	f.Add([]byte("functions:\n  - name: f\n    handler: echo\n    timeout: 3 seconds\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if fuzzTouchesDevices(data) {
			t.Skip("would read a device file")
		}
		const name = "lab.yaml"
		lab, err := emulator.ParseFile(name, data)
		_, err2 := emulator.ParseFile(name, data)
		if fuzzErrString(err) != fuzzErrString(err2) {
			t.Fatalf("ParseFile not deterministic:\n%v\nthen\n%v", err, err2)
		}
		if err != nil {
			fuzzCheckPosErrors(t, name, data, err, "the lab file is empty")
			return
		}
		if lab.Region == "" || lab.AccountConcurrency < 1 {
			t.Fatalf("accepted lab without region or concurrency: %+v", lab)
		}
		_ = lab.Notifications()
	})
}

// fuzzTouchesDevices reports whether a fuzzed file could make the parser
// read from /dev (a policyFile of /dev/zero never ends), /proc or /sys.
// scenarios/fuzz_test.go has a copy, as it has of the helpers below.
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
// naming file at a position inside data. Errors whose message contains one
// of unpositioned may leave out the position; a PosError naming another
// file (a policyFile, a scenario's lab file) is accepted as it is.
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
