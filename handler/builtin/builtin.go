// Package builtin lists the handlers a lab file can name in a function's
// "handler" field. Each is built once per execution environment, from the
// function's environment variables and an S3 client, the way a Go Lambda's
// main builds its handler before calling lambda.Start.
package builtin

import (
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/handler/echo"
	"github.com/lambdalab/lambdalab/handler/fail"
	"github.com/lambdalab/lambdalab/handler/resize"
	"github.com/lambdalab/lambdalab/handler/sleep"
)

// Init is what a constructor receives.
type Init struct {
	// Getenv reads the function's environment variables.
	Getenv func(string) string
	// S3 is an S3 client signed with the function's role credentials.
	S3 *s3.Client
}

// Handler describes one built-in handler.
type Handler struct {
	Name        string
	Description string
	// New builds the handler: a function accepted by lambda.NewHandler.
	New func(Init) (any, error)
}

var handlers = map[string]Handler{
	"resize": {
		Name:        "resize",
		Description: "the exercise: resize the uploaded image to WIDTH×HEIGHT (300×300) and put it into OUTPUT_BUCKET as PNG",
		New: func(in Init) (any, error) {
			cfg, err := resize.ConfigFromEnv(in.Getenv)
			if err != nil {
				return nil, err
			}
			return resize.New(in.S3, cfg).Handle, nil
		},
	},
	"echo": {
		Name:        "echo",
		Description: "log the event it received and return it",
		New:         func(Init) (any, error) { return echo.Handle, nil },
	},
	"sleep": {
		Name:        "sleep",
		Description: "sleep for SLEEP (default 1s), for timeout and concurrency lessons",
		New: func(in Init) (any, error) {
			h, err := sleep.New(in.Getenv)
			if err != nil {
				return nil, err
			}
			return h.Handle, nil
		},
	},
	"fail": {
		Name:        "fail",
		Description: "fail on purpose, for retry lessons: return the error FAIL_MESSAGE, or FAIL_MODE=panic, hang or alloc",
		New: func(in Init) (any, error) {
			h, err := fail.New(in.Getenv)
			if err != nil {
				return nil, err
			}
			return h.Handle, nil
		},
	},
}

// Lookup returns the built-in handler called name.
func Lookup(name string) (Handler, bool) {
	h, ok := handlers[name]
	return h, ok
}

// Names lists the built-in handlers, sorted.
func Names() []string {
	out := make([]string, 0, len(handlers))
	for n := range handlers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
