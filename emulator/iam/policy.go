// Package iam is the lab's AWS Identity and Access Management. It parses
// and evaluates identity-based policies the way IAM does for the exercise:
// Effect, Action/NotAction and Resource/NotResource with * and ?
// wildcards, case-insensitive actions, explicit Deny over Allow, default
// deny; conditions are refused, not ignored. Its Service holds an
// account's roles (trust policy, inline policies), customer managed
// policies with versions and the AWS managed policies the exercise uses,
// evaluates a role's policies together (PolicySet), and serves IAM's
// Query API (Handler).
package iam

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Policy is a parsed policy document.
type Policy struct {
	Version    string
	Statements []Statement
	// Source is the document as written (JSON).
	Source string
}

// Statement is one statement of a policy.
type Statement struct {
	Sid         string
	Effect      string // Allow or Deny
	Action      []string
	NotAction   []string
	Resource    []string
	NotResource []string
	// Index is the statement's position (0-based) in the document.
	Index int
}

// Name is how a decision refers to the statement: its Sid, or its number.
func (s Statement) Name() string {
	if s.Sid != "" {
		return s.Sid
	}
	return fmt.Sprintf("statement %d", s.Index+1)
}

// SyntaxError is a malformed policy, with the position of the mistake.
type SyntaxError struct {
	Line, Col int
	Msg       string
	// Path names the element at fault, when one is: "Version",
	// "Statement[0]", "Statement[1].Condition" (Statement.Condition when
	// Statement is a single object). Callers that made the JSON from another
	// format (a lab file's YAML) use it to point at their own source.
	Path string
}

func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return "MalformedPolicyDocument: " + e.Msg
	}
	return fmt.Sprintf("%d:%d: MalformedPolicyDocument: %s", e.Line, e.Col, e.Msg)
}

// position turns a byte offset into a line and column.
func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// Parse reads a policy document (JSON).
func Parse(data []byte) (*Policy, error) {
	p := &Policy{Source: string(data)}
	version, err := parseDocument(data, func(s json.RawMessage, i int) (string, error) {
		st, field, err := parseStatement(s, i)
		if err == nil {
			p.Statements = append(p.Statements, st)
		}
		return field, err
	})
	if err != nil {
		return nil, err
	}
	p.Version = version
	return p, nil
}

// parseDocument reads a policy document's frame (Version, Id, Statement as
// one object or a list) and hands each statement to statement, which says
// which element is at fault when it refuses one. Identity and trust
// policies share the frame and differ in their statements.
func parseDocument(data []byte, statement func(s json.RawMessage, index int) (field string, err error)) (version string, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return "", jsonError(data, err)
	}
	// Decode reads one value; IAM refuses anything after it.
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return "", jsonError(data, err)
		}
		rest := bytes.TrimLeft(data[end:], " \t\r\n")
		l, c := position(data, int64(len(data)-len(rest)))
		return "", &SyntaxError{Line: l, Col: c, Msg: "Syntax errors in policy: unexpected text after the policy's closing }"}
	}
	if version, err = checkFrame(data, raw); err != nil {
		return "", err
	}
	stmts, ok := raw["Statement"]
	if !ok {
		return "", &SyntaxError{Line: 1, Col: 1, Msg: "Syntax errors in policy: the policy has no Statement"}
	}
	var list []json.RawMessage
	single := json.Unmarshal(stmts, &list) != nil
	if single {
		list = []json.RawMessage{stmts} // a single statement object
	}
	for i, s := range list {
		field, err := statement(s, i)
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) && se.Line == 0 {
				se.Line, se.Col = statementPosition(data, stmts, s, field)
				se.Path = fmt.Sprintf("Statement[%d]", i)
				if single {
					se.Path = "Statement"
				}
				if field != "" {
					se.Path += "." + field
				}
			}
			return "", err
		}
	}
	return version, nil
}

// checkFrame checks the document's top-level elements, in the order they
// are written, and returns its Version.
func checkFrame(data []byte, raw map[string]json.RawMessage) (version string, err error) {
	// find locates a key in the source, for positions.
	offsets := keyOffsets(data)
	find := func(key string) (int, int) {
		i, ok := offsets[key]
		if !ok {
			return 1, 1
		}
		return position(data, i)
	}
	for _, k := range inOrder(raw, offsets) {
		v := raw[k]
		switch k {
		case "Version":
			if err := json.Unmarshal(v, &version); err != nil || (version != "2012-10-17" && version != "2008-10-17") {
				l, c := find(k)
				return "", &SyntaxError{Line: l, Col: c, Path: k, Msg: fmt.Sprintf("The policy's Version %s is not valid: use \"2012-10-17\"", v)}
			}
		case "Id":
		case "Statement":
		default:
			l, c := find(k)
			return "", &SyntaxError{Line: l, Col: c, Path: k, Msg: fmt.Sprintf("Syntax errors in policy: unknown element %q (a policy has Version, Id and Statement)", k)}
		}
	}
	return version, nil
}

// keyOffsets maps each key of the top-level object to where it is written
// (its last occurrence, whose value counts). A key is found by its decoded
// name, as written it may hold escapes ("\u0056ersion") or invalid UTF-8.
func keyOffsets(data []byte) map[string]int64 {
	out := map[string]int64{}
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return out
	}
	for dec.More() {
		start := dec.InputOffset()
		t, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := t.(string)
		for start < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[start]) >= 0 {
			start++
		}
		out[key] = start
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			break
		}
	}
	return out
}

// inOrder lists an object's keys as the document has them, so the first
// mistake is the one reported, every time.
func inOrder(raw map[string]json.RawMessage, offsets map[string]int64) []string {
	keys := slices.Collect(maps.Keys(raw))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(offsets[a], offsets[b]), strings.Compare(a, b))
	})
	return keys
}

// statementPosition finds where a statement starts in the document, or
// where its element field is written when field is not empty.
func statementPosition(data, stmts, s []byte, field string) (int, int) {
	base := bytes.Index(data, stmts)
	off := bytes.Index(stmts, s)
	if base < 0 || off < 0 {
		return 0, 0
	}
	at := int64(base + off)
	if k, ok := keyOffsets(s)[field]; ok && field != "" {
		// keyOffsets gives where the value starts: step back to the key.
		if q := bytes.LastIndex(s[:k], []byte(`"`+field+`"`)); q >= 0 {
			k = int64(q)
		}
		at += k
	}
	return position(data, at)
}

func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// The offset is just past the offending byte.
		l, c := position(data, max(se.Offset-1, 0))
		return &SyntaxError{Line: l, Col: c, Msg: "Syntax errors in policy: " + se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		// The document ends early (or is empty): say where it ends.
		l, c := position(data, int64(len(data)))
		return &SyntaxError{Line: l, Col: c, Msg: "Syntax errors in policy: unexpected end of the document"}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		l, c := position(data, te.Offset)
		return &SyntaxError{Line: l, Col: c, Msg: "Syntax errors in policy: a policy document is a JSON object"}
	}
	return &SyntaxError{Msg: "Syntax errors in policy: " + err.Error()}
}

// parseStatement reads statement index; on error it also names the element
// at fault ("" for the statement as a whole).
func parseStatement(data []byte, index int) (st Statement, field string, err error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Statement{}, "", &SyntaxError{Msg: fmt.Sprintf("statement %d is not a JSON object", index+1)}
	}
	st = Statement{Index: index}
	bad := func(format string, args ...any) error {
		return &SyntaxError{Msg: fmt.Sprintf("statement %d: ", index+1) + fmt.Sprintf(format, args...)}
	}
	for _, k := range inOrder(raw, keyOffsets(data)) {
		v := raw[k]
		field = k
		switch k {
		case "Sid":
			err = json.Unmarshal(v, &st.Sid)
		case "Effect":
			err = json.Unmarshal(v, &st.Effect)
			if err == nil && st.Effect != "Allow" && st.Effect != "Deny" {
				return st, field, bad("Effect %q is not valid: use Allow or Deny", st.Effect)
			}
		case "Action":
			st.Action, err = stringList(v)
		case "NotAction":
			st.NotAction, err = stringList(v)
		case "Resource":
			st.Resource, err = stringList(v)
		case "NotResource":
			st.NotResource, err = stringList(v)
		case "Condition":
			return st, field, bad("not supported by lambdalab: Condition (lambdalab would have to ignore it, and an ignored condition allows more than you meant)")
		case "Principal", "NotPrincipal":
			return st, field, bad("Policy document should not specify a principal (an execution role's policy is identity-based)")
		default:
			return st, field, bad("unknown element %q", k)
		}
		if err != nil {
			return st, field, bad("%s must be a string or a list of strings", k)
		}
	}
	field = ""
	switch {
	case st.Effect == "":
		return st, field, bad("Missing required field Effect")
	case len(st.Action) == 0 && len(st.NotAction) == 0:
		return st, field, bad("Policy statement must contain actions (Action or NotAction)")
	case len(st.Action) > 0 && len(st.NotAction) > 0:
		return st, field, bad("a statement has Action or NotAction, not both")
	case len(st.Resource) == 0 && len(st.NotResource) == 0:
		return st, field, bad("Policy statement must contain resources (Resource or NotResource)")
	case len(st.Resource) > 0 && len(st.NotResource) > 0:
		return st, field, bad("a statement has Resource or NotResource, not both")
	}
	for _, a := range append(append([]string{}, st.Action...), st.NotAction...) {
		if a != "*" && !strings.Contains(a, ":") {
			field = "Action"
			if len(st.Action) == 0 {
				field = "NotAction"
			}
			return st, field, bad("Action %q must be service:action, like s3:GetObject", a)
		}
	}
	return st, "", nil
}

func stringList(v json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(v, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(v, &many); err != nil {
		return nil, err
	}
	return many, nil
}
