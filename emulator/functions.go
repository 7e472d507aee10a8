package emulator

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	s3srv "github.com/lambdalab/lambdalab/emulator/s3"
	"github.com/lambdalab/lambdalab/handler/builtin"
)

// AddFunction deploys a function: its built-in handler is constructed in
// each new execution environment, with an S3 client signed by the
// function's role credentials.
func (l *Lab) AddFunction(spec FunctionSpec) error {
	b, ok := builtin.Lookup(spec.Handler)
	if !ok {
		return fmt.Errorf("function %s: unknown handler %q", spec.Name, spec.Handler)
	}
	role, policy := spec.RoleName(), spec.Policy()
	if policy == nil {
		policy = DefaultRolePolicy(l.file.Region)
	}
	l.creds.setRole(role, policy)
	client := l.ClientFor(l.creds.issue(role, spec.Name))
	rt := func(getenv func(string) string) (awslambda.Handler, error) {
		h, err := b.New(builtin.Init{Getenv: getenv, S3: client})
		if err != nil {
			return nil, err
		}
		return awslambda.NewHandler(h), nil
	}
	if err := l.lambda.AddFunction(spec.lambdaConfig(), rt); err != nil {
		return fmt.Errorf("function %s: %w", spec.Name, err)
	}
	return nil
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

// roleOf is the execution role of a function.
func (l *Lab) roleOf(function string) string {
	l.fileMu.RLock()
	defer l.fileMu.RUnlock()
	for _, fn := range l.file.Functions {
		if fn.Name == function {
			return fn.RoleName()
		}
	}
	return DefaultRoleName
}

// logAccess is what Lambda checks before it writes an environment's logs:
// the role must allow logs:CreateLogStream and logs:PutLogEvents on the
// stream, and logs:CreateLogGroup when the group does not exist yet.
func (l *Lab) logAccess(function, stream string) (bool, string) {
	role := l.roleOf(function)
	p := l.creds.policy(role)
	if p == nil {
		return true, ""
	}
	group := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", l.file.Region, DefaultAccount, lambda.LogGroupName(function))
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

// RolePolicy returns a function's execution role and its current policy.
func (l *Lab) RolePolicy(function string) (string, *iam.Policy) {
	role := l.roleOf(function)
	return role, l.creds.policy(role)
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
		if err := l.data.savePolicy(role, doc); err != nil {
			return fmt.Errorf("keeping the policy in %s: %w", l.data.Dir(), err)
		}
	}
	l.creds.setRole(role, p)
	l.bus.Publish(bus.RolePolicyChanged{Header: bus.Header{Time: l.clock.Now()}, Role: role, Function: function})
	return nil
}

// UpdateFunction changes a function's configuration (as Lambda's
// UpdateFunctionConfiguration would): edit receives the current one.
func (l *Lab) UpdateFunction(name string, edit func(*lambda.Config)) error {
	cfg, ok := l.lambda.Config(name)
	if !ok {
		return fmt.Errorf("no function %s", name)
	}
	env := make(map[string]string, len(cfg.Environment))
	for k, v := range cfg.Environment {
		env[k] = v
	}
	cfg.Environment = env
	edit(&cfg)
	if err := l.lambda.UpdateFunction(cfg); err != nil {
		return err
	}
	if l.data != nil {
		if err := l.data.saveFunction(cfg); err != nil {
			return fmt.Errorf("keeping the configuration in %s: %w", l.data.Dir(), err)
		}
	}
	l.setFileEnvironment(name, cfg.Environment)
	l.bus.Publish(bus.FunctionUpdated{Header: bus.Header{Time: l.clock.Now()}, Function: name})
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
