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
	client := l.ClientFor(l.creds.issue(DefaultRoleName, spec.Name))
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
	return l.ClientFor(Credentials{AccessKeyID: "AKIALAMBDALABROOT000", SecretAccessKey: "lambdalab"})
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
	client := l.ClientFor(l.creds.issue(DefaultRoleName, function))
	_, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(body),
		ContentType: aws.String("application/json"),
	})
	return err
}
