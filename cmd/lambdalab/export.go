package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/spf13/cobra"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/store"
)

func newExportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "export",
		Short:   "Export a lab for real AWS",
		Example: "  lambdalab export sam --addr 127.0.0.1:4566 --out my-stack\n  lambdalab export sam > template.yaml",
	}
	cmd.AddCommand(newExportSAMCommand())
	return cmd
}

type exportOptions struct {
	labFile, addr, dataDir, out, codeRoot string
}

func newExportSAMCommand() *cobra.Command {
	var o exportOptions
	sam := &cobra.Command{
		Use:   "sam",
		Short: "Write a lab as an AWS SAM template, with its functions' code and layers",
		Long: `export sam writes an AWS SAM template of a lab: its buckets, its functions with
their S3 triggers, retry and on-failure settings, layers and execution roles
with their policies.

With --addr it reads a running lab through its APIs (S3, Lambda, IAM), as it
is now: what was created with the aws CLI, an SDK or the console included.
With --data it does the same with a lab kept in a data directory, without a
running lab (it opens the directory as serve would: events it kept
undelivered may be sent meanwhile, and it is refused while a lambdalab uses
the directory). Both need --out: the template goes to OUT/template.yaml, each
function's code to OUT/functions/NAME/ and each layer's to
OUT/layers/NAME-VERSION/, which CodeUri and ContentUri name.

With --lab, or none of these, it exports a lab file (default: the default lab)
to stdout (or OUT/template.yaml).

A built-in handler (resize, echo, ...) becomes a provided.al2023 function on
arm64 built from cmd/HANDLER-lambda (--code-root is the path from the template
to this repository). Nothing is deployed from here. Bucket names are global on
AWS: rename them if they are taken.`,
		Example: `  lambdalab export sam --addr 127.0.0.1:4566 --out my-stack
  lambdalab export sam --data ./my-lab --out my-stack
  cd my-stack && sam build && sam deploy --guided

  lambdalab export sam > template.yaml              # the default lab file
  lambdalab export sam --lab my-lab.yaml > template.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExportSAM(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := sam.Flags()
	f.StringVar(&o.addr, "addr", "", "export the running lab at this address (host:port), as it is now")
	f.StringVar(&o.dataDir, "data", "", "export the lab kept in this data directory (no running lab needed)")
	f.StringVar(&o.labFile, "lab", "", "export a lab file or shipped lab (default: the default lab)")
	f.StringVar(&o.out, "out", "", "write template.yaml and the code into this new (or empty) folder")
	f.StringVar(&o.codeRoot, "code-root", ".", "path from the template to this repository (CodeUri of built-in handlers)")
	sam.MarkFlagsMutuallyExclusive("addr", "data", "lab")
	return sam
}

func runExportSAM(ctx context.Context, stdout, stderr io.Writer, o exportOptions) error {
	if o.addr == "" && o.dataDir == "" {
		return exportLabFile(stdout, o)
	}
	if o.out == "" {
		return usageError("--out DIR is needed with --addr and --data: the template and the functions' code are written there")
	}
	if err := emptyFolder(o.out); err != nil {
		return err
	}
	var lab *liveLab
	var err error
	if o.addr != "" {
		lab, err = readRunningLab(ctx, stderr, o.addr)
	} else {
		lab, err = readKeptLab(ctx, stderr, o.dataDir)
	}
	if err != nil {
		return err
	}
	w := &samWriter{lab: lab, out: o.out, codeRoot: o.codeRoot, notes: stderr}
	tmpl, err := w.template()
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	path := filepath.Join(o.out, "template.yaml")
	if err := os.WriteFile(path, tmpl, 0o644); err != nil {
		return &exitError{code: 1, err: err}
	}
	fmt.Fprintf(stdout, "wrote %s: %d buckets, %d functions, %d layers, %d roles; next: cd %s && sam build && sam deploy --guided\n",
		path, len(lab.buckets), len(lab.functions), len(lab.layers), len(lab.roles), o.out)
	return nil
}

// exportLabFile is the lab-file form: the template of what the file says.
func exportLabFile(stdout io.Writer, o exportOptions) error {
	file, err := loadLab(o.labFile)
	if err != nil {
		return err
	}
	out, err := file.ExportSAM(o.codeRoot)
	if err != nil {
		return err
	}
	if o.out == "" {
		_, err = stdout.Write(out)
		return err
	}
	if err := emptyFolder(o.out); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(o.out, "template.yaml"), out, 0o644)
}

// readRunningLab reads the lab serving at addr.
func readRunningLab(ctx context.Context, stderr io.Writer, addr string) (*liveLab, error) {
	endpoint := "http://" + addr
	root := emulator.RootCredentials()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1, HTTPClient: &http.Client{},
		Credentials: credentials.NewStaticCredentialsProvider(root.AccessKeyID, root.SecretAccessKey, "")}
	lab, err := newLiveReader(cfg, stderr).read(ctx, "the lab at "+endpoint)
	if err != nil {
		return nil, labError(endpoint, "export", err)
	}
	return lab, nil
}

// readKeptLab opens the lab kept in dir in this process (as an empty lab
// file restored from the directory: the directory's buckets, functions,
// roles and triggers, nothing added) and reads it through the in-memory
// transport.
func readKeptLab(ctx context.Context, stderr io.Writer, dir string) (*liveLab, error) {
	if _, err := os.Stat(filepath.Join(dir, "lab.db")); err != nil {
		return nil, usageError("--data %s: no lab is kept there (no lab.db); serve --data %s keeps one", dir, dir)
	}
	data, err := store.OpenData(dir)
	if errors.Is(err, store.ErrDataInUse) {
		return nil, usageError("--data %s: %v; export the running lab with --addr instead", dir, err)
	}
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	empty, err := labfile.LoadLab("empty")
	if err != nil {
		data.Close()
		return nil, err
	}
	lab, err := emulator.New(empty, emulator.WithData(data))
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--data %s: %w", dir, err)}
	}
	defer lab.Close()
	live, err := newLiveReader(lab.Config(emulator.RootCredentials()), stderr).read(ctx, "the lab kept in "+dir)
	if err != nil {
		return nil, &exitError{code: 1, err: fmt.Errorf("--data %s: %w", dir, err)}
	}
	return live, nil
}

// emptyFolder makes sure dir exists and holds nothing export could
// overwrite.
func emptyFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return usageError("--out %s: %v", dir, err)
	}
	if len(entries) > 0 {
		return usageError("--out %s is not empty: give a new folder (export writes template.yaml, functions/ and layers/ there)", dir)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
