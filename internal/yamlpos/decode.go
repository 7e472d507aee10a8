package yamlpos

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

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
