package runtime

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// goBuild is a provided.* Go main package compiled into a bootstrap.
type goBuild struct {
	dir   string // holds only the bootstrap: the task root
	built bool   // this call compiled it
	stamp stamp  // the package's module-local sources, for Changed
}

// goPackage is what `go list -deps` says a main package is made of inside
// its own module.
type goPackage struct {
	importPath string
	dirs       []string // module-local package directories
	files      []string // go.mod and go.sum
}

// buildGo compiles the main package in src as AWS's Go guide does
// (CGO_ENABLED=0, -tags lambda.norpc), into a cache keyed by the contents of
// the sources it depends on inside its module: a rebuild happens only when
// one of them changed. The build uses the host's environment: it is not a
// function process.
func (m *Manager) buildGo(src string) (goBuild, error) {
	goBin, err := m.goCommand()
	if err != nil {
		return goBuild{}, err
	}
	pkg, err := listGoPackage(goBin, src)
	if err != nil {
		return goBuild{}, err
	}
	s := stamp{paths: append(slices.Clone(pkg.dirs), pkg.files...)}
	s.sum = s.compute()
	key, err := pkg.contentKey(goBin)
	if err != nil {
		return goBuild{}, err
	}
	builds := filepath.Join(m.cacheDir, "build")
	dir := filepath.Join(builds, key)
	if _, err := os.Stat(filepath.Join(dir, "bootstrap")); err == nil {
		return goBuild{dir: dir, stamp: s}, nil
	}
	if err := os.MkdirAll(builds, 0o755); err != nil {
		return goBuild{}, err
	}
	tmp, err := os.MkdirTemp(builds, ".tmp-")
	if err != nil {
		return goBuild{}, err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command(goBin, "build", "-tags", "lambda.norpc", "-buildvcs=false", "-o", filepath.Join(tmp, "bootstrap"), ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return goBuild{}, fmt.Errorf("go build %s (%s): %v\n%s", pkg.importPath, src, err, bytes.TrimSpace(out))
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return goBuild{}, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, "bootstrap")); serr != nil {
			return goBuild{}, err
		}
	}
	return goBuild{dir: dir, built: true, stamp: s}, nil
}

// listGoPackage asks go list which of the package's dependencies live in its
// own module; those are the sources a change to which needs a rebuild.
func listGoPackage(goBin, src string) (goPackage, error) {
	const format = `{{if .Module}}{{if .Module.Main}}{{.Dir}}{{"\t"}}{{.Module.GoMod}}{{"\t"}}{{.Name}}{{"\t"}}{{.ImportPath}}{{end}}{{end}}`
	cmd := exec.Command(goBin, "list", "-e", "-deps", "-f", format, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return goPackage{}, fmt.Errorf("go list %s: %v\n%s", src, err, bytes.TrimSpace(stderr.Bytes()))
	}
	var pkg goPackage
	var name, gomod string
	for line := range strings.Lines(string(out)) {
		f := strings.Split(strings.TrimSpace(line), "\t")
		if len(f) != 4 {
			continue
		}
		pkg.dirs = append(pkg.dirs, f[0])
		gomod, name, pkg.importPath = f[1], f[2], f[3]
	}
	if len(pkg.dirs) == 0 {
		return goPackage{}, fmt.Errorf("go list %s: the folder is not a package of a Go module (it needs a go.mod)", src)
	}
	if name != "main" && name != "" {
		return goPackage{}, fmt.Errorf("%s: package %s is %q, not main: a provided.* function's bootstrap is built from a main package", src, pkg.importPath, name)
	}
	pkg.files = []string{gomod, filepath.Join(filepath.Dir(gomod), "go.sum")}
	return pkg, nil
}

// contentKey hashes the toolchain and the contents of the module-local
// sources, so the build cache survives a touch and a checkout.
func (pkg goPackage) contentKey(goBin string) (string, error) {
	h := sha256.New()
	if fi, err := os.Stat(goBin); err == nil {
		fmt.Fprintf(h, "%s %d %d\n", goBin, fi.Size(), fi.ModTime().UnixNano())
	}
	var files []string
	for _, d := range pkg.dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			return "", err
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				files = append(files, filepath.Join(d, e.Name()))
			}
		}
	}
	for _, f := range append(files, pkg.files...) {
		fmt.Fprintf(h, "%s\n", f)
		if err := hashFile(h, f); err != nil && !os.IsNotExist(err) {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

func hashFile(w io.Writer, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
