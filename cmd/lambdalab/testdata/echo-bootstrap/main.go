// Command echo-bootstrap is a provided.al2023 function that answers each
// event with itself: the Go bootstrap of the invoke benchmarks, whose work
// is only the Runtime API's round trip.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, event json.RawMessage) (json.RawMessage, error) { return event, nil })
}
