package python

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// dist is an installed Python distribution: its metadata directory
// (.dist-info or .egg-info) in a site directory.
type dist struct {
	Name, Version string
	Site, Meta    string // the site directory and the metadata directory in it
}

// findDist looks a distribution up by name (or by a module it provides, so
// that PIL finds Pillow) in the site directories, first match wins.
func findDist(sites []string, name string) (dist, bool) {
	want := normalizeDist(name)
	for _, site := range sites {
		for _, d := range distsIn(site) {
			if normalizeDist(d.Name) == want {
				return d, true
			}
		}
	}
	for _, site := range sites {
		for _, d := range distsIn(site) {
			for _, top := range d.topLevel() {
				if top == name {
					return d, true
				}
			}
		}
	}
	return dist{}, false
}

// distsIn lists the distributions installed in one site directory.
func distsIn(site string) []dist {
	entries, err := os.ReadDir(site)
	if err != nil {
		return nil
	}
	var out []dist
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.IsDir() || (ext != ".dist-info" && ext != ".egg-info") {
			continue
		}
		d := dist{Site: site, Meta: filepath.Join(site, e.Name())}
		base := strings.TrimSuffix(e.Name(), ext)
		d.Name, d.Version, _ = strings.Cut(base, "-")
		if v := d.header("Name"); len(v) > 0 {
			d.Name = v[0]
		}
		if v := d.header("Version"); len(v) > 0 {
			d.Version = v[0]
		}
		out = append(out, d)
	}
	return out
}

// header returns the values of a field of the core metadata (METADATA or
// PKG-INFO), which is an RFC 822 header block.
func (d dist) header(field string) []string {
	b, err := os.ReadFile(filepath.Join(d.Meta, "METADATA"))
	if err != nil {
		if b, err = os.ReadFile(filepath.Join(d.Meta, "PKG-INFO")); err != nil {
			return nil
		}
	}
	var vals []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break // the body (long description) starts here
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, field) {
			vals = append(vals, strings.TrimSpace(v))
		}
	}
	return vals
}

// topLevel lists the top-level modules the distribution installs.
func (d dist) topLevel() []string {
	b, err := os.ReadFile(filepath.Join(d.Meta, "top_level.txt"))
	if err != nil {
		return nil
	}
	return strings.Fields(string(b))
}

var reqNameRE = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)`)

// requires lists the distribution's unconditional dependencies and, apart,
// those with an environment marker (which may not apply here); extras are
// left out.
func (d dist) requires() (plain, marked []string) {
	lines := d.header("Requires-Dist")
	if len(lines) == 0 {
		// egg-info: requires.txt, whose [sections] are extras or markers.
		b, _ := os.ReadFile(filepath.Join(d.Meta, "requires.txt"))
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "[") {
				break
			}
			lines = append(lines, l)
		}
	}
	for _, l := range lines {
		m := reqNameRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		_, marker, hasMarker := strings.Cut(l, ";")
		switch {
		case hasMarker && strings.Contains(marker, "extra"):
		case hasMarker:
			marked = append(marked, m[1])
		default:
			plain = append(plain, m[1])
		}
	}
	return plain, marked
}

// files lists what the distribution installed in its site directory,
// relative to it: RECORD where there is one, else its top-level modules and
// its metadata directory. Compiled bytecode is left out (Python rebuilds it).
func (d dist) files() ([]string, error) {
	if f, err := os.Open(filepath.Join(d.Meta, "RECORD")); err == nil {
		defer f.Close()
		return recordFiles(d.Site, f)
	}
	var out []string
	tops := d.topLevel()
	if len(tops) == 0 {
		tops = []string{strings.ReplaceAll(d.Name, "-", "_")}
	}
	for _, top := range tops {
		matches, _ := filepath.Glob(filepath.Join(d.Site, top+".*"))
		matches = append(matches, filepath.Join(d.Site, top))
		for _, m := range matches {
			if ext := filepath.Ext(m); ext == ".py" || ext == ".so" || ext == ".pyd" || m == filepath.Join(d.Site, top) {
				out = append(out, walkFiles(d.Site, m)...)
			}
		}
	}
	out = append(out, walkFiles(d.Site, d.Meta)...)
	return out, nil
}

func recordFiles(site string, r io.Reader) ([]string, error) {
	rd := csv.NewReader(r)
	rd.FieldsPerRecord = -1
	var out []string
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		p := filepath.Clean(filepath.FromSlash(rec[0]))
		if p == "." || strings.HasPrefix(p, "..") || filepath.IsAbs(p) || isBytecode(p) {
			continue // scripts outside the site directory, and .pyc
		}
		if fi, err := os.Stat(filepath.Join(site, p)); err == nil && fi.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	return out, nil
}

// walkFiles lists the regular files at or under path, relative to site.
func walkFiles(site, path string) []string {
	var out []string
	_ = filepath.Walk(path, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		if fi.IsDir() && fi.Name() == "__pycache__" {
			return filepath.SkipDir
		}
		if fi.Mode().IsRegular() && !isBytecode(p) {
			if rel, err := filepath.Rel(site, p); err == nil {
				out = append(out, rel)
			}
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func isBytecode(p string) bool {
	return strings.HasSuffix(p, ".pyc") || strings.Contains(filepath.ToSlash(p), "__pycache__/")
}
