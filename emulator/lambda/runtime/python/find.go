// Package python runs Lambda's Python runtimes on this machine: it finds an
// interpreter for a python3.X runtime, prepares the runtime directory
// (lambdalab's own runtime client beside the machine's boto3 and nothing
// else), gives the command line that starts it as an execution environment,
// and builds Python layers.
package python

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// SafePath is where Find looks for interpreters: the system's and the
// package managers' directories, never a user's shims (pyenv, asdf), whose
// python depends on the directory and shell it is started from.
const SafePath = "/usr/local/bin:/usr/bin:/bin:/opt/homebrew/bin"

// MinVersion is the oldest Python the runtime client supports.
const MinVersion = "3.8"

// Interpreter is the python that runs a function's execution environments.
type Interpreter struct {
	Path    string // absolute path of the executable
	Version string // e.g. "3.11.2"
	Notice  string // why this is not the runtime's version ("" when it is)
}

var runtimeRE = regexp.MustCompile(`^python3\.(\d+)$`)

// Find returns the interpreter for a Lambda runtime such as "python3.12":
// python3.12 itself if the machine has it, else the machine's python3 with a
// Notice saying which version runs instead.
func Find(runtime string) (Interpreter, error) {
	return find(runtime, filepath.SplitList(SafePath))
}

func find(runtime string, dirs []string) (Interpreter, error) {
	m := runtimeRE.FindStringSubmatch(runtime)
	if m == nil {
		return Interpreter{}, fmt.Errorf("runtime %q is not a Python runtime (python3.X)", runtime)
	}
	want := "3." + m[1]
	if p := lookIn(dirs, runtime); p != "" {
		if v, err := probeVersion(p); err == nil && majorMinor(v) == want {
			return Interpreter{Path: p, Version: v}, nil
		}
	}
	p := lookIn(dirs, "python3")
	if p == "" {
		return Interpreter{}, errNoPython(runtime, dirs)
	}
	v, err := probeVersion(p)
	if err != nil {
		return Interpreter{}, fmt.Errorf("%s requested; %s does not run: %w", runtime, p, err)
	}
	if !atLeast(v, MinVersion) {
		return Interpreter{}, fmt.Errorf("%s requested; this machine's python3 (%s) is Python %s, and lambdalab needs %s or later: %s",
			runtime, p, v, MinVersion, installHint)
	}
	in := Interpreter{Path: p, Version: v}
	if majorMinor(v) != want {
		in.Notice = fmt.Sprintf("%s requested; this machine runs Python %s", runtime, v)
	}
	return in, nil
}

const installHint = "install Python 3 (Debian/Ubuntu: sudo apt-get install python3; Fedora: sudo dnf install python3; macOS: brew install python)"

func errNoPython(runtime string, dirs []string) error {
	return fmt.Errorf("%s requested, but there is no python3 in %s: %s", runtime, strings.Join(dirs, ":"), installHint)
}

// lookIn returns the first executable regular file called name in dirs.
func lookIn(dirs []string, name string) string {
	for _, d := range dirs {
		p := filepath.Join(d, name)
		fi, err := os.Stat(p)
		if err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// probeTimeout bounds a python that never answers (a broken install), so
// that Find fails instead of hanging; a working one answers in milliseconds.
const probeTimeout = 30 * time.Second

// runPython runs the interpreter isolated from the host's Python setup, with
// an empty environment, and returns its stdout.
func runPython(path string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"-I", "-S", "-B"}, args...)...)
	cmd.Env = []string{"LC_ALL=C.UTF-8"}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("%w: %s", err, lastLine(msg))
		}
		return nil, err
	}
	return out, nil
}

func lastLine(s string) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func probeVersion(path string) (string, error) {
	out, err := runPython(path, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])")
	if err != nil {
		return "", err
	}
	v := strings.TrimSpace(string(out))
	if strings.Count(v, ".") != 2 {
		return "", errors.New("unexpected version " + strconv.Quote(v))
	}
	return v, nil
}

// majorMinor turns "3.11.2" into "3.11".
func majorMinor(v string) string {
	if i := strings.LastIndexByte(v, '.'); i > 0 && strings.Count(v, ".") == 2 {
		return v[:i]
	}
	return v
}

// atLeast compares dotted versions numerically.
func atLeast(v, min string) bool {
	a, b := strings.Split(v, "."), strings.Split(min, ".")
	for i := range b {
		if i >= len(a) {
			return false
		}
		x, _ := strconv.Atoi(a[i])
		y, _ := strconv.Atoi(b[i])
		if x != y {
			return x > y
		}
	}
	return true
}
