// Command sleep-lambda is the sleep handler for real AWS Lambda
// (provided.al2023): it sleeps SLEEP (default 1s).
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/sleep-lambda
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalab/lambdalab/handler/sleep"
)

func main() {
	h, err := sleep.New(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
