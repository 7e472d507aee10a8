package labfile

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml"

	"github.com/lambdalab/lambdalab/emulator/iam"
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
		id := logicalID(b.Name, "Bucket")
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
	for _, fn := range f.Functions {
		fnRes, roleRes, err := f.exportFunction(fn, bucketRef, codeRoot)
		if err != nil {
			return nil, err
		}
		resources = append(resources, fnRes, roleRes)
	}
	tmpl := yaml.MapSlice{
		{Key: "AWSTemplateFormatVersion", Value: "2010-09-09"},
		{Key: "Transform", Value: "AWS::Serverless-2016-10-31"},
		{Key: "Description", Value: fmt.Sprintf("Exported by lambdalab from lab %q. Build with: sam build; deploy with: sam deploy --guided.", f.Name)},
		{Key: "Resources", Value: resources},
	}
	return yaml.MarshalWithOptions(tmpl, yaml.Indent(2), yaml.IndentSequence(true))
}

func (f *File) exportFunction(fn FunctionSpec, bucketRef map[string]string, codeRoot string) (yaml.MapItem, yaml.MapItem, error) {
	cfg := fn.lambdaConfig().WithDefaults()
	fnID := logicalID(fn.Name, "Function")
	roleID := logicalID(fn.Name, "Role")
	policy := fn.Policy()
	if policy == nil {
		policy = f.defaultRolePolicyForExport()
	}
	var doc any
	if err := yaml.UnmarshalWithOptions([]byte(policy.Source), &doc, yaml.UseOrderedMap()); err != nil {
		return yaml.MapItem{}, yaml.MapItem{}, fmt.Errorf("function %s: policy: %w", fn.Name, err)
	}
	doc = withAccountID(doc)
	props := yaml.MapSlice{
		{Key: "FunctionName", Value: fn.Name},
		{Key: "CodeUri", Value: strings.TrimSuffix(codeRoot, "/") + "/cmd/" + fn.Handler + "-lambda/"},
		{Key: "Handler", Value: "bootstrap"},
		{Key: "Runtime", Value: "provided.al2023"},
		{Key: "Architectures", Value: []string{"arm64"}},
		{Key: "MemorySize", Value: cfg.Memory},
		{Key: "Timeout", Value: int(cfg.Timeout.Seconds())},
		{Key: "Role", Value: yaml.MapSlice{{Key: "Fn::GetAtt", Value: []string{roleID, "Arn"}}}},
	}
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
	invoke := yaml.MapSlice{
		{Key: "MaximumRetryAttempts", Value: *cfg.MaximumRetryAttempts},
		{Key: "MaximumEventAgeInSeconds", Value: int(cfg.MaximumEventAge.Seconds())},
	}
	if cfg.OnFailure != "" {
		invoke = append(invoke, yaml.MapItem{Key: "DestinationConfig", Value: yaml.MapSlice{{Key: "OnFailure", Value: yaml.MapSlice{
			{Key: "Type", Value: "S3"}, {Key: "Destination", Value: "arn:aws:s3:::" + cfg.OnFailure},
		}}}})
	}
	props = append(props, yaml.MapItem{Key: "EventInvokeConfig", Value: invoke})
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
		name := logicalID(t.ID, "")
		if t.ID == "" {
			name = fmt.Sprintf("Trigger%d", i+1)
		}
		events = append(events, yaml.MapItem{Key: name, Value: yaml.MapSlice{{Key: "Type", Value: "S3"}, {Key: "Properties", Value: ev}}})
	}
	if len(events) > 0 {
		props = append(props, yaml.MapItem{Key: "Events", Value: events})
	}
	fnRes := yaml.MapItem{Key: fnID, Value: yaml.MapSlice{
		{Key: "Type", Value: "AWS::Serverless::Function"},
		{Key: "Metadata", Value: yaml.MapSlice{{Key: "BuildMethod", Value: "go1.x"}}},
		{Key: "Properties", Value: props},
	}}
	roleRes := yaml.MapItem{Key: roleID, Value: yaml.MapSlice{
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
				{Key: "PolicyDocument", Value: doc},
			}}},
		}},
	}}
	return fnRes, roleRes, nil
}

// defaultRolePolicyForExport is the lab's default execution role narrowed
// to the lab's own buckets (in the lab, "the lab's buckets" is every bucket;
// on AWS it must be said).
func (f *File) defaultRolePolicyForExport() *iam.Policy {
	var resources []string
	for _, b := range f.Buckets {
		resources = append(resources, "arn:aws:s3:::"+b.Name, "arn:aws:s3:::"+b.Name+"/*")
	}
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{"Sid": "LabBuckets", "Effect": "Allow", "Action": "s3:*", "Resource": resources},
			map[string]any{"Sid": "LabLogs", "Effect": "Allow", "Action": "logs:*", "Resource": "arn:aws:logs:" + f.Region + ":*:*"},
		},
	}
	data, _ := json.Marshal(doc)
	p, err := iam.Parse(data)
	if err != nil {
		panic(err)
	}
	return p
}

// withAccountID replaces the lab's account id in ARNs with the deploying
// account's (Fn::Sub ${AWS::AccountId}), so the policy works on AWS.
func withAccountID(v any) any {
	switch v := v.(type) {
	case string:
		if strings.Contains(v, ":"+DefaultAccount+":") {
			return yaml.MapSlice{{Key: "Fn::Sub", Value: strings.ReplaceAll(v, ":"+DefaultAccount+":", ":${AWS::AccountId}:")}}
		}
		return v
	case yaml.MapSlice:
		out := make(yaml.MapSlice, len(v))
		for i, item := range v {
			out[i] = yaml.MapItem{Key: item.Key, Value: withAccountID(item.Value)}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = withAccountID(x)
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

// logicalID makes a CloudFormation logical id: alphanumeric, CamelCase.
func logicalID(name, suffix string) string {
	var b strings.Builder
	up := true
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
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
