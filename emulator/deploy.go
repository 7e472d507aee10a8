package emulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/control"
	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// newControl makes the lab's Lambda control plane: the one way functions
// are created and changed, for the lab file as for the Lambda API.
func (l *Lab) newControl(codeDir string) error {
	if err := l.procs.init(); err != nil {
		return err
	}
	var opts []control.Option
	if l.virtual() {
		// A replay prepares code before it answers: no background work
		// races the transcript.
		opts = append(opts, control.WithInlinePreparation())
	}
	l.control = control.New(l.lambda, control.Deps{
		Runtime:      l.controlRuntime,
		CheckRole:    l.checkRole,
		FetchObject:  l.fetchObject,
		BucketExists: func(b string) bool { return l.s3.BucketExists(b) },
		Layers:       l.procs.layers,
		CodeDir:      codeDir,
		Clock:        l.display(),
		IDs:          l.ids.Fork(),
		Region:       l.file.Region,
		Account:      labfile.DefaultAccount,
		OnChange:     l.functionChanged,
		CodeLocation: l.codeLocation,
	}, opts...)
	return nil
}

// controlRuntime turns a function's code into what the service runs: a
// built-in handler (in this process, or re-exec'd as a process), or the
// function's own code as processes.
func (l *Lab) controlRuntime(spec control.Spec) (lambda.Runtime, error) {
	role := roleName(spec.Role)
	if !spec.Builtin {
		for _, v := range spec.Layers {
			if v.StandInFor != "" {
				l.notice(spec.Function)(v.Description)
			}
		}
		return lambda.Processes(l.procs.manager, spec.RuntimeSpec(), l.notice(spec.Function))
	}
	return l.builtinRuntime(spec.Function, spec.Handler, role)
}

// roleName is the role an execution role ARN names ("" if none).
func roleName(roleARN string) string {
	r, err := arn.ParseRole(roleARN)
	if err != nil {
		return ""
	}
	return r.Name
}

// RoleARN is the ARN of a role of the lab's account.
func RoleARN(role string) string { return arn.RoleARN(labfile.DefaultAccount, role) }

// checkRole is Lambda's check of an execution role: it exists, and trusts
// lambda.amazonaws.com to assume it.
func (l *Lab) checkRole(roleARN string) error {
	name := roleName(roleARN)
	//lint:ignore ST1005 Lambda's own message, word for word
	cannot := errors.New("The role defined for the function cannot be assumed by Lambda.")
	if name == "" {
		return cannot
	}
	r, err := l.iam.GetRole(name)
	if err != nil {
		return cannot
	}
	trust, err := iam.ParseTrust([]byte(r.AssumeRolePolicyDocument))
	if err != nil || !trust.Trusts("Service", "lambda.amazonaws.com", "sts:AssumeRole") {
		return cannot
	}
	return nil
}

// fetchObject reads code from a lab bucket, as the root (the caller of the
// Lambda API that names it).
func (l *Lab) fetchObject(ctx context.Context, bucket, key, version string) ([]byte, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := l.RootClient().GetObject(ctx, in)
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// functionChanged publishes what the control plane did, for the console,
// serve's log and the data directory.
func (l *Lab) functionChanged(ch control.Change) {
	switch {
	case ch.Function == "":
		return
	case ch.Err != "":
		l.bus.Publish(bus.FunctionUpdated{Header: l.stamp(), Function: ch.Function, Change: ch.Op, Error: ch.Err})
	default:
		l.bus.Publish(bus.FunctionUpdated{Header: l.stamp(), Function: ch.Function, Change: ch.Op})
	}
	l.keepFunctions()
}

// AddFunction deploys a lab file's function through the Lambda control
// plane, as CreateFunction and the configuration calls would: a built-in
// handler, or the function's own code run as processes.
func (l *Lab) AddFunction(spec labfile.FunctionSpec) error {
	if err := l.addFunction(spec); err != nil {
		return fmt.Errorf("function %s: %w", spec.Name, err)
	}
	return nil
}

func (l *Lab) addFunction(spec labfile.FunctionSpec) error {
	role, policy := spec.RoleName(), spec.Policy()
	if policy == nil {
		policy = DefaultRolePolicy(l.file.Region)
	}
	if err := l.ensureIAMRole(role, policy); err != nil {
		return fmt.Errorf("role %s: %w", role, err)
	}
	l.creds.issue(role, spec.Name) // in file order: replays stay byte-identical
	in, err := l.createInput(spec, role)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if _, err := l.control.CreateFunction(ctx, in); err != nil {
		return err
	}
	if err := l.control.WaitReady(ctx, spec.Name); err != nil {
		return err
	}
	conf, err := l.control.GetFunctionConfiguration(spec.Name, "")
	if err != nil {
		return err
	}
	if conf.State == control.StateFailed {
		return errors.New(conf.StateReason)
	}
	return l.configure(spec)
}

// createInput is CreateFunction's request for a lab file's function.
func (l *Lab) createInput(spec labfile.FunctionSpec, role string) (control.CreateFunctionInput, error) {
	in := control.CreateFunctionInput{FunctionName: spec.Name, Runtime: spec.Runtime, Role: RoleARN(role), Handler: spec.Handler}
	if spec.Runtime == "" {
		in.Code.Builtin = true
	} else {
		in.Code.Path = l.file.CodePath(spec.Code)
		if in.Handler == "" {
			in.Handler = "bootstrap"
		}
	}
	if spec.Memory != 0 {
		in.MemorySize = &spec.Memory
	}
	if spec.Timeout != 0 {
		secs := int(time.Duration(spec.Timeout) / time.Second)
		in.Timeout = &secs
	}
	if spec.Environment != nil {
		in.Environment = &control.Environment{Variables: spec.Environment}
	}
	arns, err := l.layerARNs(spec.Layers)
	in.Layers = arns
	return in, err
}

// configure applies a lab file function's settings beyond its code, as
// the Lambda API's configuration calls do.
func (l *Lab) configure(spec labfile.FunctionSpec) error {
	if spec.ReservedConcurrency != nil {
		if _, err := l.control.PutFunctionConcurrency(spec.Name, spec.ReservedConcurrency); err != nil {
			return err
		}
	}
	if spec.MaximumRetryAttempts != nil || spec.MaximumEventAge != 0 || spec.OnFailure != "" {
		in := control.EventInvokeConfigInput{FunctionName: spec.Name, MaximumRetryAttempts: spec.MaximumRetryAttempts}
		if spec.MaximumEventAge != 0 {
			secs := int(time.Duration(spec.MaximumEventAge) / time.Second)
			in.MaximumEventAgeInSeconds = &secs
		}
		if spec.OnFailure != "" {
			in.DestinationConfig = &control.DestinationConfig{OnFailure: &control.Destination{Destination: arn.BucketARN(spec.OnFailure)}}
		}
		if _, err := l.control.PutFunctionEventInvokeConfig(in, false); err != nil {
			return err
		}
	}
	if spec.RecursiveLoop != "" {
		if _, err := l.control.PutFunctionRecursionConfig(spec.Name, spec.RecursiveLoop); err != nil {
			return err
		}
	}
	return nil
}

// layerARNs turns a lab file's layers into layer version ARNs: ARNs as
// they are, a zip or folder published into the registry (once per
// content: a new version only when it changed).
func (l *Lab) layerARNs(refs []string) ([]string, error) {
	var out []string
	for _, ref := range refs {
		if strings.HasPrefix(ref, "arn:") {
			out = append(out, ref)
			continue
		}
		v, err := l.publishPath(l.file.CodePath(ref))
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", ref, err)
		}
		out = append(out, v.ARN)
	}
	return out, nil
}

// publishPath publishes a layer zip or folder of the lab file under its
// file name, unless its newest version already holds the same bytes. As
// SAM does for a layer's ContentUri, it goes through S3: a zip over 50 MB
// (ffmpeg with its libraries) is fine.
func (l *Lab) publishPath(path string) (layers.Version, error) {
	content, err := zipOf(path)
	if err != nil {
		return layers.Version{}, err
	}
	name := layerName(path)
	sum := sha256.Sum256(content)
	if vs := l.procs.layers.Versions(name); len(vs) > 0 && vs[0].CodeSha256 == base64.StdEncoding.EncodeToString(sum[:]) {
		return vs[0], nil
	}
	return l.procs.layers.PublishFromS3(name, content, "published from "+path+" by the lab file", nil)
}

// layerName names a layer after its file: pillow-layer.zip → pillow-layer.
func layerName(path string) string {
	base := strings.TrimSuffix(filepath.Base(filepath.Clean(path)), ".zip")
	var b strings.Builder
	for _, c := range base {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteRune(c)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// zipOf reads a layer: a zip as it is, a folder zipped.
func zipOf(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return os.ReadFile(path)
	}
	var buf bytes.Buffer
	if err := layers.ZipFolder(&buf, path); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// s3CanInvoke is what S3 checks before a notification configuration may
// name a function: the function exists and its resource policy lets
// s3.amazonaws.com invoke it for the bucket (lambda add-permission, which
// the console's Add trigger and the lab file's triggers do for you).
func (l *Lab) s3CanInvoke(functionARN, bucket string) bool {
	return l.lambda.FunctionExists(functionARN) &&
		l.control.Allows(functionARN, "s3.amazonaws.com", arn.BucketARN(bucket), labfile.DefaultAccount)
}

// allowS3 adds the statement that lets S3 invoke function for bucket, as
// the console's Add trigger does (once per bucket).
func (l *Lab) allowS3(function, bucket string) error {
	if l.control.Allows(function, "s3.amazonaws.com", arn.BucketARN(bucket), labfile.DefaultAccount) {
		return nil
	}
	_, err := l.control.AddPermission(control.AddPermissionInput{FunctionName: function,
		StatementId: "lambdalab-s3-" + bucket, Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com",
		SourceArn: arn.BucketARN(bucket), SourceAccount: labfile.DefaultAccount})
	return err
}

// allowTriggers lets S3 invoke the functions the configurations name for
// their buckets, as the console's Add trigger does before it saves one.
func (l *Lab) allowTriggers(configs map[string]notify.NotificationConfiguration) error {
	for _, bucket := range slices.Sorted(maps.Keys(configs)) {
		for _, c := range configs[bucket].LambdaFunctionConfigurations {
			fn := notify.FunctionName(c.LambdaFunctionArn)
			if !l.lambda.FunctionExists(c.LambdaFunctionArn) {
				continue // S3 says so
			}
			if err := l.allowS3(fn, bucket); err != nil {
				return fmt.Errorf("trigger of bucket %s: %w", bucket, err)
			}
		}
	}
	return nil
}
