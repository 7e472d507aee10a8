// Package yamlpos reads YAML documents (lab files, scenarios) so that every
// mistake in them is reported at its place, file:line:col: parsing to an
// AST, decoding nodes strictly (an unknown field is an error), and
// positioned errors at a node or a YAML path.
package yamlpos

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
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

// YAMLError turns a go-yaml error into file:line:col: message.
func YAMLError(file string, err error) error {
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

// At is an error at the node at a YAML path of tree such as
// $.functions[0].memory, falling back to the nearest existing parent, and
// at last to where fallback begins: paths do not see through anchors.
func At(file string, tree *ast.File, path string, fallback ast.Node, msg string) error {
	e := &PosError{File: file, Msg: msg}
	for p := path; tree != nil && p != "$" && p != ""; p = parentPath(p) {
		yp, err := yaml.PathString(p)
		if err != nil {
			continue
		}
		node, err := yp.FilterFile(tree)
		if err != nil || node == nil {
			continue
		}
		if tk := startToken(node); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
			return e
		}
	}
	if fallback != nil {
		if tk := startToken(fallback); tk != nil && tk.Position != nil {
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
