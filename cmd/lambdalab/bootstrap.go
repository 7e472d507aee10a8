package main

import (
	"context"
	"log"
	"os"
	"strings"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/handler/builtin"
	"github.com/lambdalab/lambdalab/handler/sandbox"
)

// bootstrapArg starts lambdalab as a built-in handler's provided.al2023
// bootstrap: `lambdalab __bootstrap resize`. The lab runs built-in handlers
// this way when it serves on the wall clock, one process per execution
// environment behind the Runtime API, so that a timed-out or runaway
// handler can be killed and its memory measured, as Lambda does.
const bootstrapArg = "__bootstrap"

// runBootstrap builds the named built-in handler from the function's
// environment, as cmd/resize-lambda does on AWS, and hands it to
// aws-lambda-go's own runtime loop. It does not return.
func runBootstrap(args []string) {
	log.SetFlags(0)
	if len(args) != 1 {
		log.Fatalf("usage: lambdalab %s HANDLER (one of %s)", bootstrapArg, strings.Join(builtin.Names(), ", "))
	}
	b, ok := builtin.Lookup(args[0])
	if !ok {
		log.Fatalf("unknown built-in handler %q (one of %s)", args[0], strings.Join(builtin.Names(), ", "))
	}
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("load AWS configuration: %v", err)
	}
	// The lab's endpoint is a loopback address: path-style requests.
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = true })
	h, err := b.New(builtin.Init{Getenv: os.Getenv, S3: client})
	if err != nil {
		// An init failure, as a Go main that fails before lambda.Start.
		log.Fatal(err)
	}
	awslambda.Start(plainLines{awslambda.NewHandler(h)})
}

// plainLines gives the handler a logger without timestamps: each line the
// process writes becomes one CloudWatch event, which carries its own time.
type plainLines struct{ awslambda.Handler }

func (p plainLines) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return p.Handler.Invoke(sandbox.WithLogger(ctx, log.New(os.Stdout, "", 0)), payload)
}
