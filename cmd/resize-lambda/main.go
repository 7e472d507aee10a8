// Command resize-lambda is the exercise's function for real AWS Lambda: the
// same handler/resize code the lab runs, behind lambda.Start. Build it as a
// provided.al2023 bootstrap:
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/resize-lambda
//	zip function.zip bootstrap
//
// It reads OUTPUT_BUCKET (required), WIDTH and HEIGHT (default 300) from the
// function's environment, and signs S3 calls with the execution role.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/handler/resize"
)

func main() {
	cfg, err := resize.ConfigFromEnv(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("load AWS configuration: %v", err)
	}
	lambda.Start(resize.New(s3.NewFromConfig(awsCfg), cfg).Handle)
}
