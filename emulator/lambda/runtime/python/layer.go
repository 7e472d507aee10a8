package python

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Report says what went into a layer and where each package came from.
type Report struct {
	Zip      string    // the layer file written
	Packages []Package // every distribution in the layer, in the order added
	Notes    []string  // why pip was not used, dependencies left out, …
}

// Package is one distribution in a layer.
type Package struct {
	Name, Version string
	From          string // the site directory it was copied from; "" when pip installed it
}

// String says where the package came from, e.g. "Pillow 9.4.0 from this
// machine (/usr/lib/python3/dist-packages)".
func (p Package) String() string {
	if p.From == "" {
		return fmt.Sprintf("%s %s via pip", p.Name, p.Version)
	}
	return fmt.Sprintf("%s %s from this machine (%s)", p.Name, p.Version, p.From)
}

// String is the report as lines for the terminal.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n", r.Zip)
	for _, p := range r.Packages {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	return b.String()
}

// pipTimeout bounds one pip run, index unreachable or not.
const pipTimeout = 10 * time.Minute

// BuildLayer writes a Python layer zip (packages under python/) to out:
// with pip install --target when pip can reach an index, otherwise from the
// distributions installed on this machine (the package and its
// dependencies), saying which. The zip is deterministic: entries sorted,
// times fixed, bytecode left out, so rebuilding the same packages gives the
// same bytes.
func BuildLayer(out string, pkgs []string, in Interpreter) (Report, error) {
	if len(pkgs) == 0 {
		return Report{}, errors.New("layer build: name at least one package")
	}
	for _, p := range pkgs {
		if reqNameRE.FindString(p) == "" || strings.HasPrefix(p, "-") {
			return Report{}, fmt.Errorf("layer build: %q is not a package name", p)
		}
	}
	rep := Report{Zip: out}
	stage, err := os.MkdirTemp("", "lambdalab-layer-*")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(stage)
	var entries []zipEntry
	if pipErr := pipInstall(in, stage, pkgs); pipErr == nil {
		entries, rep.Packages = fromPip(stage)
	} else {
		rep.Notes = append(rep.Notes, "pip could not install them ("+pipErr.Error()+"); copied this machine's installed packages instead")
		var notes []string
		entries, rep.Packages, notes, err = fromMachine(in, pkgs)
		rep.Notes = append(rep.Notes, notes...)
		if err != nil {
			return rep, fmt.Errorf("layer build: pip could not install them (%v), and %w", pipErr, err)
		}
	}
	if err := writeZip(out, entries); err != nil {
		return rep, fmt.Errorf("layer build: %w", err)
	}
	return rep, nil
}

// pipInstall runs the interpreter's pip with the user's pip configuration
// (PIP_INDEX_URL, proxies, pip.conf): that is how they reach their index.
func pipInstall(in Interpreter, dir string, pkgs []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), pipTimeout)
	defer cancel()
	args := append([]string{"-I", "-B", "-m", "pip", "install", "--target", dir, "--no-input",
		"--disable-pip-version-check", "--no-compile", "--retries", "1", "--timeout", "15"}, pkgs...)
	cmd := exec.CommandContext(ctx, in.Path, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return errors.New(pipReason(out.String(), err))
	}
	return nil
}

// pipReason picks pip's own explanation out of its output.
func pipReason(out string, err error) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "ERROR: ") {
			return strings.TrimPrefix(l, "ERROR: ")
		}
	}
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return err.Error()
}

// zipEntry is one file of the layer: its name in the zip and its source.
type zipEntry struct{ name, src string }

func fromPip(dir string) ([]zipEntry, []Package) {
	var pkgs []Package
	for _, d := range distsIn(dir) {
		pkgs = append(pkgs, Package{Name: d.Name, Version: d.Version})
	}
	var entries []zipEntry
	for _, rel := range walkFiles(dir, dir) {
		if strings.HasPrefix(rel, "bin"+string(filepath.Separator)) {
			continue // console scripts whose #! is this machine's python
		}
		entries = append(entries, zipEntry{"python/" + filepath.ToSlash(rel), filepath.Join(dir, rel)})
	}
	return entries, pkgs
}

// fromMachine copies the installed distributions named and those they
// depend on.
func fromMachine(in Interpreter, names []string) ([]zipEntry, []Package, []string, error) {
	sites, err := sitePackages(in)
	if err != nil {
		return nil, nil, nil, err
	}
	c := &machineCopy{sites: sites, seen: map[string]bool{}}
	for _, n := range names {
		c.queue = append(c.queue, wanted{req: n, top: true})
	}
	for len(c.queue) > 0 {
		w := c.queue[0]
		c.queue = c.queue[1:]
		if err := c.add(w); err != nil {
			return nil, nil, c.notes, err
		}
	}
	c.notes = append(c.notes, fmt.Sprintf("built from this machine's files for Python %s; for AWS, build the layer on Amazon Linux (or pip install --platform manylinux2014_x86_64)", in.Version))
	return c.entries, c.pkgs, c.notes, nil
}

// wanted is a distribution to copy: one the user named, or a dependency.
type wanted struct {
	req    string // as written, e.g. "Pillow==9.5.0"
	top    bool   // named by the user
	marked bool   // a dependency under an environment marker, which may not apply
}

// machineCopy walks the dependency closure of the wanted distributions.
type machineCopy struct {
	sites   []string
	queue   []wanted
	seen    map[string]bool
	entries []zipEntry
	pkgs    []Package
	notes   []string
}

func (c *machineCopy) add(w wanted) error {
	name := strings.TrimSpace(reqNameRE.FindString(w.req))
	d, ok := findDist(c.sites, name)
	switch {
	case !ok && w.top:
		return fmt.Errorf("this machine has no %s installed either (looked in %s)", name, strings.Join(c.sites, ", "))
	case !ok && !w.marked:
		c.notes = append(c.notes, fmt.Sprintf("dependency %s is not on this machine; left out", name))
		return nil
	case !ok || c.seen[normalizeDist(d.Name)]:
		return nil
	}
	c.seen[normalizeDist(d.Name)] = true
	spec := strings.TrimSpace(w.req[len(reqNameRE.FindString(w.req)):])
	if v, pinned := strings.CutPrefix(spec, "=="); pinned && v != d.Version {
		c.notes = append(c.notes, fmt.Sprintf("asked for %s; this machine has %s", strings.TrimSpace(w.req), d.Version))
	}
	files, err := d.files()
	if err != nil {
		return fmt.Errorf("%s: %w", d.Meta, err)
	}
	for _, rel := range files {
		c.entries = append(c.entries, zipEntry{"python/" + filepath.ToSlash(rel), filepath.Join(d.Site, rel)})
	}
	c.pkgs = append(c.pkgs, Package{Name: d.Name, Version: d.Version, From: d.Site})
	plain, marked := d.requires()
	for _, r := range plain {
		c.queue = append(c.queue, wanted{req: r})
	}
	for _, r := range marked {
		c.queue = append(c.queue, wanted{req: r, marked: true})
	}
	return nil
}

// zipEpoch is every entry's time, so that the same files give the same zip.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// writeZip writes the entries, with their directories, sorted by name; it
// writes beside out and renames, so out is never half written.
func writeZip(out string, entries []zipEntry) error {
	byName := map[string]zipEntry{}
	for _, e := range entries {
		byName[e.name] = e
		for d := pathDir(e.name); d != ""; d = pathDir(strings.TrimSuffix(d, "/")) {
			byName[d] = zipEntry{name: d}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	tmp, err := os.CreateTemp(filepath.Dir(out), ".layer-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	zw := zip.NewWriter(tmp)
	for _, n := range names {
		if err := addEntry(zw, byName[n]); err != nil {
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

// pathDir is the parent directory of a zip name, with its slash ("" at the top).
func pathDir(name string) string {
	i := strings.LastIndexByte(strings.TrimSuffix(name, "/"), '/')
	if i < 0 {
		return ""
	}
	return name[:i+1]
}

func addEntry(zw *zip.Writer, e zipEntry) error {
	h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: zipEpoch}
	if e.src == "" {
		h.Method = zip.Store
		h.SetMode(os.ModeDir | 0o755)
		_, err := zw.CreateHeader(h)
		return err
	}
	fi, err := os.Stat(e.src)
	if err != nil {
		return err
	}
	h.SetMode(0o644 | fi.Mode().Perm()&0o111)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	f, err := os.Open(e.src)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
