// Package scenarios runs scripted labs: a lab plus steps (uploads, trigger
// changes, policy edits, waits) and expectations, on a virtual clock with a
// seed, so a replay is deterministic and its transcript byte-identical. The
// library of embedded scenarios walks through the exercise and its classic
// mistakes; teachers write their own.
package scenarios

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/internal/yamlpos"
)

// Scenario is a parsed scenario file.
type Scenario struct {
	Name        string
	Description string
	Notes       string
	// Lab is the scenario's lab.
	Lab *labfile.File
	// Seed makes ids deterministic (default 1).
	Seed uint64
	// Start is the virtual clock's start (default 2026-01-01T09:00:00Z).
	Start time.Time
	Steps []Step
	// File and Dir are where the scenario came from.
	File string
	Dir  string
	// sourceHint says why the lab may not build: an embedded scenario
	// whose functions' code is lambdalab's own source, run outside it.
	sourceHint string
}

// DefaultStart is the lab time a scenario begins at unless it says.
var DefaultStart = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

// header is the top level of a scenario document; lab and steps are read
// from their nodes so every error can say where it is.
type header struct {
	Name        string    `yaml:"name"`
	Description string    `yaml:"description"`
	Notes       string    `yaml:"notes"`
	Lab         nodeValue `yaml:"lab"`
	Seed        uint64    `yaml:"seed"`
	Start       string    `yaml:"start"`
	Steps       nodeValue `yaml:"steps"`
}

// nodeValue keeps a YAML node for later decoding.
type nodeValue struct{ node ast.Node }

// UnmarshalYAML keeps the node.
func (n *nodeValue) UnmarshalYAML(node ast.Node) error {
	n.node = node
	return nil
}

// Error is a problem at a place in a scenario file.
type Error = yamlpos.PosError

func posOf(file string, node ast.Node, format string, args ...any) error {
	e := &Error{File: file, Msg: fmt.Sprintf(format, args...)}
	if node != nil {
		if tk := node.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
		}
	}
	return e
}

// Load reads a scenario file; relative paths in it (lab files, uploads) are
// read next to it.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, filepath.Dir(path), data)
}

// Parse reads a scenario; name is used in error positions, dir for
// relative paths ("" for embedded scenarios, which use only embedded files).
func Parse(name, dir string, data []byte) (*Scenario, error) {
	return parse(name, dir, dir, data)
}

// parse reads a scenario whose inline lab reads its code from labDir.
func parse(name, dir, labDir string, data []byte) (*Scenario, error) {
	tree, err := yamlpos.ParseYAML(data)
	if err != nil {
		return nil, yamlError(name, err)
	}
	if len(tree.Docs) == 0 || tree.Docs[0].Body == nil {
		return nil, &Error{File: name, Msg: "the scenario is empty; it needs at least name, lab and steps"}
	}
	var h header
	if err := yamlpos.DecodeNode(tree.Docs[0].Body, &h); err != nil {
		return nil, yamlError(name, err)
	}
	sc := &Scenario{Name: h.Name, Description: h.Description, Notes: h.Notes, Seed: h.Seed, File: name, Dir: dir}
	if sc.Name == "" {
		return nil, posOf(name, tree.Docs[0].Body, "the scenario has no name (name: my-scenario)")
	}
	if sc.Seed == 0 {
		sc.Seed = 1
	}
	sc.Start = DefaultStart
	if h.Start != "" {
		t, err := time.Parse(time.RFC3339, h.Start)
		if err != nil {
			return nil, posOf(name, findKey(tree.Docs[0].Body, "start"), "start %q: want an RFC 3339 time such as 2026-01-01T09:00:00Z", h.Start)
		}
		sc.Start = t
	}
	if sc.Lab, err = parseLab(name, labDir, tree, h.Lab.node); err != nil {
		return nil, err
	}
	if h.Steps.node == nil {
		return nil, posOf(name, tree.Docs[0].Body, "the scenario has no steps")
	}
	seq, ok := h.Steps.node.(*ast.SequenceNode)
	if !ok {
		return nil, posOf(name, h.Steps.node, "steps must be a list: steps:\n  - upload: {...}\n  - wait: idle")
	}
	for i, n := range seq.Values {
		st, err := parseStep(name, i, n)
		if err != nil {
			return nil, err
		}
		sc.Steps = append(sc.Steps, st)
	}
	return sc, nil
}

// parseLab reads lab: default (or the name of a shipped lab), {file: path},
// or an inline lab mapping.
func parseLab(name, dir string, tree *ast.File, node ast.Node) (*labfile.File, error) {
	switch n := node.(type) {
	case nil:
		return nil, &Error{File: name, Msg: "the scenario has no lab: write lab: default, lab: {file: lab.yaml}, or the lab inline"}
	case *ast.StringNode:
		f, err := labfile.LoadLab(n.Value)
		if err != nil {
			return nil, posOf(name, node, "lab %q: %v", n.Value, err)
		}
		return f, nil
	case *ast.MappingNode:
		if len(n.Values) == 1 && n.Values[0].Key.String() == "file" {
			path := strings.Trim(n.Values[0].Value.String(), `"'`)
			if !filepath.IsAbs(path) && dir != "" {
				path = filepath.Join(dir, path)
			}
			f, err := labfile.LoadFile(path)
			if err != nil {
				var pe *yamlpos.PosError
				if errors.As(err, &pe) {
					return nil, err
				}
				return nil, posOf(name, n.Values[0].Value, "lab file: %v", err)
			}
			return f, nil
		}
		return labfile.ParseNode(name, dir, tree, n, "$.lab")
	}
	return nil, posOf(name, node, "lab: write default, {file: lab.yaml}, or a lab mapping (buckets, functions, triggers)")
}

func findKey(node ast.Node, key string) ast.Node {
	if m, ok := node.(*ast.MappingNode); ok {
		for _, v := range m.Values {
			if v.Key.String() == key {
				return v.Value
			}
		}
	}
	return node
}

// yamlError turns a go-yaml error into file:line:col: message.
func yamlError(file string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			return &Error{File: file, Line: tk.Position.Line, Col: tk.Position.Column, Msg: ye.GetMessage()}
		}
		return &Error{File: file, Msg: ye.GetMessage()}
	}
	var pe *yamlpos.PosError
	if errors.As(err, &pe) {
		return pe
	}
	return &Error{File: file, Msg: err.Error()}
}
