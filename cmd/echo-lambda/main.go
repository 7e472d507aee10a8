// Command echo-lambda is the echo handler for real AWS Lambda
// (provided.al2023): it logs the event it receives and returns it.
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/echo-lambda
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalab/lambdalab/handler/echo"
)

func main() { lambda.Start(echo.Handle) }
