package labfile

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/labs"
)

// DefaultFile returns the default lab: the exercise itself.
func DefaultFile() *File {
	f, err := LoadLab("default")
	if err != nil {
		panic(fmt.Sprintf("the embedded default lab is invalid: %v", err))
	}
	return f
}

// DefaultCacheDir is where labs keep prepared code and layers by default.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "lambdalab")
}

// ShippedLabs lists the lab files that come with lambdalab, by name.
func ShippedLabs() []string {
	entries, _ := fs.ReadDir(labs.Files, ".")
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// LoadLab loads a lab by path, or by the name of a shipped lab ("default",
// "recursion", ...) when no such file exists.
func LoadLab(nameOrPath string) (*File, error) {
	if _, err := os.Stat(nameOrPath); err == nil || strings.ContainsAny(nameOrPath, `/\`) || strings.HasSuffix(nameOrPath, ".yaml") {
		return LoadFile(nameOrPath)
	}
	data, err := labs.Files.ReadFile(nameOrPath + ".yaml")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no lab file %q, and no shipped lab of that name (shipped: %s)", nameOrPath, strings.Join(ShippedLabs(), ", "))
	}
	if err != nil {
		return nil, err
	}
	dir, err := shippedCode(nameOrPath)
	if err != nil {
		return nil, err
	}
	return parseFile(nameOrPath, dir, data)
}

// shippedCode writes a shipped lab's code folder (labs/NAME/, if it has
// one) out to the cache, where functions can run it and the student can
// edit it, and returns the directory its lab file's paths are relative
// to. The folder is named by its contents, so a newer lambdalab's code
// never overwrites a student's edits of the old one.
func shippedCode(name string) (string, error) {
	if _, err := fs.Stat(labs.Files, name); err != nil {
		return "", nil
	}
	sum := sha256.New()
	fs.WalkDir(labs.Files, name, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := labs.Files.ReadFile(p)
			fmt.Fprintf(sum, "%s %d\n", p, len(b))
			sum.Write(b)
		}
		return nil
	})
	dir := filepath.Join(DefaultCacheDir(), "labs", fmt.Sprintf("%s-%x", name, sum.Sum(nil)[:4]))
	if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
		return dir + string(filepath.Separator), nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".extract-*")
	if err != nil {
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return "", fmt.Errorf("shipped lab %s: %w", name, err)
		}
		if tmp, err = os.MkdirTemp(filepath.Dir(dir), ".extract-*"); err != nil {
			return "", fmt.Errorf("shipped lab %s: %w", name, err)
		}
	}
	sub, _ := fs.Sub(labs.Files, name)
	if err := os.CopyFS(filepath.Join(tmp, name), sub); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("shipped lab %s: %w", name, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp) // another lambdalab got there first
	}
	return dir + string(filepath.Separator), nil
}
