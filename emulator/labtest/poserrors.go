package labtest

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/lambdalab/lambdalab/internal/yamlpos"
)

// TouchesDevices reports whether a fuzzed file could make a parser read
// from /dev (a policyFile of /dev/zero never ends), /proc or /sys.
func TouchesDevices(data []byte) bool {
	for _, s := range []string{"/dev", "/proc", "/sys"} {
		if bytes.Contains(data, []byte(s)) {
			return true
		}
	}
	return false
}

// ErrString is err's text, "<nil>" for none: for comparing two parses.
func ErrString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// posPrefix is how a positioned PosError begins: file:line:col: message.
var posPrefix = regexp.MustCompile(`^(.*?):(\d+):(\d+): \S`)

// CheckPosErrors checks that err, and each error it joins, is a PosError
// naming file at a position inside data. Errors whose message contains one
// of unpositioned may leave out the position; a PosError naming another
// file (a policyFile, a scenario's lab file) is accepted as it is.
func CheckPosErrors(t testing.TB, file string, data []byte, err error, unpositioned ...string) {
	t.Helper()
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	// YAML breaks lines at LF, CRLF and a lone CR.
	lines := bytes.Count(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\n")) + bytes.Count(data, []byte("\r")) - bytes.Count(data, []byte("\r\n")) + 1
	for _, e := range errs {
		var pe *yamlpos.PosError
		if !errors.As(e, &pe) || pe != e {
			t.Fatalf("error %T %q: want a *yamlpos.PosError\n%q", e, e, data)
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
		if pe.Line == 0 && containsAny(pe.Msg, unpositioned) {
			if msg := e.Error(); msg != file+": "+pe.Msg {
				t.Fatalf("error %q: want it to start %q", msg, file+": ")
			}
			continue
		}
		m := posPrefix.FindStringSubmatch(e.Error())
		if m == nil || m[1] != file {
			t.Fatalf("error %q: want %s:LINE:COL: ...\n%q", e, file, data)
		}
		if pe.Line < 1 || pe.Line > lines || pe.Col < 1 {
			t.Fatalf("error %q: position %d:%d outside the file (%d lines)\n%q", e, pe.Line, pe.Col, lines, data)
		}
	}
}

func containsAny(msg string, parts []string) bool {
	for _, p := range parts {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
