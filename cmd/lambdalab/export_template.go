package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/goccy/go-yaml"

	"github.com/lambdalab/lambdalab/emulator/labfile"
)

// samWriter turns a live lab into a SAM template, writing each function's
// code and each layer's content into folders next to it (functions/NAME,
// layers/NAME-VERSION), which CodeUri and ContentUri name.
type samWriter struct {
	lab      *liveLab
	out      string // the folder of template.yaml
	codeRoot string // from the template to lambdalab's repository, for built-in handlers
	notes    io.Writer
	layerRef map[string]string // layer version ARN → logical id
	fnRef    map[string]string // function ARN → logical id
}

// template builds the template and writes the code it names.
func (w *samWriter) template() ([]byte, error) {
	w.layerRef, w.fnRef = map[string]string{}, map[string]string{}
	var res yaml.MapSlice
	for _, b := range w.lab.buckets {
		res = append(res, yaml.MapItem{Key: labfile.LogicalID(b, "Bucket"), Value: bucketResource(b)})
	}
	for _, l := range w.lab.layers {
		item, err := w.layer(l)
		if err != nil {
			return nil, err
		}
		res = append(res, item)
	}
	for _, fn := range w.lab.functions {
		w.fnRef[aws.ToString(fn.conf.FunctionArn)] = labfile.LogicalID(aws.ToString(fn.conf.FunctionName), "Function")
	}
	for _, fn := range w.lab.functions {
		items, err := w.function(fn)
		if err != nil {
			return nil, err
		}
		res = append(res, items...)
	}
	for _, name := range sortedKeys(w.lab.roles) {
		item, err := roleResource(w.lab.roles[name])
		if err != nil {
			return nil, err
		}
		res = append(res, item)
	}
	w.noteLostTriggers()
	tmpl := yaml.MapSlice{
		{Key: "AWSTemplateFormatVersion", Value: "2010-09-09"},
		{Key: "Transform", Value: "AWS::Serverless-2016-10-31"},
		{Key: "Description", Value: "Exported by lambdalab from " + w.lab.from + ". Build with: sam build; deploy with: sam deploy --guided."},
		{Key: "Resources", Value: res},
	}
	return yaml.MarshalWithOptions(tmpl, yaml.Indent(2), yaml.IndentSequence(true))
}

func bucketResource(name string) yaml.MapSlice {
	return yaml.MapSlice{
		{Key: "Type", Value: "AWS::S3::Bucket"},
		{Key: "Properties", Value: yaml.MapSlice{
			{Key: "BucketName", Value: name},
			{Key: "PublicAccessBlockConfiguration", Value: yaml.MapSlice{
				{Key: "BlockPublicAcls", Value: true}, {Key: "BlockPublicPolicy", Value: true},
				{Key: "IgnorePublicAcls", Value: true}, {Key: "RestrictPublicBuckets", Value: true},
			}},
			{Key: "OwnershipControls", Value: yaml.MapSlice{{Key: "Rules", Value: []yaml.MapSlice{{{Key: "ObjectOwnership", Value: "BucketOwnerEnforced"}}}}}},
		}},
	}
}

// layer writes a layer version's content to layers/NAME-VERSION.
func (w *samWriter) layer(l liveLayer) (yaml.MapItem, error) {
	arn := aws.ToString(l.conf.LayerVersionArn)
	name := aws.ToString(l.conf.LayerArn)
	name = name[strings.LastIndexByte(name, ':')+1:]
	dir := fmt.Sprintf("layers/%s-%d", name, l.conf.Version)
	if err := unzipTo(l.content, filepath.Join(w.out, filepath.FromSlash(dir))); err != nil {
		return yaml.MapItem{}, fmt.Errorf("layer %s: %w", arn, err)
	}
	id := labfile.LogicalID(fmt.Sprintf("%s-%d", name, l.conf.Version), "Layer")
	w.layerRef[arn] = id
	props := yaml.MapSlice{{Key: "LayerName", Value: name}, {Key: "ContentUri", Value: "./" + dir + "/"}}
	if d := aws.ToString(l.conf.Description); d != "" {
		props = append(props, yaml.MapItem{Key: "Description", Value: d})
	}
	if len(l.conf.CompatibleRuntimes) > 0 {
		props = append(props, yaml.MapItem{Key: "CompatibleRuntimes", Value: l.conf.CompatibleRuntimes})
	}
	return yaml.MapItem{Key: id, Value: yaml.MapSlice{{Key: "Type", Value: "AWS::Serverless::LayerVersion"}, {Key: "Properties", Value: props}}}, nil
}

// function is a function's resource (its code written to functions/NAME)
// and its resource policy's statements that no S3 event of the template
// makes.
func (w *samWriter) function(fn liveFunction) ([]yaml.MapItem, error) {
	c := fn.conf
	name := aws.ToString(c.FunctionName)
	id := w.fnRef[aws.ToString(c.FunctionArn)]
	role := aws.ToString(c.Role)
	props := yaml.MapSlice{{Key: "FunctionName", Value: name}}
	var meta yaml.MapSlice
	if fn.code == nil {
		// A built-in handler: its deployable twin is cmd/HANDLER-lambda.
		props = append(props, yaml.MapItem{Key: "CodeUri", Value: strings.TrimSuffix(w.codeRoot, "/") + "/cmd/" + aws.ToString(c.Handler) + "-lambda/"},
			yaml.MapItem{Key: "Handler", Value: "bootstrap"}, yaml.MapItem{Key: "Runtime", Value: "provided.al2023"},
			yaml.MapItem{Key: "Architectures", Value: []string{"arm64"}})
		meta = yaml.MapSlice{{Key: "BuildMethod", Value: "go1.x"}}
	} else {
		dir := "functions/" + name
		if err := unzipTo(fn.code, filepath.Join(w.out, filepath.FromSlash(dir))); err != nil {
			return nil, fmt.Errorf("function %s: %w", name, err)
		}
		props = append(props, yaml.MapItem{Key: "CodeUri", Value: "./" + dir + "/"}, yaml.MapItem{Key: "Handler", Value: aws.ToString(c.Handler)},
			yaml.MapItem{Key: "Runtime", Value: string(c.Runtime)}, yaml.MapItem{Key: "Architectures", Value: c.Architectures})
	}
	props = append(props, yaml.MapItem{Key: "MemorySize", Value: aws.ToInt32(c.MemorySize)}, yaml.MapItem{Key: "Timeout", Value: aws.ToInt32(c.Timeout)},
		yaml.MapItem{Key: "Role", Value: yaml.MapSlice{{Key: "Fn::GetAtt", Value: []string{roleID(role[strings.LastIndexByte(role, '/')+1:]), "Arn"}}}})
	if c.Environment != nil && len(c.Environment.Variables) > 0 {
		vars := yaml.MapSlice{}
		for _, k := range sortedKeys(c.Environment.Variables) {
			vars = append(vars, yaml.MapItem{Key: k, Value: c.Environment.Variables[k]})
		}
		props = append(props, yaml.MapItem{Key: "Environment", Value: yaml.MapSlice{{Key: "Variables", Value: vars}}})
	}
	if layers := w.layers(c.Layers); len(layers) > 0 {
		props = append(props, yaml.MapItem{Key: "Layers", Value: layers})
	}
	if fn.reserved != nil {
		props = append(props, yaml.MapItem{Key: "ReservedConcurrentExecutions", Value: *fn.reserved})
	}
	if inv := eventInvokeConfig(fn); inv != nil {
		props = append(props, yaml.MapItem{Key: "EventInvokeConfig", Value: inv})
	}
	events, covered := w.events(aws.ToString(c.FunctionArn))
	if len(events) > 0 {
		props = append(props, yaml.MapItem{Key: "Events", Value: events})
	}
	res := yaml.MapSlice{{Key: "Type", Value: "AWS::Serverless::Function"}}
	if meta != nil {
		res = append(res, yaml.MapItem{Key: "Metadata", Value: meta})
	}
	items := []yaml.MapItem{{Key: id, Value: append(res, yaml.MapItem{Key: "Properties", Value: props})}}
	return append(items, w.permissions(fn, id, covered)...), nil
}

// layers are a function's layers: the template's own by Ref, others (a
// public layer) by ARN.
func (w *samWriter) layers(ls []lambdatypes.Layer) []any {
	var out []any
	for _, l := range ls {
		arn := aws.ToString(l.Arn)
		if id, ok := w.layerRef[arn]; ok {
			out = append(out, yaml.MapSlice{{Key: "Ref", Value: id}})
		} else {
			out = append(out, arn)
		}
	}
	return out
}

func eventInvokeConfig(fn liveFunction) yaml.MapSlice {
	inv := fn.invoke
	if inv == nil {
		return nil
	}
	var out yaml.MapSlice
	if inv.MaximumRetryAttempts != nil {
		out = append(out, yaml.MapItem{Key: "MaximumRetryAttempts", Value: *inv.MaximumRetryAttempts})
	}
	if inv.MaximumEventAgeInSeconds != nil {
		out = append(out, yaml.MapItem{Key: "MaximumEventAgeInSeconds", Value: *inv.MaximumEventAgeInSeconds})
	}
	if d := inv.DestinationConfig; d != nil && d.OnFailure != nil && aws.ToString(d.OnFailure.Destination) != "" {
		dest := aws.ToString(d.OnFailure.Destination)
		kind := strings.ToUpper(strings.Split(dest, ":")[2])
		out = append(out, yaml.MapItem{Key: "DestinationConfig", Value: yaml.MapSlice{{Key: "OnFailure", Value: yaml.MapSlice{
			{Key: "Type", Value: kind}, {Key: "Destination", Value: labfile.WithAccountID(dest)}}}}})
	}
	return out
}

// events are the S3 triggers naming the function, and the buckets they
// cover (SAM gives S3 its permission for those).
func (w *samWriter) events(functionARN string) (yaml.MapSlice, map[string]bool) {
	var events yaml.MapSlice
	covered := map[string]bool{}
	for _, b := range w.lab.buckets {
		for i, lc := range w.lab.triggers[b] {
			if aws.ToString(lc.LambdaFunctionArn) != functionARN {
				continue
			}
			covered[b] = true
			ev := yaml.MapSlice{{Key: "Bucket", Value: yaml.MapSlice{{Key: "Ref", Value: labfile.LogicalID(b, "Bucket")}}}, {Key: "Events", Value: lc.Events}}
			if rules := filterRules(lc); rules != nil {
				ev = append(ev, yaml.MapItem{Key: "Filter", Value: yaml.MapSlice{{Key: "S3Key", Value: yaml.MapSlice{{Key: "Rules", Value: rules}}}}})
			}
			name := labfile.LogicalID(b+"-"+aws.ToString(lc.Id), "")
			if aws.ToString(lc.Id) == "" {
				name = labfile.LogicalID(fmt.Sprintf("%s-trigger-%d", b, i+1), "")
			}
			events = append(events, yaml.MapItem{Key: name, Value: yaml.MapSlice{{Key: "Type", Value: "S3"}, {Key: "Properties", Value: ev}}})
		}
	}
	return events, covered
}

func filterRules(lc s3types.LambdaFunctionConfiguration) []yaml.MapSlice {
	if lc.Filter == nil || lc.Filter.Key == nil {
		return nil
	}
	var rules []yaml.MapSlice
	for _, r := range lc.Filter.Key.FilterRules {
		rules = append(rules, yaml.MapSlice{{Key: "Name", Value: strings.ToLower(string(r.Name))}, {Key: "Value", Value: aws.ToString(r.Value)}})
	}
	return rules
}

// permissions are the statements of a function's resource policy that
// the template's S3 events do not make, as AWS::Lambda::Permission.
func (w *samWriter) permissions(fn liveFunction, fnID string, covered map[string]bool) []yaml.MapItem {
	var out []yaml.MapItem
	for _, p := range fn.policy {
		source := p.Condition.ArnLike["AWS:SourceArn"]
		if p.Principal.Service == "s3.amazonaws.com" && covered[strings.TrimPrefix(source, "arn:aws:s3:::")] {
			continue
		}
		principal := p.Principal.Service
		if principal == "" {
			principal = p.Principal.AWS
		}
		props := yaml.MapSlice{{Key: "FunctionName", Value: yaml.MapSlice{{Key: "Ref", Value: fnID}}},
			{Key: "Action", Value: p.Action}, {Key: "Principal", Value: labfile.WithAccountID(principal)}}
		if source != "" {
			props = append(props, yaml.MapItem{Key: "SourceArn", Value: labfile.WithAccountID(source)})
		}
		if acct := p.Condition.StringEquals["AWS:SourceAccount"]; acct != "" {
			props = append(props, yaml.MapItem{Key: "SourceAccount", Value: yaml.MapSlice{{Key: "Ref", Value: "AWS::AccountId"}}})
		}
		out = append(out, yaml.MapItem{Key: fnID + labfile.LogicalID(p.Sid, "Permission"),
			Value: yaml.MapSlice{{Key: "Type", Value: "AWS::Lambda::Permission"}, {Key: "Properties", Value: props}}})
	}
	return out
}

// noteLostTriggers says which triggers name a function the lab does not
// have: S3 keeps them, but they cannot be deployed.
func (w *samWriter) noteLostTriggers() {
	for _, b := range w.lab.buckets {
		for _, lc := range w.lab.triggers[b] {
			if arn := aws.ToString(lc.LambdaFunctionArn); w.fnRef[arn] == "" {
				fmt.Fprintf(w.notes, "lambdalab: not exported: bucket %s's trigger %s names %s, which the lab does not have (S3 keeps the configuration, but its events cannot be delivered)\n",
					b, aws.ToString(lc.Id), arn)
			}
		}
	}
}

func roleResource(r *liveRole) (yaml.MapItem, error) {
	trust, err := policyDoc(r.trust)
	if err != nil {
		return yaml.MapItem{}, fmt.Errorf("role %s: trust policy: %w", r.name, err)
	}
	props := yaml.MapSlice{{Key: "RoleName", Value: r.name}, {Key: "AssumeRolePolicyDocument", Value: trust}}
	var policies []yaml.MapSlice
	for _, p := range r.inline {
		doc, err := policyDoc(p[1])
		if err != nil {
			return yaml.MapItem{}, fmt.Errorf("role %s: policy %s: %w", r.name, p[0], err)
		}
		policies = append(policies, yaml.MapSlice{{Key: "PolicyName", Value: p[0]}, {Key: "PolicyDocument", Value: doc}})
	}
	if policies != nil {
		props = append(props, yaml.MapItem{Key: "Policies", Value: policies})
	}
	if r.managed != nil {
		props = append(props, yaml.MapItem{Key: "ManagedPolicyArns", Value: r.managed})
	}
	return yaml.MapItem{Key: roleID(r.name), Value: yaml.MapSlice{{Key: "Type", Value: "AWS::IAM::Role"}, {Key: "Properties", Value: props}}}, nil
}

// roleID is a role's logical id: its name, ending in Role.
func roleID(name string) string {
	id := labfile.LogicalID(name, "")
	if !strings.HasSuffix(id, "Role") {
		id += "Role"
	}
	return id
}

// policyDoc parses a policy document in order, its ARNs in the deploying
// account.
func policyDoc(doc string) (any, error) {
	var v any
	if err := yaml.UnmarshalWithOptions([]byte(doc), &v, yaml.UseOrderedMap()); err != nil {
		return nil, err
	}
	return labfile.WithAccountID(v), nil
}

// unzipTo extracts a package into dir, refusing entries that would land
// outside it; files keep their modes (a bootstrap stays executable).
func unzipTo(data []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("not a zip: %w", err)
	}
	for _, f := range zr.File {
		name := path.Clean(f.Name)
		if strings.HasPrefix(name, "../") || name == ".." || path.IsAbs(name) || strings.Contains(f.Name, `\`) {
			return fmt.Errorf("the zip's entry %q would land outside its folder", f.Name)
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		if !f.Mode().IsRegular() {
			return fmt.Errorf("the zip's entry %q is not a regular file", f.Name)
		}
		if err := extract(f, target); err != nil {
			return err
		}
	}
	return os.MkdirAll(dir, 0o755)
}

func extract(f *zip.File, target string) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	mode := f.Mode().Perm() | 0o600
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
