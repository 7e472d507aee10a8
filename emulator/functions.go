package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/control"
	s3srv "github.com/lambdalab/lambdalab/emulator/s3"
)

// functionVariables are the variables Lambda gives a function's processes
// beyond its configuration: the role's credentials and where the lab's
// endpoint is (AWS_ENDPOINT_URL, which the SDKs read).
func (l *Lab) functionVariables(function string) map[string]string {
	c := l.creds.issue(l.roleOf(function), function)
	return map[string]string{
		"AWS_ACCESS_KEY_ID":     c.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": c.SecretAccessKey,
		"AWS_SESSION_TOKEN":     c.SessionToken,
		"AWS_ENDPOINT_URL":      l.functionEndpoint(),
	}
}

// ClientFor returns an aws-sdk-go-v2 S3 client that reaches the lab
// in-process, signed with creds. It copies the invocation's trace id from
// its context to the X-Amzn-Trace-Id header, as the SDK's recursion
// detection does from the environment on Lambda.
func (l *Lab) ClientFor(creds Credentials) *s3.Client {
	return s3.New(s3.Options{
		Region:       l.file.Region,
		BaseEndpoint: aws.String("http://s3.lambdalab.internal"),
		UsePathStyle: true,
		Credentials:  awscreds.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
		HTTPClient:   &http.Client{Transport: s3srv.Transport{Handler: l.s3}},
		Logger:       logging.Nop{},
		// The lab answers without response checksums unless asked; do not
		// warn about it on every GET.
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported, // as on Lambda
		APIOptions:                 []func(*middleware.Stack) error{addTraceHeader},
	})
}

// RootClient is an S3 client acting as the account root: what the TUI and
// scenarios use, like a student at the console.
func (l *Lab) RootClient() *s3.Client {
	return l.ClientFor(RootCredentials())
}

func addTraceHeader(stack *middleware.Stack) error {
	return stack.Build.Add(middleware.BuildMiddlewareFunc("LambdalabTraceHeader",
		func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				if trace, _ := ctx.Value(lambda.TraceContextKey).(string); trace != "" {
					req.Header.Set(s3srv.TraceHeader, trace)
				}
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
}

// deliverRecord writes an invocation record to an on-failure bucket through
// the S3 API, as the function's execution role.
func (l *Lab) deliverRecord(ctx context.Context, function, bucket, key string, body []byte) error {
	client := l.ClientFor(l.creds.issue(l.roleOf(function), function))
	_, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(body),
		ContentType: aws.String("application/json"),
	})
	return err
}

// roleOf is the execution role of a function (its configuration's Role).
func (l *Lab) roleOf(function string) string {
	if l.control != nil {
		if conf, err := l.control.GetFunctionConfiguration(function, ""); err == nil {
			if r := roleName(conf.Role); r != "" {
				return r
			}
		}
	}
	return labfile.DefaultRoleName
}

// logAccess is what Lambda checks before it writes an environment's logs:
// the role must allow logs:CreateLogStream and logs:PutLogEvents on the
// stream, and logs:CreateLogGroup when the group does not exist yet.
func (l *Lab) logAccess(function, stream string) (bool, string) {
	role := l.roleOf(function)
	p := l.creds.permissions(role)
	if p == nil {
		return true, ""
	}
	group := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", l.file.Region, labfile.DefaultAccount, lambda.LogGroupName(function))
	needs := [][2]string{{"logs:CreateLogStream", group + ":log-stream:" + stream}, {"logs:PutLogEvents", group + ":log-stream:" + stream}}
	if len(l.lambda.Logs().Streams(lambda.LogGroupName(function))) == 0 {
		needs = append([][2]string{{"logs:CreateLogGroup", group}}, needs...)
	}
	for _, n := range needs {
		if d := p.Evaluate(n[0], n[1]); !d.Allowed {
			return false, fmt.Sprintf("role %s does not allow %s on %s (%s): this environment's logs never reach %s",
				role, n[0], n[1], d.Reason(), lambda.LogGroupName(function))
		}
	}
	return true, ""
}

// FunctionCredentials are the credentials the lab issued to a function's
// role session: what its S3 client signs with.
func (l *Lab) FunctionCredentials(function string) Credentials {
	return l.creds.issue(l.roleOf(function), function)
}

// RolePolicy returns a function's execution role and its inline policy
// (the lab file's, or the first one IAM lists), which the console edits.
func (l *Lab) RolePolicy(function string) (string, *iam.Policy) {
	role := l.roleOf(function)
	names, err := l.iam.ListRolePolicies(role)
	if err != nil || len(names) == 0 {
		return role, nil
	}
	name := names[0]
	if slices.Contains(names, LabFilePolicyName) {
		name = LabFilePolicyName
	}
	doc, err := l.iam.GetRolePolicy(role, name)
	if err != nil {
		return role, nil
	}
	p, err := iam.Parse([]byte(doc))
	if err != nil {
		return role, nil
	}
	return role, p
}

// SetRolePolicy replaces the policy of a function's role (as IAM's
// PutRolePolicy would); it applies to the next S3 call the function makes.
func (l *Lab) SetRolePolicy(function string, doc []byte) error {
	p, err := iam.Parse(doc)
	if err != nil {
		return err
	}
	role := l.roleOf(function)
	if l.data != nil {
		if err := l.data.SavePolicy(role, doc); err != nil {
			return fmt.Errorf("keeping the policy in %s: %w", l.data.Dir(), err)
		}
	}
	// IAM's change hook tells the bus.
	return l.iam.PutRolePolicy(role, LabFilePolicyName, p.Source)
}

// UpdateFunction changes a function's memory, timeout and environment
// (as Lambda's UpdateFunctionConfiguration would): edit receives the
// current configuration.
func (l *Lab) UpdateFunction(name string, edit func(*lambda.Config)) error {
	cfg, ok := l.lambda.Config(name)
	if !ok {
		return fmt.Errorf("no function %s", name)
	}
	cfg.Environment = maps.Clone(cfg.Environment)
	edit(&cfg)
	secs := int(cfg.Timeout / time.Second)
	in := control.UpdateFunctionConfigurationInput{FunctionName: name, MemorySize: &cfg.Memory, Timeout: &secs,
		Environment: &control.Environment{Variables: cfg.Environment}}
	ctx := context.Background()
	if _, err := l.control.UpdateFunctionConfiguration(ctx, in); err != nil {
		return err
	}
	// As the console does, wait for the update to finish before the next.
	if err := l.control.WaitReady(ctx, name); err != nil {
		return err
	}
	l.setFileEnvironment(name, cfg.Environment)
	return nil
}

// setFileEnvironment keeps the lab file's copy of a function's environment
// current (the export and the console read it).
func (l *Lab) setFileEnvironment(name string, env map[string]string) {
	l.fileMu.Lock()
	defer l.fileMu.Unlock()
	for i := range l.file.Functions {
		if l.file.Functions[i].Name == name {
			l.file.Functions[i].Environment = env
		}
	}
}

// SetLayers gives a function of its own code new layers (paths or layer
// ARNs), as UpdateFunctionConfiguration --layers does: new environments
// run with them, warm ones are retired.
func (l *Lab) SetLayers(name string, refs []string) error {
	arns, err := l.layerARNs(refs)
	if err != nil {
		return err
	}
	ctx := context.Background()
	in := control.UpdateFunctionConfigurationInput{FunctionName: name, Layers: &arns}
	if _, err := l.control.UpdateFunctionConfiguration(ctx, in); err != nil {
		return err
	}
	if err := l.control.WaitReady(ctx, name); err != nil {
		return err
	}
	conf, err := l.control.GetFunctionConfiguration(name, "")
	if err != nil {
		return err
	}
	if conf.LastUpdateStatus == control.UpdateFailed {
		return errors.New(conf.LastUpdateStatusReason)
	}
	l.fileMu.Lock()
	for i := range l.file.Functions {
		if l.file.Functions[i].Name == name {
			l.file.Functions[i].Layers = refs
		}
	}
	l.fileMu.Unlock()
	return nil
}

// Invoke runs a function synchronously with payload, as the console's Test
// button and `aws lambda invoke` do.
func (l *Lab) Invoke(ctx context.Context, function string, payload []byte) (lambda.InvokeResult, error) {
	return l.lambda.Invoke(ctx, function, payload)
}
