// Command fail-lambda is the fail handler for real AWS Lambda
// (provided.al2023): it returns the error FAIL_MESSAGE.
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/fail-lambda
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalab/lambdalab/handler/fail"
)

func main() { lambda.Start(fail.New(os.Getenv).Handle) }
