package labfile

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/goccy/go-yaml"

	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime"
)

// ExportSAM writes the lab as an AWS SAM template: its buckets (with Block
// Public Access and ACLs disabled, as new buckets are), its functions as
// provided.al2023 arm64 functions built from cmd/HANDLER-lambda, their S3
// triggers, retry and on-failure settings, and their execution roles with
// the lab's policies. codeRoot is the path from the template to the
// repository ("." when the template sits at its root).
func (f *File) ExportSAM(codeRoot string) ([]byte, error) {
	resources := yaml.MapSlice{}
	bucketRef := map[string]string{}
	for _, b := range f.Buckets {
		id := LogicalID(b.Name, "Bucket")
		bucketRef[b.Name] = id
		resources = append(resources, yaml.MapItem{Key: id, Value: yaml.MapSlice{
			{Key: "Type", Value: "AWS::S3::Bucket"},
			{Key: "Properties", Value: yaml.MapSlice{
				{Key: "BucketName", Value: b.Name},
				{Key: "PublicAccessBlockConfiguration", Value: yaml.MapSlice{
					{Key: "BlockPublicAcls", Value: true}, {Key: "BlockPublicPolicy", Value: true},
					{Key: "IgnorePublicAcls", Value: true}, {Key: "RestrictPublicBuckets", Value: true},
				}},
				{Key: "OwnershipControls", Value: yaml.MapSlice{{Key: "Rules", Value: []yaml.MapSlice{{{Key: "ObjectOwnership", Value: "BucketOwnerEnforced"}}}}}},
			}},
		}})
	}
	shared := &exported{roles: map[string]string{}, layers: map[string]string{}}
	for _, fn := range f.Functions {
		res, err := f.exportFunction(fn, bucketRef, codeRoot, shared)
		if err != nil {
			return nil, err
		}
		resources = append(resources, res...)
	}
	tmpl := yaml.MapSlice{
		{Key: "AWSTemplateFormatVersion", Value: "2010-09-09"},
		{Key: "Transform", Value: "AWS::Serverless-2016-10-31"},
		{Key: "Description", Value: fmt.Sprintf("Exported by lambdalab from lab %q. Build with: sam build; deploy with: sam deploy --guided.", f.Name)},
		{Key: "Resources", Value: resources},
	}
	return yaml.MarshalWithOptions(tmpl, yaml.Indent(2), yaml.IndentSequence(true))
}

// ExportWarnings are what a person deploying the exported template should
// know first: functions whose runtime AWS no longer lets one create (the
// lab still runs them, as AWS runs functions created before the block).
func (f *File) ExportWarnings(today time.Time) []string {
	var out []string
	for _, fn := range f.Functions {
		d, ok := runtime.DeprecationOf(fn.Runtime)
		if !ok || today.Format(time.DateOnly) < d.BlockCreate {
			continue
		}
		out = append(out, fmt.Sprintf("function %s: AWS no longer creates %s functions (deprecated %s, creation blocked since %s, updates from %s): "+
			"change its runtime to python3.12 or later, with layers built for that Python, before sam deploy",
			fn.Name, fn.Runtime, d.Deprecated, d.BlockCreate, d.BlockUpdate))
	}
	return out
}

// exportFunction is fn's resources: the function, its execution role, and
// the layers it names by path.
// exported are the resources functions may share, by what they are: the
// logical ids of roles by role name (the lab's default role), and of layers
// by path (transcode's ffmpeg.zip).
type exported struct {
	roles, layers map[string]string
}

// Functions that share a role or a layer share its resource.
func (f *File) exportFunction(fn FunctionSpec, bucketRef map[string]string, codeRoot string, shared *exported) ([]yaml.MapItem, error) {
	cfg := fn.lambdaConfig().WithDefaults()
	fnID := LogicalID(fn.Name, "Function")
	var resources []yaml.MapItem
	roleID, ok := shared.roles[fn.RoleName()]
	if !ok {
		roleID = LogicalID(fn.Name, "Role")
		role, err := f.exportRole(fn, roleID)
		if err != nil {
			return nil, err
		}
		shared.roles[fn.RoleName()] = roleID
		resources = append(resources, role)
	}
	code, metadata, layers := f.exportCode(fn, codeRoot, shared.layers)
	props := yaml.MapSlice{{Key: "FunctionName", Value: fn.Name}}
	props = append(props, code...)
	props = append(props,
		yaml.MapItem{Key: "Architectures", Value: []string{"arm64"}},
		yaml.MapItem{Key: "MemorySize", Value: cfg.Memory},
		yaml.MapItem{Key: "Timeout", Value: int(cfg.Timeout.Seconds())},
		yaml.MapItem{Key: "Role", Value: yaml.MapSlice{{Key: "Fn::GetAtt", Value: []string{roleID, "Arn"}}}},
	)
	if len(cfg.Environment) > 0 {
		vars := yaml.MapSlice{}
		for _, k := range sortedEnv(cfg.Environment) {
			vars = append(vars, yaml.MapItem{Key: k, Value: cfg.Environment[k]})
		}
		props = append(props, yaml.MapItem{Key: "Environment", Value: yaml.MapSlice{{Key: "Variables", Value: vars}}})
	}
	if cfg.ReservedConcurrency != nil {
		props = append(props, yaml.MapItem{Key: "ReservedConcurrentExecutions", Value: *cfg.ReservedConcurrency})
	}
	props = append(props, yaml.MapItem{Key: "EventInvokeConfig", Value: exportInvokeConfig(cfg)})
	if events := f.exportEvents(fn, bucketRef); len(events) > 0 {
		props = append(props, yaml.MapItem{Key: "Events", Value: events})
	}
	res := yaml.MapSlice{{Key: "Type", Value: "AWS::Serverless::Function"}}
	if metadata != nil {
		res = append(res, yaml.MapItem{Key: "Metadata", Value: metadata})
	}
	res = append(res, yaml.MapItem{Key: "Properties", Value: props})
	return append(append([]yaml.MapItem{{Key: fnID, Value: res}}, resources...), layers...), nil
}

// exportCode is where fn's code comes from and how it runs. A built-in
// handler is built from this repository's cmd/HANDLER-lambda for
// provided.al2023. The lab's own code is named by its absolute path (a
// shipped lab's as extracted to the cache), so the template works wherever
// it is saved: a Go main package is built by SAM's go1.x builder, a Python
// folder or zip is taken as it is. Layers named by path become layer
// resources of their own; layers named by ARN stay ARNs.
func (f *File) exportCode(fn FunctionSpec, codeRoot string, layerIDs map[string]string) (props, metadata yaml.MapSlice, layers []yaml.MapItem) {
	goBuild := yaml.MapSlice{{Key: "BuildMethod", Value: "go1.x"}}
	if fn.Runtime == "" {
		return yaml.MapSlice{
			{Key: "CodeUri", Value: strings.TrimSuffix(codeRoot, "/") + "/cmd/" + fn.Handler + "-lambda/"},
			{Key: "Handler", Value: "bootstrap"},
			{Key: "Runtime", Value: "provided.al2023"},
		}, goBuild, nil
	}
	handler := fn.Handler
	if strings.HasPrefix(fn.Runtime, "provided") {
		handler, metadata = "bootstrap", goBuild
		if strings.HasSuffix(fn.Code, ".zip") {
			metadata = nil // a bootstrap built already
		}
	}
	props = yaml.MapSlice{
		{Key: "CodeUri", Value: absPath(f.CodePath(fn.Code))},
		{Key: "Handler", Value: handler},
		{Key: "Runtime", Value: fn.Runtime},
	}
	var refs []any
	for _, l := range fn.Layers {
		if strings.HasPrefix(l, "arn:") {
			refs = append(refs, WithAccountID(l))
			continue
		}
		path := absPath(f.CodePath(l))
		id, ok := layerIDs[path]
		if !ok {
			name := strings.TrimSuffix(filepath.Base(path), ".zip")
			id = LogicalID(fmt.Sprintf("%s-layer-%d", name, len(layerIDs)+1), "")
			layerIDs[path] = id
			layers = append(layers, yaml.MapItem{Key: id, Value: yaml.MapSlice{
				{Key: "Type", Value: "AWS::Serverless::LayerVersion"},
				{Key: "Properties", Value: yaml.MapSlice{
					{Key: "LayerName", Value: name},
					{Key: "ContentUri", Value: path},
					{Key: "CompatibleRuntimes", Value: []string{fn.Runtime}},
				}},
			}})
		}
		refs = append(refs, yaml.MapSlice{{Key: "Ref", Value: id}})
	}
	if refs != nil {
		props = append(props, yaml.MapItem{Key: "Layers", Value: refs})
	}
	return props, metadata, layers
}

// absPath is p made absolute (as it was, when that fails).
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// exportInvokeConfig is the function's asynchronous invocation settings.
func exportInvokeConfig(cfg lambda.Config) yaml.MapSlice {
	invoke := yaml.MapSlice{
		{Key: "MaximumRetryAttempts", Value: *cfg.MaximumRetryAttempts},
		{Key: "MaximumEventAgeInSeconds", Value: int(cfg.MaximumEventAge.Seconds())},
	}
	if cfg.OnFailure != "" {
		invoke = append(invoke, yaml.MapItem{Key: "DestinationConfig", Value: yaml.MapSlice{{Key: "OnFailure", Value: yaml.MapSlice{
			{Key: "Type", Value: "S3"}, {Key: "Destination", Value: "arn:aws:s3:::" + cfg.OnFailure},
		}}}})
	}
	return invoke
}

// exportEvents are the S3 events of the lab's triggers on fn.
func (f *File) exportEvents(fn FunctionSpec, bucketRef map[string]string) yaml.MapSlice {
	events := yaml.MapSlice{}
	for i, t := range f.Triggers {
		if t.Function != fn.Name {
			continue
		}
		ev := yaml.MapSlice{
			{Key: "Bucket", Value: yaml.MapSlice{{Key: "Ref", Value: bucketRef[t.Bucket]}}},
			{Key: "Events", Value: eventsOf(t)},
		}
		var rules []yaml.MapSlice
		if t.Prefix != "" {
			rules = append(rules, yaml.MapSlice{{Key: "Name", Value: "prefix"}, {Key: "Value", Value: t.Prefix}})
		}
		if t.Suffix != "" {
			rules = append(rules, yaml.MapSlice{{Key: "Name", Value: "suffix"}, {Key: "Value", Value: t.Suffix}})
		}
		if rules != nil {
			ev = append(ev, yaml.MapItem{Key: "Filter", Value: yaml.MapSlice{{Key: "S3Key", Value: yaml.MapSlice{{Key: "Rules", Value: rules}}}}})
		}
		name := LogicalID(t.ID, "")
		if t.ID == "" {
			name = fmt.Sprintf("Trigger%d", i+1)
		}
		events = append(events, yaml.MapItem{Key: name, Value: yaml.MapSlice{{Key: "Type", Value: "S3"}, {Key: "Properties", Value: ev}}})
	}
	return events
}

// exportRole is fn's execution role with its policy (the lab's default,
// narrowed to the lab's buckets, when it names none).
func (f *File) exportRole(fn FunctionSpec, roleID string) (yaml.MapItem, error) {
	policy := fn.Policy()
	if policy == nil {
		policy = f.defaultRolePolicyForExport()
	}
	var doc any
	if err := yaml.UnmarshalWithOptions([]byte(policy.Source), &doc, yaml.UseOrderedMap()); err != nil {
		return yaml.MapItem{}, fmt.Errorf("function %s: policy: %w", fn.Name, err)
	}
	return yaml.MapItem{Key: roleID, Value: yaml.MapSlice{
		{Key: "Type", Value: "AWS::IAM::Role"},
		{Key: "Properties", Value: yaml.MapSlice{
			{Key: "RoleName", Value: fn.RoleName()},
			{Key: "AssumeRolePolicyDocument", Value: yaml.MapSlice{
				{Key: "Version", Value: "2012-10-17"},
				{Key: "Statement", Value: []yaml.MapSlice{{
					{Key: "Effect", Value: "Allow"},
					{Key: "Principal", Value: yaml.MapSlice{{Key: "Service", Value: "lambda.amazonaws.com"}}},
					{Key: "Action", Value: "sts:AssumeRole"},
				}}},
			}},
			{Key: "Policies", Value: []yaml.MapSlice{{
				{Key: "PolicyName", Value: fn.RoleName() + "-policy"},
				{Key: "PolicyDocument", Value: WithAccountID(doc)},
			}}},
		}},
	}}, nil
}

// defaultRolePolicyForExport is the lab's default execution role narrowed
// to the lab's own buckets (in the lab, "the lab's buckets" is every bucket;
// on AWS it must be said).
func (f *File) defaultRolePolicyForExport() *iam.Policy {
	var resources []string
	for _, b := range f.Buckets {
		resources = append(resources, "arn:aws:s3:::"+b.Name, "arn:aws:s3:::"+b.Name+"/*")
	}
	statements := []any{map[string]any{"Sid": "LabLogs", "Effect": "Allow", "Action": "logs:*", "Resource": "arn:aws:logs:" + f.Region + ":*:*"}}
	if resources != nil { // a lab of no buckets gives no S3 access
		statements = append([]any{map[string]any{"Sid": "LabBuckets", "Effect": "Allow", "Action": "s3:*", "Resource": resources}}, statements...)
	}
	doc := map[string]any{"Version": "2012-10-17", "Statement": statements}
	data, _ := json.Marshal(doc)
	p, err := iam.Parse(data)
	if err != nil {
		panic(err)
	}
	return p
}

// WithAccountID replaces the lab's account id in ARNs with the deploying
// account's (Fn::Sub ${AWS::AccountId}), so the policy works on AWS.
func WithAccountID(v any) any {
	switch v := v.(type) {
	case string:
		if strings.Contains(v, ":"+DefaultAccount+":") {
			return yaml.MapSlice{{Key: "Fn::Sub", Value: strings.ReplaceAll(v, ":"+DefaultAccount+":", ":${AWS::AccountId}:")}}
		}
		return v
	case yaml.MapSlice:
		out := make(yaml.MapSlice, len(v))
		for i, item := range v {
			out[i] = yaml.MapItem{Key: item.Key, Value: WithAccountID(item.Value)}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = WithAccountID(x)
		}
		return out
	}
	return v
}

func eventsOf(t TriggerSpec) []string {
	if len(t.Events) == 0 {
		return DefaultTriggerEvents
	}
	return t.Events
}

func sortedEnv(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// LogicalID makes a CloudFormation logical id: ASCII letters and digits,
// CamelCase, then suffix.
func LogicalID(name, suffix string) string {
	var b strings.Builder
	up := true
	for _, r := range name {
		if r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
		}
		up = false
		b.WriteRune(r)
	}
	return b.String() + suffix
}
