// Command fail-lambda is the fail handler for real AWS Lambda
// (provided.al2023): it fails as FAIL_MODE says (error, panic, hang, alloc),
// with the message FAIL_MESSAGE.
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/fail-lambda
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalab/lambdalab/handler/fail"
)

func main() {
	h, err := fail.New(os.Getenv)
	if err != nil {
		log.Fatal(err) // the init phase fails, as Lambda reports it
	}
	lambda.Start(h.Handle)
}
