// Command handler is a Go Lambda function built on aws-lambda-go's own
// runtime loop, for the runtime package's tests: the event says what to do.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type request struct {
	Action  string   `json:"action"`
	Message string   `json:"message"`
	Lines   []string `json:"lines"`
	Stderr  []string `json:"stderr"`
	Code    int      `json:"code"`
	MB      int      `json:"mb"`
	Count   int      `json:"count"`
	Size    int      `json:"size"`
}

type echo struct {
	RequestID     string                        `json:"request_id"`
	FunctionARN   string                        `json:"function_arn"`
	DeadlineMs    int64                         `json:"deadline_ms"`
	Trace         string                        `json:"trace"`
	TraceEnv      string                        `json:"trace_env"`
	ClientContext lambdacontext.ClientContext   `json:"client_context"`
	Identity      lambdacontext.CognitoIdentity `json:"identity"`
	Handler       string                        `json:"handler"`
}

type quotaError struct{ what string }

func (e *quotaError) Error() string { return "over quota: " + e.what }

func main() {
	if os.Getenv("_HANDLER") == "print-env" {
		env := os.Environ()
		slices.Sort(env)
		for _, kv := range env {
			fmt.Println("env:" + kv)
		}
	}
	if os.Getenv("_HANDLER") == "init-alloc" {
		b := make([]byte, 300<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		select {} // never ready
	}
	if os.Getenv("_HANDLER") == "init-exit" {
		fmt.Println("init failing")
		os.Exit(4)
	}
	lambda.Start(handle)
}

func handle(ctx context.Context, req request) (any, error) {
	for _, l := range req.Lines {
		fmt.Println(l)
	}
	for _, l := range req.Stderr {
		fmt.Fprintln(os.Stderr, l)
	}
	switch req.Action {
	case "echo":
		return describe(ctx), nil
	case "error":
		return nil, errors.New(req.Message)
	case "custom-error":
		return nil, &quotaError{req.Message}
	case "panic":
		panic(req.Message)
	case "exit":
		os.Exit(req.Code)
	case "alloc":
		b := make([]byte, req.MB<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		<-ctx.Done() // hold the memory until killed
		return len(b), nil
	case "spawn":
		var pids []int
		for range req.Count {
			cmd := exec.Command("sleep", "1000")
			if err := cmd.Start(); err != nil {
				return nil, err
			}
			pids = append(pids, cmd.Process.Pid)
		}
		return pids, nil
	case "hang":
		select {}
	case "big":
		return strings.Repeat("x", req.Size), nil
	case "partial":
		fmt.Print(req.Message) // no newline
		return "ok", nil
	}
	return req.Action, nil
}

func describe(ctx context.Context) echo {
	lc, _ := lambdacontext.FromContext(ctx)
	d, _ := ctx.Deadline()
	trace, _ := ctx.Value("x-amzn-trace-id").(string)
	return echo{RequestID: lc.AwsRequestID, FunctionARN: lc.InvokedFunctionArn, DeadlineMs: d.UnixMilli(),
		Trace: trace, TraceEnv: os.Getenv("_X_AMZN_TRACE_ID"), ClientContext: lc.ClientContext, Identity: lc.Identity,
		Handler: os.Getenv("_HANDLER")}
}
