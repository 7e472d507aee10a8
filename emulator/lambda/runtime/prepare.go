package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Spec is what a function's code is made of.
type Spec struct {
	Function string
	Runtime  string // one of Runtimes()
	Handler  string // _HANDLER: module.function for Python, anything for provided.*
	// Code is a folder, a .zip, a single file (for provided.*, the
	// bootstrap itself), or for provided.* a Go main package folder (built
	// with the machine's go). Empty only with Command.
	Code string
	// Layers are folders or zips, merged in order into the function's /opt
	// (the caller resolves layer ARNs to paths).
	Layers []string
	// Command, when set, is the bootstrap's argv instead of the one the
	// runtime implies (lambdalab re-executing itself for a built-in handler).
	Command []string
}

// Package is a function's code made ready to run: a private task root, a
// private /opt with the layers merged, and for Python the runtime client.
type Package struct {
	spec       Spec
	taskRoot   string
	optDir     string
	runtimeDir string
	interp     Interpreter
	built      bool
	size       int64
	stamps     []stamp
}

// TaskRoot is the private copy of the code: LAMBDA_TASK_ROOT.
func (p *Package) TaskRoot() string { return p.taskRoot }

// OptDir is the private /opt: the layers merged in order.
func (p *Package) OptDir() string { return p.optDir }

// RuntimeDir is LAMBDA_RUNTIME_DIR.
func (p *Package) RuntimeDir() string { return p.runtimeDir }

// Spec is what the Package was prepared from.
func (p *Package) Spec() Spec { return p.spec }

// Notice is what the caller should tell the user once about this code, such
// as the Python version standing in for the requested one ("" for nothing).
func (p *Package) Notice() string { return p.interp.Notice }

// Built reports whether Prepare compiled a Go package (false when the build
// cache already had it, or for code that needs no build).
func (p *Package) Built() bool { return p.built }

// Size is the code and layers' unzipped size in bytes.
func (p *Package) Size() int64 { return p.size }

// Changed reports whether the code or a layer changed on disk since Prepare,
// by comparing file sizes, modes and modification times: new environments
// should then run a freshly prepared Package.
func (p *Package) Changed() bool {
	for _, s := range p.stamps {
		if s.compute() != s.sum {
			return true
		}
	}
	return false
}

// Prepare validates spec and makes its Package: the code copied or unzipped
// into a task root (a Go package built), the layers merged into an /opt,
// Lambda's size limits checked. Errors carry AWS's wording where AWS has it.
func (m *Manager) Prepare(spec Spec) (*Package, error) {
	if err := validateSpec(spec); err != nil {
		return nil, err
	}
	if err := m.setup(); err != nil {
		return nil, err
	}
	m.prepMu.Lock()
	defer m.prepMu.Unlock()
	if m.runDir == "" {
		return nil, errClosed
	}
	p := &Package{spec: spec}
	// sizes first: nothing is unzipped for code that is over the limits
	codeSize, writeCode, err := m.prepareCode(p)
	if err != nil {
		return nil, err
	}
	layersSize, err := measureLayers(p.spec)
	if err != nil {
		return nil, err
	}
	if err := checkSizes(codeSize, layersSize); err != nil {
		return nil, err
	}
	p.size = codeSize + layersSize
	if err := writeCode(); err != nil {
		return nil, err
	}
	if err := m.prepareLayers(p); err != nil {
		return nil, err
	}
	if err := m.prepareRuntime(p); err != nil {
		return nil, err
	}
	return p, nil
}

func validateSpec(spec Spec) error {
	if err := ValidateRuntime(spec.Runtime); err != nil {
		return err
	}
	if spec.Command == nil || spec.Handler != "" {
		if err := ValidateHandler(spec.Handler); err != nil {
			return err
		}
	}
	if len(spec.Layers) > MaxLayers {
		return &ParameterError{Type: "InvalidParameterValueException", Message: fmt.Sprintf("Cannot reference more than %d layers.", MaxLayers)}
	}
	if spec.Code == "" && spec.Command == nil {
		return fmt.Errorf("function %s: no code (a folder, a .zip, or a Go main package folder)", spec.Function)
	}
	return nil
}

// prepareCode measures p's code and returns how to write its task root; a
// Go package is built (and its task root made) right away.
func (m *Manager) prepareCode(p *Package) (int64, func() error, error) {
	done := func() error { return nil }
	src := p.spec.Code
	if src == "" {
		dir, err := m.emptyDir("task-empty")
		p.taskRoot = dir
		return 0, done, err
	}
	fi, err := os.Stat(src)
	if err != nil {
		return 0, nil, fmt.Errorf("function %s: code: %w", p.spec.Function, err)
	}
	if fi.IsDir() && IsProvided(p.spec.Runtime) && p.spec.Command == nil && hasGoFiles(src) {
		size, err := m.prepareGo(p, src)
		return size, done, err
	}
	lone := "" // a file that is not a zip is the code itself
	if !fi.IsDir() && !isZip(src) {
		lone = filepath.Base(src)
		if IsProvided(p.spec.Runtime) {
			lone = "bootstrap"
		}
	}
	size := fi.Size()
	switch {
	case fi.IsDir():
		size, err = folderSize(src)
	case lone == "":
		size, err = zipSize(src)
	}
	if err != nil {
		return 0, nil, err
	}
	if size > MaxUnzippedBytes {
		return 0, nil, fmt.Errorf("%s: %w", src, tooLarge())
	}
	s := stamp{paths: []string{src}, deep: true}
	s.sum = s.compute()
	p.stamps = append(p.stamps, s)
	return size, func() (err error) {
		p.taskRoot, err = m.materialize("task-"+s.key(), []string{src}, lone)
		return err
	}, nil
}

// isZip tells a zip by its name, as a student names one.
func isZip(file string) bool { return strings.EqualFold(filepath.Ext(file), ".zip") }

func (m *Manager) prepareGo(p *Package, src string) (int64, error) {
	b, err := m.buildGo(src)
	if err != nil {
		return 0, err
	}
	p.taskRoot, p.built = b.dir, b.built
	p.stamps = append(p.stamps, b.stamp)
	fi, err := os.Stat(filepath.Join(b.dir, "bootstrap"))
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// measureLayers adds up the layers' unzipped sizes.
func measureLayers(spec Spec) (int64, error) {
	var total int64
	for _, l := range spec.Layers {
		fi, err := os.Stat(l)
		if err != nil {
			return 0, fmt.Errorf("function %s: layer: %w", spec.Function, err)
		}
		var n int64
		if fi.IsDir() {
			n, err = folderSize(l)
		} else {
			n, err = zipSize(l)
		}
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// checkSizes applies Lambda's limits to the layers, and to code and layers
// together.
func checkSizes(code, layers int64) error {
	switch {
	case layers > MaxUnzippedBytes:
		return &ParameterError{Type: "InvalidParameterValueException", Message: fmt.Sprintf(
			"Layers consume more than the available size of %d bytes", MaxUnzippedBytes)}
	case code+layers > MaxUnzippedBytes:
		return &ParameterError{Type: "InvalidParameterValueException", Message: fmt.Sprintf(
			"Function code combined with layers exceeds the maximum allowed size of %d bytes. The actual size is %d bytes.",
			MaxUnzippedBytes, code+layers)}
	}
	return nil
}

// prepareLayers merges the layers into p's /opt.
func (m *Manager) prepareLayers(p *Package) error {
	if len(p.spec.Layers) == 0 {
		dir, err := m.emptyDir("opt-empty")
		p.optDir = dir
		return err
	}
	s := stamp{paths: p.spec.Layers, deep: true}
	s.sum = s.compute()
	p.stamps = append(p.stamps, s)
	var err error
	p.optDir, err = m.materialize("opt-"+s.key(), p.spec.Layers, "")
	return err
}

// materialize writes the folders and zips srcs, in order, into the scratch
// folder name, unless an earlier Prepare already did; with lone set, the
// one src is a plain file written under that name. It writes into a
// temporary folder first, so a failure leaves nothing behind.
func (m *Manager) materialize(name string, srcs []string, lone string) (string, error) {
	dst := filepath.Join(m.runDir, name)
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	tmp, err := os.MkdirTemp(m.runDir, ".tmp-")
	if err != nil {
		return "", err
	}
	b := &budget{limit: MaxUnzippedBytes}
	for _, src := range srcs {
		t := &tree{root: tmp, origin: src, budget: b}
		var err error
		if fi, serr := os.Stat(src); serr == nil && fi.IsDir() {
			err = t.copyFolder(src)
		} else if lone != "" {
			err = t.copyFile(lone, src)
		} else {
			err = t.unzip(src)
		}
		if err == nil {
			err = t.check()
		}
		if err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	return dst, os.Rename(tmp, dst)
}

// prepareRuntime finds the interpreter and runtime client for Python, and an
// empty LAMBDA_RUNTIME_DIR for the OS-only runtimes.
func (m *Manager) prepareRuntime(p *Package) error {
	if !IsPython(p.spec.Runtime) || p.spec.Command != nil {
		dir, err := m.emptyDir("runtime-provided")
		p.runtimeDir = dir
		return err
	}
	if m.python == nil {
		return fmt.Errorf("function %s: %s needs the Python runtime client, which this lambdalab was built without", p.spec.Function, p.spec.Runtime)
	}
	in, err := m.python.Find(p.spec.Runtime)
	if err != nil {
		return fmt.Errorf("function %s: %w", p.spec.Function, err)
	}
	dir, ok := m.pyDirs[in.Path]
	if !ok {
		dir, err = m.python.Prepare(filepath.Join(m.cacheDir, "python"), in)
		if err != nil {
			return fmt.Errorf("function %s: prepare the Python runtime: %w", p.spec.Function, err)
		}
		m.pyDirs[in.Path] = dir
	}
	p.interp, p.runtimeDir = in, dir
	return nil
}

func tooLarge() error {
	return &ParameterError{Type: "InvalidParameterValueException", Message: fmt.Sprintf(
		"Unzipped size must be smaller than %d bytes", MaxUnzippedBytes)}
}

func hasGoFiles(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	return len(m) > 0
}

// stamp is a cheap fingerprint of files and folders: names, modes, sizes
// and modification times. deep walks folders; otherwise a folder stands for
// its own entries only (a Go package directory).
type stamp struct {
	paths []string
	deep  bool
	sum   string
}

func (s stamp) compute() string {
	h := sha256.New()
	for _, root := range s.paths {
		fmt.Fprintf(h, "%s\n", root)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != root && (!s.deep || d.Name() == ".git") {
				return filepath.SkipDir
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\t%v\t%d\t%d\n", strings.TrimPrefix(p, root), fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(h, "error %v\n", err)
		} else if err != nil {
			fmt.Fprintf(h, "missing\n")
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// key names the scratch folder a stamp's sources are written to.
func (s stamp) key() string { return s.sum[:24] }
