// Package labfile reads and checks lab files: the buckets, functions and
// triggers of a lab, their execution roles, the labs shipped with
// lambdalab, and a lab's export as an AWS SAM template.
package labfile

import (
	"fmt"
	"os"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/internal/yamlpos"
)

// File is a lab file: the buckets, functions and triggers of a lab. The same
// schema serves --lab FILE, a scenario's lab and lambdalab export. Field
// names follow AWS's; durations are Go durations; unknown fields are errors.
type File struct {
	// Name is where the lab came from (a path, or "default").
	Name string `yaml:"-"`
	// Dir is the directory relative paths (policyFile) are read from.
	Dir string `yaml:"-"`

	Region             string `yaml:"region"`
	AccountConcurrency int    `yaml:"accountConcurrency"`
	// RecursionCeiling is lambdalab's own stop for loops a function allows
	// (recursiveLoop: Allow); AWS has none. Default 1,000 invocations or 60s.
	RecursionCeiling *CeilingSpec   `yaml:"recursionCeiling"`
	Buckets          []BucketSpec   `yaml:"buckets"`
	Functions        []FunctionSpec `yaml:"functions"`
	Triggers         []TriggerSpec  `yaml:"triggers"`

	tree *ast.File
	root string   // the YAML path of the lab in tree: "$", or "$.lab" in a scenario
	node ast.Node // the lab's node in tree
}

// BucketSpec is a bucket of the lab.
type BucketSpec struct {
	Name string `yaml:"name"`
}

// FunctionSpec is a function of the lab: a built-in handler (handler:
// resize), or the function's own code (runtime, handler, code, layers).
type FunctionSpec struct {
	Name string `yaml:"name"`
	// Runtime is python3.10–python3.13, provided.al2023 or provided.al2
	// for a function of its own code; empty for a built-in handler.
	Runtime string `yaml:"runtime"`
	// Handler is a built-in handler's name, or (with Runtime) Lambda's
	// handler string: module.function for Python, passed as _HANDLER to a
	// provided.* bootstrap.
	Handler string `yaml:"handler"`
	// Code is a folder, a .zip, or for provided.* a Go main package
	// folder, relative to the lab file.
	Code string `yaml:"code"`
	// Layers are layer zips or folders (relative to the lab file) or layer
	// ARNs, at most 5, merged in order.
	Layers               []string          `yaml:"layers"`
	Memory               int               `yaml:"memory"`
	Timeout              yamlpos.Duration  `yaml:"timeout"`
	Environment          map[string]string `yaml:"environment"`
	ReservedConcurrency  *int              `yaml:"reservedConcurrency"`
	MaximumRetryAttempts *int              `yaml:"maximumRetryAttempts"`
	MaximumEventAge      yamlpos.Duration  `yaml:"maximumEventAge"`
	OnFailure            string            `yaml:"onFailure"`
	RecursiveLoop        string            `yaml:"recursiveLoop"`
	Role                 *RoleSpec         `yaml:"role"`

	policy *iam.Policy // the role's policy, parsed by check
}

// RoleName is the function's execution role: its own, or the lab's default.
func (fn FunctionSpec) RoleName() string {
	if fn.Role != nil {
		return fn.Role.Name
	}
	return DefaultRoleName
}

// Policy is the function's role policy (nil before the file is checked, or
// for the default role, whose policy depends on the region).
func (fn FunctionSpec) Policy() *iam.Policy { return fn.policy }

// CeilingSpec bounds a recursive chain in invocations or lab time.
type CeilingSpec struct {
	Invocations int              `yaml:"invocations"`
	Duration    yamlpos.Duration `yaml:"duration"`
}

// RoleSpec is a function's execution role.
type RoleSpec struct {
	Name       string `yaml:"name"`
	Policy     any    `yaml:"policy"`
	PolicyFile string `yaml:"policyFile"`
}

// TriggerSpec is an S3 trigger: one Lambda notification configuration.
type TriggerSpec struct {
	ID                             string   `yaml:"id"`
	Bucket                         string   `yaml:"bucket"`
	Function                       string   `yaml:"function"`
	Events                         []string `yaml:"events"`
	Prefix                         string   `yaml:"prefix"`
	Suffix                         string   `yaml:"suffix"`
	AcknowledgeRecursiveInvocation bool     `yaml:"acknowledgeRecursiveInvocation"`
}

// DefaultRoleName is the execution role of functions whose lab file names
// none: s3:* and logs:* on the lab's resources.
const DefaultRoleName = "lambdalab-default-execution-role"

// DefaultRegion and DefaultAccount are the lab's when the file names none.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "000000000000"
)

// LoadFile reads and checks a lab file.
func LoadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read lab file: %w", err)
	}
	return parseFile(path, dirOf(path), data)
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return ""
}

// ParseFile parses and checks a lab file's contents; name is used in error
// positions. Relative policyFile paths are read from the working directory.
func ParseFile(name string, data []byte) (*File, error) {
	return parseFile(name, "", data)
}

func parseFile(name, dir string, data []byte) (*File, error) {
	tree, err := yamlpos.ParseYAML(data)
	if err != nil {
		return nil, yamlpos.YAMLError(name, err)
	}
	if len(tree.Docs) == 0 || tree.Docs[0].Body == nil {
		return nil, &yamlpos.PosError{File: name, Msg: "the lab file is empty: it needs buckets, functions and triggers"}
	}
	return ParseNode(name, dir, tree, tree.Docs[0].Body, "$")
}

// ParseNode reads a lab that is part of another YAML document (a scenario's
// lab:), so errors point into that document. root is the node's YAML path
// in tree; dir is where relative policyFile paths are read from.
func ParseNode(name, dir string, tree *ast.File, node ast.Node, root string) (*File, error) {
	f := &File{}
	if err := yamlpos.DecodeNode(node, f); err != nil {
		return nil, yamlpos.YAMLError(name, err)
	}
	f.Name, f.Dir, f.tree, f.root, f.node = name, dir, tree, root, node
	if err := f.check(); err != nil {
		return nil, err
	}
	return f, nil
}

// at returns a positioned error for the node at a YAML path such as
// $.functions[0].memory (falling back to the nearest existing parent, and
// at last to the lab itself: paths do not see through anchors).
func (f *File) at(path string, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if f.tree == nil {
		return &yamlpos.PosError{File: f.Name, Msg: msg}
	}
	if f.root != "" && f.root != "$" {
		path = f.root + strings.TrimPrefix(path, "$")
	}
	return yamlpos.At(f.Name, f.tree, path, f.node, msg)
}
