package layers

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// ProgramReport says what a layer built from a program of this machine
// holds, as `lambdalab layer build --from-machine` prints it.
type ProgramReport struct {
	zip   string
	files [][2]string // name in the zip, source
	notes []string
}

// String lists the zip's files with where each came from, and the notes.
func (r ProgramReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n", r.zip)
	for _, f := range r.files {
		fmt.Fprintf(&b, "  %s  (from %s)\n", f[0], f[1])
	}
	for _, n := range r.notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	return b.String()
}

// Summary says what the zip holds in one line: the program, how many
// libraries, and where the zip is.
func (r ProgramReport) Summary() string {
	if len(r.files) == 0 {
		return r.zip
	}
	return fmt.Sprintf("%s and %d shared libraries in lib/, in %s", r.files[0][0], len(r.files)-1, r.zip)
}

// cLibrary matches the GNU C library's own objects, which every Lambda
// runtime has: a layer that brought this machine's would shadow them.
var cLibrary = regexp.MustCompile(`^(ld-linux.*|lib(c|m|mvec|pthread|dl|rt|resolv|util|anl|nsl|BrokenLocale|nss_[a-z]+)\.so(\.\d+)*)$`)

// BuildProgram writes out, a layer zip holding program (found on PATH) in
// bin/ and the shared libraries ldd says it loads in lib/, under the names
// the loader asks for: what `lambdalab layer build NAME --from-machine`
// does.
func BuildProgram(program, out string) (ProgramReport, error) {
	rep := ProgramReport{zip: out}
	path, err := exec.LookPath(program)
	if err != nil {
		return rep, fmt.Errorf("%s is not installed on this machine (not found on PATH): install it first (Debian/Ubuntu: sudo apt-get install %s; Fedora: sudo dnf install %s; macOS: brew install %s), then build the layer again",
			program, program, program, program)
	}
	if path, err = filepath.EvalSymlinks(path); err != nil {
		return rep, err
	}
	rep.files = append(rep.files, [2]string{"bin/" + program, path})
	libs, skipped, err := sharedLibraries(path)
	if err != nil {
		return rep, err
	}
	for _, l := range libs {
		rep.files = append(rep.files, [2]string{"lib/" + l[0], l[1]})
	}
	if len(skipped) > 0 {
		rep.notes = append(rep.notes, "left out "+strings.Join(skipped, ", ")+": the C library, which the function's runtime has")
	}
	rep.notes = append(rep.notes, "built from this machine's binaries: for AWS, build on Amazon Linux 2023 (or use a static build)")
	return rep, writeLayerZip(out, rep.files)
}

// sharedLibraries runs ldd on path: the libraries to copy (soname, file)
// and the C library's it leaves out.
func sharedLibraries(path string) (libs [][2]string, skipped []string, err error) {
	cmd := exec.Command("ldd", path)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	outb, err := cmd.Output()
	text := string(outb)
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && strings.Contains(text+string(ee.Stderr), "not a dynamic executable") {
			return nil, nil, nil // a static program needs nothing more
		}
		return nil, nil, fmt.Errorf("ldd %s: %w", path, err)
	}
	for _, line := range strings.Split(text, "\n") {
		soname, rest, found := strings.Cut(strings.TrimSpace(line), " => ")
		switch {
		case !found:
			continue // the vDSO, or the loader by its absolute path
		case strings.HasPrefix(rest, "not found"):
			return nil, nil, fmt.Errorf("%s needs %s, which this machine does not have: the program cannot run here either", path, soname)
		case cLibrary.MatchString(soname):
			skipped = append(skipped, soname)
			continue
		}
		file, _, _ := strings.Cut(rest, " (")
		libs = append(libs, [2]string{soname, file})
	}
	sort.Slice(libs, func(i, j int) bool { return libs[i][0] < libs[j][0] })
	return libs, skipped, nil
}

// writeLayerZip writes files (name in the zip, source) sorted, with fixed
// times, so the same program gives the same zip; bin/ entries are
// executable.
func writeLayerZip(out string, files [][2]string) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".layer-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	zw := zip.NewWriter(tmp)
	sorted := append([][2]string(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i][0] < sorted[j][0] })
	for _, f := range sorted {
		if err := addZipFile(zw, f[0], f[1]); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}

func addZipFile(zw *zip.Writer, name, src string) error {
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}
	h.SetMode(0o644)
	if strings.HasPrefix(name, "bin/") {
		h.SetMode(0o755)
	}
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
