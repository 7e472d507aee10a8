package scenarios

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/lambdalab/lambdalab/internal/yamlpos"
)

// Step is one step of a scenario.
type Step struct {
	// Kind is the step's key: upload, wait, expect, ...
	Kind string
	// Line and Col are where the step is in its file.
	Line, Col int
	// Notes, when given, explain the step to the reader (TUI, transcript).
	Notes string

	spec stepSpec
}

// Where is the step's position, file:line:col.
func (s Step) Where(file string) string { return fmt.Sprintf("%s:%d:%d", file, s.Line, s.Col) }

// stepSpec is a step kind: its fields as a scenario file writes them,
// checked by validate (when the file is read, so a mistake is reported
// with its position before anything runs), said in one line by describe,
// and done by run. Each kind is one type, registered once in kinds.
type stepSpec interface {
	validate() error
	describe() string
	run(r *runner) error
}

// nodeReader is a kind that reads its YAML node itself, for a form the
// plain mapping of its fields does not cover (createBucket: NAME,
// wait: idle).
type nodeReader interface {
	read(node ast.Node) error
}

// kind is a registered step kind: its documented shape and a new, empty
// spec to read a step into.
type kind struct {
	shape string
	new   func() stepSpec
}

// kinds are the step kinds, by the key a step is written with.
var kinds = map[string]kind{
	"createBucket": {"createBucket: NAME", func() stepSpec { return &createBucketStep{} }},
	"deleteBucket": {"deleteBucket: NAME", func() stepSpec { return &deleteBucketStep{} }},
	"upload": {"upload: {bucket: B, key: K, and one of file: PATH, sample: sunset.jpg, image: {width: W, height: H, format: png|jpeg|gif}, text: CONTENT; contentType: T}",
		func() stepSpec { return &uploadSpec{} }},
	"delete":     {"delete: {bucket: B, key: K}", func() stepSpec { return &deleteSpec{} }},
	"addTrigger": {"addTrigger: {bucket: B, function: F, events: [s3:ObjectCreated:*], prefix: P, suffix: S, id: ID}", func() stepSpec { return &triggerSpec{} }},
	"putNotification": {"putNotification: {bucket: B, triggers: [{function: F, events: [...], prefix: P, suffix: S, id: ID}]} (replaces all the bucket's triggers; [] removes them)",
		func() stepSpec { return &notificationSpec{} }},
	"setPolicy":        {"setPolicy: {function: F, policy: {Version: \"2012-10-17\", Statement: [...]}} or {function: F, policyFile: role.json}", func() stepSpec { return &policySpec{} }},
	"setEnv":           {"setEnv: {function: F, environment: {KEY: value}} (an empty value removes the variable)", func() stepSpec { return &envSpec{} }},
	"setRecursiveLoop": {"setRecursiveLoop: {function: F, value: Allow|Terminate}", func() stepSpec { return &loopSpec{} }},
	"addLayer":         {"addLayer: {function: F, arn: arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION} (like the console's Add a layer)", func() stepSpec { return &layerSpec{} }},
	"invoke":           {"invoke: {function: F, template: s3-put, bucket: B, key: K} or {function: F, payload: {...}} (like the console's Test button)", func() stepSpec { return &invokeSpec{} }},
	"wait":             {"wait: idle | wait: 5m | wait: {invocations: N}", func() stepSpec { return &waitSpec{} }},
	"uploadVideo":      {"uploadVideo: {bucket: B, key: K, seconds: S, width: W, height: H, fps: F} (a test video ffmpeg generates)", func() stepSpec { return &videoSpec{} }},
	"setConcurrency":   {"setConcurrency: {function: F, reserved: N} (reserved concurrency, as PutFunctionConcurrency)", func() stepSpec { return &concurrencySpec{} }},
	"expect":           {"expect: {object: {...}} | {objects: {...}} | {invocations: {...}} | {log: {...}} | {metric: {...}} | {video: {...}} | {error: CODE}", func() stepSpec { return &expectSpec{} }},
}

// Shapes are the documented forms of each step kind, for error messages.
var Shapes = func() map[string]string {
	out := map[string]string{}
	for name, k := range kinds {
		out[name] = k.shape
	}
	return out
}()

// Kinds lists the step kinds, sorted.
func Kinds() []string { return slices.Sorted(maps.Keys(kinds)) }

// parseStep reads a step's mapping: its kind's key, and optional notes.
func parseStep(file string, i int, node ast.Node) (Step, error) {
	m, ok := node.(*ast.MappingNode)
	if !ok || len(m.Values) == 0 {
		return Step{}, posOf(file, node, "step %d: a step is a mapping with one key, the step kind (%s)", i+1, strings.Join(Kinds(), ", "))
	}
	st := Step{}
	var kindNode *ast.MappingValueNode
	for _, v := range m.Values {
		k := v.Key.String()
		if k == "notes" {
			st.Notes = strings.Trim(v.Value.String(), `"'|`)
			if s, ok := v.Value.(*ast.StringNode); ok {
				st.Notes = s.Value
			}
			continue
		}
		if kindNode != nil {
			return Step{}, posOf(file, v.Key, "step %d has two kinds (%s and %s): write one step per list item", i+1, kindNode.Key.String(), k)
		}
		kindNode = v
	}
	if kindNode == nil {
		return Step{}, posOf(file, node, "step %d has only notes; add a step kind (%s)", i+1, strings.Join(Kinds(), ", "))
	}
	st.Kind = kindNode.Key.String()
	if tk := kindNode.Key.GetToken(); tk != nil && tk.Position != nil {
		st.Line, st.Col = tk.Position.Line, tk.Position.Column
	}
	k, known := kinds[st.Kind]
	if !known {
		return Step{}, posOf(file, kindNode.Key, "unknown step kind %q; the kinds are %s", st.Kind, strings.Join(Kinds(), ", "))
	}
	spec, err := readSpec(k, kindNode.Value)
	if err != nil {
		msg := err.Error()
		if ye, ok := err.(yaml.Error); ok {
			msg = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				return Step{}, &Error{File: file, Line: tk.Position.Line, Col: tk.Position.Column, Msg: fmt.Sprintf("%s: %s; the shape is %s", st.Kind, msg, k.shape)}
			}
		}
		return Step{}, posOf(file, kindNode.Value, "%s: %s; the shape is %s", st.Kind, msg, k.shape)
	}
	st.spec = spec
	return st, nil
}

// readSpec reads a step of kind k from its node and validates it.
func readSpec(k kind, node ast.Node) (stepSpec, error) {
	spec := k.new()
	var err error
	if r, ok := spec.(nodeReader); ok {
		err = r.read(node)
	} else {
		err = yamlpos.DecodeNode(node, spec)
	}
	if err != nil {
		return nil, err
	}
	if err := spec.validate(); err != nil {
		return nil, err
	}
	return spec, nil
}
