package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/printer"
)

// DefaultAddr is LocalStack's port on loopback, so --endpoint-url habits
// carry over.
const DefaultAddr = "127.0.0.1:4566"

type serveOptions struct {
	addr        string
	labFile     string
	timeScale   float64
	allowRemote bool
	verbose     bool
	idleTimeout time.Duration
	scenario    string
	dataDir     string
	verifySigs  bool
	inProcess   bool
}

func (o *serveOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", defaultAddr(), "address of the S3 endpoint (host:port); by default LocalStack's 127.0.0.1:4566, or AWS_ENDPOINT_URL(_S3)'s when it points here")
	f.StringVar(&o.labFile, "lab", "", "lab file (YAML), or the name of a shipped lab ("+strings.Join(labfile.ShippedLabs(), ", ")+"); default: the exercise")
	f.Float64Var(&o.timeScale, "time-scale", 1, "run waits (retry back-off, event age, idle reclaim) this many times faster")
	f.BoolVar(&o.allowRemote, "allow-remote", false, "allow a non-loopback --addr (anyone who can reach it gets full access)")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "also log queueing, execution environments and object details")
	f.StringVar(&o.dataDir, "data", "", "keep the lab in this directory (objects, triggers, policies, undelivered events) and restore it from there on the next start")
	f.BoolVar(&o.verifySigs, "verify-signatures", false, "check the SigV4 signatures of requests signed with keys the lab issued (lambdalab env's, the functions'): a wrong secret gets SignatureDoesNotMatch")
	f.BoolVar(&o.inProcess, "in-process", false, "run the built-in handlers inside lambdalab instead of one process per execution environment (a timed-out handler then cannot be stopped)")
	f.DurationVar(&o.idleTimeout, "idle-timeout", lambda.DefaultIdleTimeout, "how long an unused execution environment stays warm (lab time)")
}

func newServeCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the lab headless, streaming S3 requests and Lambda logs",
		Long: `serve starts the lab and prints one line per S3 request and, for each
invocation, the lines Lambda would send to CloudWatch (START, the handler's
own lines, END, REPORT), prefixed by the function's name. Stop it with Ctrl-C.`,
		Example: `  lambdalab serve
  lambdalab serve --addr 127.0.0.1:4567 --lab recursion --time-scale 60

  # in another terminal:
  export AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
  aws s3 cp photo.jpg s3://cis-examples/
  aws s3 ls s3://cis-examples-output/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	o.addFlags(cmd)
	return cmd
}

// loadLab reads --lab, or the default lab.
func loadLab(path string) (*labfile.File, error) {
	if path == "" {
		return labfile.DefaultFile(), nil
	}
	f, err := labfile.LoadLab(path)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return f, nil
}

// checkAddr refuses a non-loopback address unless --allow-remote.
func checkAddr(addr string, allowRemote bool, warn io.Writer) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError("--addr %q: want host:port, e.g. %s", addr, DefaultAddr)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip != nil && ip.IsLoopback() {
		return nil
	}
	if !allowRemote {
		return usageError("--addr %s is not a loopback address: anyone who can reach it would get full access to the lab; add --allow-remote if that is what you want", addr)
	}
	fmt.Fprintf(warn, "lambdalab: WARNING: serving on %s, which is reachable from other machines; the lab has no authentication\n", addr)
	return nil
}

func labClock(scale float64) (clock.Clock, error) {
	if scale == 1 {
		return clock.Wall{}, nil
	}
	c, err := clock.NewScaled(scale)
	if err != nil {
		return nil, usageError("--time-scale: %v", err)
	}
	return c, nil
}

func runServe(ctx context.Context, out, errOut io.Writer, o serveOptions) error {
	lab, sub, endpoint, err := startLab(o, errOut)
	if err != nil {
		return err
	}
	p := printer.New(out)
	p.Verbose = o.verbose
	// The bus held the lab's creation for us; print it after the endpoint.
	fmt.Fprintf(out, "lambdalab: lab %q serving S3 at %s; point clients at it with: export AWS_ENDPOINT_URL=%s (any credentials work)\n",
		lab.File().Name, endpoint, endpoint)
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		p.Run(sub)
	}()
	<-ctx.Done()
	fmt.Fprintln(out, "lambdalab: stopping")
	done := make(chan struct{})
	go func() {
		lab.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		fmt.Fprintln(errOut, "lambdalab: a handler did not stop within 10s; exiting anyway")
	}
	<-printed
	return nil
}

func nextPort(port string) string {
	var n int
	if _, err := fmt.Sscan(port, &n); err != nil || n <= 0 || n >= 65535 {
		return "4567"
	}
	return fmt.Sprint(n + 1)
}
