package emulator

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/lambdalab/lambdalab/emulator/iam"
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
	root string // the YAML path of the lab in tree: "$", or "$.lab" in a scenario
}

// BucketSpec is a bucket of the lab.
type BucketSpec struct {
	Name string `yaml:"name"`
}

// FunctionSpec is a function of the lab.
type FunctionSpec struct {
	Name                 string            `yaml:"name"`
	Handler              string            `yaml:"handler"`
	Memory               int               `yaml:"memory"`
	Timeout              Duration          `yaml:"timeout"`
	Environment          map[string]string `yaml:"environment"`
	ReservedConcurrency  *int              `yaml:"reservedConcurrency"`
	MaximumRetryAttempts *int              `yaml:"maximumRetryAttempts"`
	MaximumEventAge      Duration          `yaml:"maximumEventAge"`
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
	Invocations int      `yaml:"invocations"`
	Duration    Duration `yaml:"duration"`
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

// DefaultRegion and DefaultAccount are the lab's when the file names none.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "000000000000"
)

// PosError is an error at a place in a lab (or scenario) file.
type PosError struct {
	File string
	Line int
	Col  int
	Msg  string
}

func (e *PosError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

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
	tree, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(name, err)
	}
	if len(tree.Docs) == 0 || tree.Docs[0].Body == nil {
		return nil, &PosError{File: name, Msg: "the lab file is empty: it needs buckets, functions and triggers"}
	}
	return ParseNode(name, dir, tree, tree.Docs[0].Body, "$")
}

// ParseNode reads a lab that is part of another YAML document (a scenario's
// lab:), so errors point into that document. root is the node's YAML path
// in tree; dir is where relative policyFile paths are read from.
func ParseNode(name, dir string, tree *ast.File, node ast.Node, root string) (*File, error) {
	f := &File{}
	if err := yaml.NodeToValue(node, f, yaml.DisallowUnknownField()); err != nil {
		return nil, yamlError(name, err)
	}
	f.Name, f.Dir, f.tree, f.root = name, dir, tree, root
	if err := f.check(); err != nil {
		return nil, err
	}
	return f, nil
}

// Duration is a lab-file duration, written as Go writes them: 3s, 500ms, 6h.
type Duration time.Duration

// UnmarshalYAML reads a duration, saying where a malformed one is.
func (d *Duration) UnmarshalYAML(node ast.Node) error {
	s := strings.Trim(node.String(), `"'`)
	v, err := time.ParseDuration(s)
	if err != nil {
		return &nodeError{tok: node.GetToken(), msg: fmt.Sprintf("%q is not a duration: write it as Go does, like 3s, 500ms, 1m30s or 6h", s)}
	}
	*d = Duration(v)
	return nil
}

// nodeError is an error of ours at a YAML node.
type nodeError struct {
	tok *token.Token
	msg string
}

func (e *nodeError) Error() string { return e.msg }

// yamlError turns a go-yaml error into file:line:col: message.
func yamlError(file string, err error) error {
	var ne *nodeError
	if errors.As(err, &ne) && ne.tok != nil && ne.tok.Position != nil {
		return &PosError{File: file, Line: ne.tok.Position.Line, Col: ne.tok.Position.Column, Msg: ne.msg}
	}
	var ye yaml.Error
	if errors.As(err, &ye) {
		tk := ye.GetToken()
		msg := ye.GetMessage()
		if tk != nil && tk.Position != nil {
			return &PosError{File: file, Line: tk.Position.Line, Col: tk.Position.Column, Msg: msg}
		}
		return &PosError{File: file, Msg: msg}
	}
	return &PosError{File: file, Msg: err.Error()}
}

// at returns a positioned error for the node at a YAML path such as
// $.functions[0].memory (falling back to the nearest existing parent).
func (f *File) at(path string, format string, args ...any) error {
	e := &PosError{File: f.Name, Msg: fmt.Sprintf(format, args...)}
	if f.tree == nil {
		return e
	}
	if f.root != "" && f.root != "$" {
		path = f.root + strings.TrimPrefix(path, "$")
	}
	for p := path; p != "$" && p != ""; p = parentPath(p) {
		yp, err := yaml.PathString(p)
		if err != nil {
			continue
		}
		node, err := yp.FilterFile(f.tree)
		if err != nil || node == nil {
			continue
		}
		if tk := startToken(node); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
			return e
		}
	}
	return e
}

// startToken is where a node begins: a mapping begins at its first key.
func startToken(node ast.Node) *token.Token {
	switch n := node.(type) {
	case *ast.MappingNode:
		if len(n.Values) > 0 {
			return n.Values[0].Key.GetToken()
		}
	case *ast.MappingValueNode:
		return n.Key.GetToken()
	}
	return node.GetToken()
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i <= 0 {
		return "$"
	}
	return p[:i]
}
