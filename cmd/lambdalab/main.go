// Command lambdalab is an offline AWS lab: a fake S3 on loopback whose
// events run real aws-lambda-go handlers, as AWS Lambda runs them.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// exitError carries an exit code: 2 for usage and configuration mistakes,
// 1 for failures.
type exitError struct {
	code  int
	err   error
	quiet bool // the command already said everything
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == bootstrapArg {
		runBootstrap(os.Args[2:])
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCommand()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if !ee.quiet {
			fmt.Fprintln(os.Stderr, "lambdalab:", err)
		}
		os.Exit(ee.code)
	}
	fmt.Fprintln(os.Stderr, "lambdalab:", err)
	os.Exit(2) // cobra's own errors are flag and argument mistakes
}

func newRootCommand() *cobra.Command {
	var o serveOptions
	root := &cobra.Command{
		Use:   "lambdalab",
		Short: "An offline AWS lab: S3 uploads trigger real Lambda handlers, on your machine",
		Long: `lambdalab runs the classic AWS exercise offline: upload an image to an S3 bucket,
the PUT event triggers a Lambda function, and it writes a 300x300 copy to another
bucket. S3 is served on loopback, so the aws CLI, boto3 and the AWS SDKs work
against it.`,
		Example: `  lambdalab                      # the console on the default lab (the exercise)
  lambdalab --lab my-lab.yaml    # your own lab file
  lambdalab --scenario retries   # play a scenario step by step (space)
  lambdalab serve                # headless: log lines instead of a UI`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConsole(cmd.Context(), cmd.ErrOrStderr(), o)
		},
	}
	o.addFlags(root)
	root.Flags().StringVar(&o.scenario, "scenario", "", "play a scenario (a file or an embedded name) step by step in the console")
	root.AddCommand(newServeCommand(), newPolicyCommand(), newLayerCommand(), newRunCommand(), newScenariosCommand(), newExportCommand(), newEnvCommand(), newVersionCommand())
	return root
}
