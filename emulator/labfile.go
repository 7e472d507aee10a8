package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
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
	tree, err := ParseYAML(data)
	if err != nil {
		return nil, yamlError(name, err)
	}
	if len(tree.Docs) == 0 || tree.Docs[0].Body == nil {
		return nil, &PosError{File: name, Msg: "the lab file is empty: it needs buckets, functions and triggers"}
	}
	return ParseNode(name, dir, tree, tree.Docs[0].Body, "$")
}

// ParseYAML parses a lab or scenario document. Its line breaks become LF
// first, as YAML reads CRLF and CR: go-yaml counts a CRLF after a comment
// as two lines, so errors in a file saved on Windows were placed a line
// further down for every comment above them.
func ParseYAML(data []byte) (*ast.File, error) {
	if bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	}
	return parser.ParseBytes(data, 0)
}

// ParseNode reads a lab that is part of another YAML document (a scenario's
// lab:), so errors point into that document. root is the node's YAML path
// in tree; dir is where relative policyFile paths are read from.
func ParseNode(name, dir string, tree *ast.File, node ast.Node, root string) (*File, error) {
	f := &File{}
	if err := DecodeNode(node, f); err != nil {
		return nil, yamlError(name, err)
	}
	f.Name, f.Dir, f.tree, f.root, f.node = name, dir, tree, root, node
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
// $.functions[0].memory (falling back to the nearest existing parent, and
// at last to the lab itself: paths do not see through anchors).
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
	if f.node != nil {
		if tk := startToken(f.node); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
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

// DecodeNode decodes a YAML node into v as lab and scenario files are read:
// an unknown field is an error. Two things of go-yaml's are mended. When a
// mapping has several unknown fields, go-yaml names one picked by map order,
// so the same file gave different errors from run to run: we name the first
// in the document. And a tag on something other than a list where a list
// goes ("buckets: !", "functions: !!null") crashes go-yaml: the panic
// becomes an error at the tag.
func DecodeNode(node ast.Node, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if err = misfit(node, reflect.TypeOf(v), misplacedTag); err == nil {
				var tok *token.Token
				if node != nil {
					tok = node.GetToken()
				}
				err = &yaml.SyntaxError{Message: fmt.Sprintf("go-yaml cannot read this: %v", r), Token: tok}
			}
		}
	}()
	err = yaml.NodeToValue(node, v, yaml.DisallowUnknownField())
	var unknown *yaml.UnknownFieldError
	if errors.As(err, &unknown) {
		if first := misfit(node, reflect.TypeOf(v), unknownField); first != nil {
			return first
		}
	}
	var ye yaml.Error
	var ne *nodeError
	if err != nil && !errors.As(err, &ye) && !errors.As(err, &ne) && node != nil {
		// go-yaml's few errors without a place, such as "cannot find anchor
		// by alias name x" for a merge key: place them at the alias, or at
		// the node. (A nodeError of ours knows its place.)
		tok := node.GetToken()
		if name, ok := strings.CutPrefix(err.Error(), "cannot find anchor by alias name "); ok {
			for _, a := range ast.Filter(ast.AliasType, node) {
				if alias, _ := a.(*ast.AliasNode); alias != nil && alias.Value != nil && alias.Value.GetToken().Value == name {
					tok = alias.GetToken()
					break
				}
			}
		}
		return &yaml.SyntaxError{Message: err.Error(), Token: tok}
	}
	return err
}

// misfitKind is a kind of mistake misfit looks for.
type misfitKind int

const (
	unknownField misfitKind = iota // a key that names no field
	misplacedTag                   // a tag on a non-list where a list goes
)

// misfit walks node as go-yaml decodes it into type t and returns the
// first mistake of the kind asked for, in document order.
func misfit(node ast.Node, t reflect.Type, kind misfitKind) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if _, custom := reflect.PointerTo(t).MethodByName("UnmarshalYAML"); custom {
		return nil
	}
	isList := t.Kind() == reflect.Slice || t.Kind() == reflect.Array
	for n := node; kind == misplacedTag && isList; {
		if tag, ok := n.(*ast.TagNode); ok {
			if _, ok := tag.Value.(ast.ArrayNode); !ok { // go-yaml's own test, before it crashes
				return &yaml.SyntaxError{Message: "tag was used where sequence is expected", Token: tag.GetToken()}
			}
			n = tag.Value
		} else if anchor, ok := n.(*ast.AnchorNode); ok {
			n = anchor.Value
		} else {
			break
		}
	}
	switch n := unwrapNode(node).(type) {
	case ast.MapNode:
		if t.Kind() != reflect.Struct && t.Kind() != reflect.Map {
			return nil
		}
		fields := yamlFields(t)
		for it := n.MapRange(); it.Next(); {
			key, ok := unwrapNode(it.Key()).(*ast.StringNode)
			if !ok {
				continue
			}
			var ft reflect.Type
			if t.Kind() == reflect.Map {
				ft = t.Elem()
			} else if ft, ok = fields[key.Value]; !ok {
				if kind == unknownField {
					return &yaml.UnknownFieldError{Message: fmt.Sprintf(`unknown field "%s"`, key.Value), Token: key.GetToken()}
				}
				continue
			}
			if err := misfit(it.Value(), ft, kind); err != nil {
				return err
			}
		}
	case *ast.SequenceNode:
		if isList {
			for _, v := range n.Values {
				if err := misfit(v, t.Elem(), kind); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// unwrapNode is the node an anchor, a tag or an explicit key stands for.
func unwrapNode(node ast.Node) ast.Node {
	for {
		switch n := node.(type) {
		case *ast.AnchorNode:
			node = n.Value
		case *ast.TagNode:
			node = n.Value
		case *ast.MappingKeyNode: // "? key"
			node = n.Value
		default:
			return node
		}
	}
}

// yamlFields maps a struct's YAML field names to their types, named as
// go-yaml names them: the yaml (or json) tag, else the lower-cased name.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("yaml")
		if tag == "" {
			tag = sf.Tag.Get("json")
		}
		if (sf.PkgPath != "" && !sf.Anonymous) || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") {
			for k, v := range yamlFields(sf.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		out[name] = sf.Type
	}
	return out
}
