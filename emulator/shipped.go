package emulator

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/labs"
)

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
	return ParseFile(nameOrPath, data)
}
