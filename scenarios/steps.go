package scenarios

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/lambdalab/lambdalab/emulator"
)

// Step is one step of a scenario.
type Step struct {
	// Kind is the step's key: upload, wait, expect, ...
	Kind string
	// Line and Col are where the step is in its file.
	Line, Col int
	// Notes, when given, explain the step to the reader (TUI, transcript).
	Notes string

	spec any
}

// Where is the step's position, file:line:col.
func (s Step) Where(file string) string { return fmt.Sprintf("%s:%d:%d", file, s.Line, s.Col) }

// Shapes are the documented forms of each step kind, for error messages.
var Shapes = map[string]string{
	"createBucket":     "createBucket: NAME",
	"deleteBucket":     "deleteBucket: NAME",
	"upload":           "upload: {bucket: B, key: K, and one of file: PATH, sample: sunset.jpg, image: {width: W, height: H, format: png|jpeg|gif}, text: CONTENT; contentType: T}",
	"delete":           "delete: {bucket: B, key: K}",
	"addTrigger":       "addTrigger: {bucket: B, function: F, events: [s3:ObjectCreated:*], prefix: P, suffix: S, id: ID}",
	"putNotification":  "putNotification: {bucket: B, triggers: [{function: F, events: [...], prefix: P, suffix: S, id: ID}]} (replaces all the bucket's triggers; [] removes them)",
	"setPolicy":        "setPolicy: {function: F, policy: {Version: \"2012-10-17\", Statement: [...]}} or {function: F, policyFile: role.json}",
	"setEnv":           "setEnv: {function: F, environment: {KEY: value}} (an empty value removes the variable)",
	"setRecursiveLoop": "setRecursiveLoop: {function: F, value: Allow|Terminate}",
	"invoke":           "invoke: {function: F, template: s3-put, bucket: B, key: K} or {function: F, payload: {...}} (like the console's Test button)",
	"wait":             "wait: idle | wait: 5m | wait: {invocations: N}",
	"expect":           "expect: {object: {...}} | {objects: {...}} | {invocations: {...}} | {log: {...}} | {metric: {...}} | {error: CODE}",
}

// Kinds lists the step kinds, sorted.
func Kinds() []string {
	out := make([]string, 0, len(Shapes))
	for k := range Shapes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Specs of the step kinds.
type (
	bucketSpec struct {
		Name string `yaml:"name"`
	}
	imageSpec struct {
		Width  int    `yaml:"width"`
		Height int    `yaml:"height"`
		Format string `yaml:"format"`
	}
	uploadSpec struct {
		Bucket      string     `yaml:"bucket"`
		Key         string     `yaml:"key"`
		File        string     `yaml:"file"`
		Sample      string     `yaml:"sample"`
		Image       *imageSpec `yaml:"image"`
		Text        *string    `yaml:"text"`
		ContentType string     `yaml:"contentType"`
	}
	objectRef struct {
		Bucket string `yaml:"bucket"`
		Key    string `yaml:"key"`
	}
	triggerSpec struct {
		ID       string   `yaml:"id"`
		Bucket   string   `yaml:"bucket"`
		Function string   `yaml:"function"`
		Events   []string `yaml:"events"`
		Prefix   string   `yaml:"prefix"`
		Suffix   string   `yaml:"suffix"`
	}
	notificationSpec struct {
		Bucket   string        `yaml:"bucket"`
		Triggers []triggerSpec `yaml:"triggers"`
	}
	policySpec struct {
		Function   string `yaml:"function"`
		Policy     any    `yaml:"policy"`
		PolicyFile string `yaml:"policyFile"`
	}
	envSpec struct {
		Function    string            `yaml:"function"`
		Environment map[string]string `yaml:"environment"`
	}
	loopSpec struct {
		Function string `yaml:"function"`
		Value    string `yaml:"value"`
	}
	invokeSpec struct {
		Function string `yaml:"function"`
		Template string `yaml:"template"`
		Bucket   string `yaml:"bucket"`
		Key      string `yaml:"key"`
		Payload  any    `yaml:"payload"`
	}
	waitSpec struct {
		Idle        bool
		Duration    time.Duration
		Invocations int `yaml:"invocations"`
	}
)

// stepEnvelope is a step's mapping: its kind's key, and optional notes.
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
	shape, known := Shapes[st.Kind]
	if !known {
		return Step{}, posOf(file, kindNode.Key, "unknown step kind %q; the kinds are %s", st.Kind, strings.Join(Kinds(), ", "))
	}
	spec, err := decodeSpec(st.Kind, kindNode.Value)
	if err != nil {
		msg := err.Error()
		var ye yaml.Error
		if e, ok := err.(yaml.Error); ok {
			ye = e
			msg = ye.GetMessage()
		}
		at := kindNode.Value
		if ye != nil && ye.GetToken() != nil && ye.GetToken().Position != nil {
			tk := ye.GetToken()
			return Step{}, &Error{File: file, Line: tk.Position.Line, Col: tk.Position.Column, Msg: fmt.Sprintf("%s: %s; the shape is %s", st.Kind, msg, shape)}
		}
		return Step{}, posOf(file, at, "%s: %s; the shape is %s", st.Kind, msg, shape)
	}
	st.spec = spec
	return st, nil
}

func decodeSpec(kind string, node ast.Node) (any, error) {
	decode := func(v any) error { return emulator.DecodeNode(node, v) }
	str, isString := node.(*ast.StringNode)
	switch kind {
	case "createBucket", "deleteBucket":
		if isString {
			return bucketSpec{Name: str.Value}, nil
		}
		var b bucketSpec
		if err := decode(&b); err != nil {
			return nil, err
		}
		if b.Name == "" {
			return nil, fmt.Errorf("the bucket needs a name")
		}
		return b, nil
	case "upload":
		var u uploadSpec
		if err := decode(&u); err != nil {
			return nil, err
		}
		n := 0
		for _, set := range []bool{u.File != "", u.Sample != "", u.Image != nil, u.Text != nil} {
			if set {
				n++
			}
		}
		if u.Bucket == "" || u.Key == "" || n != 1 {
			return nil, fmt.Errorf("an upload needs bucket, key and exactly one of file, sample, image, text")
		}
		if u.Image != nil {
			if u.Image.Width < 1 || u.Image.Height < 1 || u.Image.Width*u.Image.Height > 40e6 {
				return nil, fmt.Errorf("image: width and height from 1 up, at most 40 million pixels")
			}
			switch u.Image.Format {
			case "", "png", "jpeg", "jpg", "gif":
			default:
				return nil, fmt.Errorf("image format %q: png, jpeg or gif", u.Image.Format)
			}
		}
		return u, nil
	case "delete":
		var o objectRef
		if err := decode(&o); err != nil {
			return nil, err
		}
		if o.Bucket == "" || o.Key == "" {
			return nil, fmt.Errorf("delete needs bucket and key")
		}
		return o, nil
	case "addTrigger":
		var t triggerSpec
		if err := decode(&t); err != nil {
			return nil, err
		}
		if t.Bucket == "" || t.Function == "" {
			return nil, fmt.Errorf("a trigger needs bucket and function")
		}
		return t, nil
	case "putNotification":
		var p notificationSpec
		if err := decode(&p); err != nil {
			return nil, err
		}
		if p.Bucket == "" {
			return nil, fmt.Errorf("putNotification needs bucket")
		}
		for i, t := range p.Triggers {
			// Without a function the request names the ARN "…:function:",
			// and S3's InvalidArgument would not say which trigger lacks it.
			if t.Function == "" {
				return nil, fmt.Errorf("trigger %d needs function", i+1)
			}
			// A trigger shares addTrigger's fields, bucket among them; one
			// naming another bucket would otherwise be put on p.Bucket.
			if t.Bucket != "" && t.Bucket != p.Bucket {
				return nil, fmt.Errorf("trigger %d names bucket %s, but this putNotification sets the triggers of %s; write one putNotification per bucket", i+1, t.Bucket, p.Bucket)
			}
		}
		return p, nil
	case "setPolicy":
		var p policySpec
		if err := decode(&p); err != nil {
			return nil, err
		}
		if p.Function == "" || (p.Policy == nil) == (p.PolicyFile == "") {
			return nil, fmt.Errorf("setPolicy needs function and one of policy, policyFile")
		}
		return p, nil
	case "setEnv":
		var e envSpec
		if err := decode(&e); err != nil {
			return nil, err
		}
		if e.Function == "" || len(e.Environment) == 0 {
			return nil, fmt.Errorf("setEnv needs function and environment")
		}
		return e, nil
	case "setRecursiveLoop":
		var l loopSpec
		if err := decode(&l); err != nil {
			return nil, err
		}
		if l.Function == "" || (l.Value != "Allow" && l.Value != "Terminate") {
			return nil, fmt.Errorf("setRecursiveLoop needs function and value Allow or Terminate")
		}
		return l, nil
	case "invoke":
		var v invokeSpec
		if err := decode(&v); err != nil {
			return nil, err
		}
		if v.Function == "" {
			return nil, fmt.Errorf("invoke needs function")
		}
		if (v.Template == "") == (v.Payload == nil) {
			return nil, fmt.Errorf("invoke needs one of template, payload")
		}
		if v.Template != "" && v.Template != "s3-put" && v.Template != "s3-delete" {
			return nil, fmt.Errorf("template %q: s3-put or s3-delete", v.Template)
		}
		// A template's event is about an object; without bucket and key it
		// would name s3:/// and the function would fail at run time, retried.
		if v.Template != "" && (v.Bucket == "" || v.Key == "") {
			return nil, fmt.Errorf("template %s needs bucket and key, the object the test event is about", v.Template)
		}
		return v, nil
	case "wait":
		return decodeWait(node)
	case "expect":
		return decodeExpect(node)
	}
	return nil, fmt.Errorf("unknown step kind")
}

func decodeWait(node ast.Node) (any, error) {
	if s, ok := node.(*ast.StringNode); ok {
		if s.Value == "idle" {
			return waitSpec{Idle: true}, nil
		}
		d, err := time.ParseDuration(s.Value)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%q is neither idle nor a duration such as 5m", s.Value)
		}
		return waitSpec{Duration: d}, nil
	}
	var w struct {
		Invocations int    `yaml:"invocations"`
		Duration    string `yaml:"duration"`
	}
	if err := emulator.DecodeNode(node, &w); err != nil {
		return nil, err
	}
	if w.Duration != "" {
		d, err := time.ParseDuration(w.Duration)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("duration %q: want something like 5m", w.Duration)
		}
		return waitSpec{Duration: d}, nil
	}
	if w.Invocations < 1 {
		return nil, fmt.Errorf("wait needs idle, a duration, or invocations: N (N ≥ 1)")
	}
	return waitSpec{Invocations: w.Invocations}, nil
}
