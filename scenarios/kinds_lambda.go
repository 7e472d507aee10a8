package scenarios

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/goccy/go-yaml/ast"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/notify"
	"github.com/lambdalab/lambdalab/internal/yamlpos"
)

// The Lambda and IAM step kinds: what a student changes in the console,
// and the lab's clock.

// policySpec replaces the policy of a function's execution role.
type policySpec struct {
	Function   string `yaml:"function"`
	Policy     any    `yaml:"policy"`
	PolicyFile string `yaml:"policyFile"`
}

func (p *policySpec) validate() error {
	if p.Function == "" || (p.Policy == nil) == (p.PolicyFile == "") {
		return fmt.Errorf("setPolicy needs function and one of policy, policyFile")
	}
	return nil
}

func (p *policySpec) describe() string { return "setPolicy of " + p.Function }

func (p *policySpec) run(r *runner) error {
	doc, err := r.policyDocument(*p)
	if err != nil {
		return err
	}
	// As the console's "Edit policy": the execution role the function's
	// configuration names, its inline policy, over IAM.
	conf, err := r.clients.Lambda.GetFunctionConfiguration(r.ctx, &lambdasdk.GetFunctionConfigurationInput{FunctionName: aws.String(p.Function)})
	if err != nil {
		return err
	}
	role, err := arn.ParseRole(aws.ToString(conf.Role))
	if err != nil {
		return fmt.Errorf("the execution role of %s: %w", p.Function, err)
	}
	_, err = r.clients.IAM.PutRolePolicy(r.ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String(role.Name),
		PolicyName: aws.String(emulator.LabFilePolicyName), PolicyDocument: aws.String(string(doc))})
	return err
}

// envSpec sets (or, with an empty value, removes) environment variables.
type envSpec struct {
	Function    string            `yaml:"function"`
	Environment map[string]string `yaml:"environment"`
}

func (e *envSpec) validate() error {
	if e.Function == "" || len(e.Environment) == 0 {
		return fmt.Errorf("setEnv needs function and environment")
	}
	return nil
}

func (e *envSpec) describe() string {
	var kv []string
	for _, k := range sortedKeys(e.Environment) {
		kv = append(kv, k+"="+e.Environment[k])
	}
	return fmt.Sprintf("setEnv %s %s", e.Function, strings.Join(kv, " "))
}

func (e *envSpec) run(r *runner) error {
	conf, err := r.clients.Lambda.GetFunctionConfiguration(r.ctx, &lambdasdk.GetFunctionConfigurationInput{FunctionName: aws.String(e.Function)})
	if err != nil {
		return err
	}
	vars := map[string]string{}
	if conf.Environment != nil {
		vars = maps.Clone(conf.Environment.Variables)
	}
	for k, v := range e.Environment {
		if v == "" {
			delete(vars, k)
		} else {
			vars[k] = v
		}
	}
	_, err = r.clients.Lambda.UpdateFunctionConfiguration(r.ctx, &lambdasdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(e.Function), Environment: &lambdatypes.Environment{Variables: vars}})
	return err
}

// loopSpec is a function's recursive loop setting.
type loopSpec struct {
	Function string `yaml:"function"`
	Value    string `yaml:"value"`
}

func (l *loopSpec) validate() error {
	if l.Function == "" || (l.Value != "Allow" && l.Value != "Terminate") {
		return fmt.Errorf("setRecursiveLoop needs function and value Allow or Terminate")
	}
	return nil
}

func (l *loopSpec) describe() string {
	return fmt.Sprintf("setRecursiveLoop %s %s", l.Function, l.Value)
}

func (l *loopSpec) run(r *runner) error {
	_, err := r.clients.Lambda.PutFunctionRecursionConfig(r.ctx, &lambdasdk.PutFunctionRecursionConfigInput{
		FunctionName: aws.String(l.Function), RecursiveLoop: lambdatypes.RecursiveLoop(l.Value)})
	return err
}

// layerSpec adds a layer version to a function of its own code, after the
// layers it has, as the console's "Add a layer" with an ARN does.
type layerSpec struct {
	Function string `yaml:"function"`
	ARN      string `yaml:"arn"`
}

func (l *layerSpec) validate() error {
	if l.Function == "" || l.ARN == "" {
		return fmt.Errorf("addLayer needs function and arn")
	}
	_, err := arn.ParseLayer(l.ARN)
	return err
}

func (l *layerSpec) describe() string { return fmt.Sprintf("addLayer %s to %s", l.ARN, l.Function) }

func (l *layerSpec) run(r *runner) error {
	conf, err := r.clients.Lambda.GetFunctionConfiguration(r.ctx, &lambdasdk.GetFunctionConfigurationInput{FunctionName: aws.String(l.Function)})
	if err != nil {
		return err
	}
	var layers []string
	for _, ly := range conf.Layers {
		layers = append(layers, aws.ToString(ly.Arn))
	}
	_, err = r.clients.Lambda.UpdateFunctionConfiguration(r.ctx, &lambdasdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(l.Function), Layers: append(layers, l.ARN)})
	return err
}

// invokeSpec queues a test event, as the console's Test button does.
type invokeSpec struct {
	Function string `yaml:"function"`
	Template string `yaml:"template"`
	Bucket   string `yaml:"bucket"`
	Key      string `yaml:"key"`
	Payload  any    `yaml:"payload"`
}

func (v *invokeSpec) validate() error {
	if v.Function == "" {
		return fmt.Errorf("invoke needs function")
	}
	if (v.Template == "") == (v.Payload == nil) {
		return fmt.Errorf("invoke needs one of template, payload")
	}
	if v.Template != "" && v.Template != "s3-put" && v.Template != "s3-delete" {
		return fmt.Errorf("template %q: s3-put or s3-delete", v.Template)
	}
	// A template's event is about an object; without bucket and key it
	// would name s3:/// and the function would fail at run time, retried.
	if v.Template != "" && (v.Bucket == "" || v.Key == "") {
		return fmt.Errorf("template %s needs bucket and key, the object the test event is about", v.Template)
	}
	return nil
}

func (v *invokeSpec) describe() string {
	if v.Template != "" {
		return fmt.Sprintf("invoke %s with a test %s event for s3://%s/%s", v.Function, v.Template, v.Bucket, v.Key)
	}
	return "invoke " + v.Function + " with a test event"
}

// run queues the event asynchronously, like S3's own: Invoke with
// InvocationType Event, as the console's Test does for an asynchronous
// invocation.
func (v *invokeSpec) run(r *runner) error {
	var payload []byte
	if v.Payload != nil {
		var err error
		if payload, err = json.Marshal(v.Payload); err != nil {
			return err
		}
	} else {
		name := "ObjectCreated:Put"
		if v.Template == "s3-delete" {
			name = "ObjectRemoved:Delete"
		}
		rec := notify.NewRecord(r.region(), "A"+labfile.DefaultAccount+"LAB", "test-event", notify.Change{
			EventName: name, Time: r.clock.Now(), Bucket: v.Bucket, Key: v.Key, PrincipalID: "A" + labfile.DefaultAccount + "LAB",
			SourceIP: "127.0.0.1", RequestID: "TESTEVENT0000000", HostID: "test-event", Sequencer: notify.Sequencer(1),
		})
		payload = notify.Payload(rec)
	}
	_, err := r.clients.Lambda.Invoke(r.ctx, &lambdasdk.InvokeInput{FunctionName: aws.String(v.Function),
		InvocationType: lambdatypes.InvocationTypeEvent, Payload: payload})
	return err
}

// waitSpec runs the lab: until idle, for a span of lab time, or until N
// attempts have ended.
type waitSpec struct {
	Idle        bool
	Duration    time.Duration
	Invocations int
}

func (w *waitSpec) read(node ast.Node) error {
	if s, ok := node.(*ast.StringNode); ok {
		if s.Value == "idle" {
			w.Idle = true
			return nil
		}
		d, err := time.ParseDuration(s.Value)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is neither idle nor a duration such as 5m", s.Value)
		}
		w.Duration = d
		return nil
	}
	var m struct {
		Invocations int    `yaml:"invocations"`
		Duration    string `yaml:"duration"`
	}
	if err := yamlpos.DecodeNode(node, &m); err != nil {
		return err
	}
	if m.Duration != "" {
		d, err := time.ParseDuration(m.Duration)
		if err != nil || d <= 0 {
			return fmt.Errorf("duration %q: want something like 5m", m.Duration)
		}
		w.Duration = d
		return nil
	}
	w.Invocations = m.Invocations
	return nil
}

func (w *waitSpec) validate() error {
	if !w.Idle && w.Duration <= 0 && w.Invocations < 1 {
		return fmt.Errorf("wait needs idle, a duration, or invocations: N (N ≥ 1)")
	}
	return nil
}

func (w *waitSpec) describe() string {
	switch {
	case w.Idle:
		return "wait until idle"
	case w.Duration > 0:
		return "wait " + w.Duration.String()
	}
	return fmt.Sprintf("wait for %d invocation(s)", w.Invocations)
}

func (w *waitSpec) run(r *runner) error {
	switch {
	case w.Idle:
		return r.time.RunUntilIdle(r.ctx, r.clock)
	case w.Duration > 0:
		return r.time.RunFor(r.ctx, r.clock, w.Duration)
	}
	for r.countInvocations("", "") < w.Invocations {
		moved, err := r.time.Step(r.ctx, r.clock)
		if err != nil {
			return err
		}
		if !moved {
			return fmt.Errorf("the lab is idle after %d invocation(s), want %d", r.countInvocations("", ""), w.Invocations)
		}
	}
	return nil
}
