package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// library holds the embedded scenarios and their golden transcripts.
//
//go:embed library
var library embed.FS

// LibraryDir is where the library lives in the source tree (for --update).
const LibraryDir = "scenarios/library"

// Entry describes an embedded scenario.
type Entry struct {
	Name        string
	Description string
}

// Library lists the embedded scenarios, in the order they teach.
func Library() []Entry {
	entries, _ := fs.ReadDir(library, "library")
	var out []Entry
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".yaml")
		if !ok {
			continue
		}
		sc, err := Embedded(name)
		desc := ""
		if err == nil {
			desc = sc.Description
		}
		out = append(out, Entry{Name: name, Description: desc})
	}
	sort.SliceStable(out, func(i, j int) bool { return order(out[i].Name) < order(out[j].Name) })
	return out
}

// teachingOrder is the order the library is best read in.
var teachingOrder = []string{"create-bucket", "upload-and-delete", "trigger-resize", "forgot-to-decode-key",
	"permissions", "retries", "timeout", "recursion", "prefix-pattern", "python-layer", "go-bootstrap", "transcode"}

func order(name string) int {
	for i, n := range teachingOrder {
		if n == name {
			return i
		}
	}
	return len(teachingOrder)
}

// Embedded loads an embedded scenario by name.
func Embedded(name string) (*Scenario, error) {
	data, err := library.ReadFile("library/" + name + ".yaml")
	if err != nil {
		var names []string
		for _, e := range Library() {
			names = append(names, e.Name)
		}
		return nil, fmt.Errorf("no scenario file %q and no embedded scenario of that name (embedded: %s)", name, strings.Join(names, ", "))
	}
	root := sourceRoot()
	sc, err := parse(name+".yaml", "", root, data)
	if err == nil && root == "" {
		sc.sourceHint = "an embedded scenario reads its functions' code from lambdalab's source tree, and the working directory is not inside one"
	}
	return sc, err
}

// sourceRoot is the lambdalab source tree the working directory is in ("",
// if none): embedded scenarios that run lambdalab's own code, such as
// go-bootstrap's ./cmd/resize-lambda, read it from there.
func sourceRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			first, _, _ := strings.Cut(string(mod), "\n")
			if strings.TrimSpace(first) == "module github.com/lambdalab/lambdalab" {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Find loads a scenario by path, or by the name of an embedded one; it
// reports whether it is embedded.
func Find(nameOrPath string) (*Scenario, bool, error) {
	if _, err := os.Stat(nameOrPath); err == nil || strings.ContainsAny(nameOrPath, `/\`) || strings.HasSuffix(nameOrPath, ".yaml") {
		sc, err := Load(nameOrPath)
		return sc, false, err
	}
	sc, err := Embedded(nameOrPath)
	return sc, true, err
}

// Golden returns the golden transcript of an embedded scenario.
func Golden(name string) (string, bool) {
	data, err := library.ReadFile("library/" + name + ".golden")
	return string(data), err == nil
}

// WriteGolden rewrites an embedded scenario's golden transcript in the
// source tree (run from the repository's root).
func WriteGolden(name, transcript string) error {
	if _, err := os.Stat(LibraryDir); err != nil {
		return fmt.Errorf("--update rewrites %s, which is not here: run it from the repository's root", LibraryDir)
	}
	return os.WriteFile(filepath.Join(LibraryDir, name+".golden"), []byte(transcript), 0o644)
}
