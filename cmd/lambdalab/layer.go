package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime/python"
)

func newLayerCommand() *cobra.Command {
	var cacheDir string
	cmd := &cobra.Command{
		Use:   "layer",
		Short: "Build, publish and list Lambda layers for functions of your own code",
		Long: `A layer is a zip whose contents a function sees under /opt: Python packages in
python/, programs in bin/ (on PATH), shared libraries in lib/. layer build makes
one from PyPI (when pip can reach an index) or from what this machine has
installed; layer publish stores it in the lab's layer registry and prints its
ARN, which a lab file's layers: or the console (l on a function) takes.

The registry is the one every lab on this machine uses (in the user's cache
directory, or --cache-dir). Public layers lambdalab cannot download, such as
Klayers' Pillow, resolve to stand-ins built from this machine; layer list says
which.`,
		Example: `  lambdalab layer build pillow --python Pillow
  lambdalab layer publish pillow pillow.zip
  lambdalab layer list

  # a program and the shared libraries it needs, from this machine
  lambdalab layer build ffmpeg --from-machine`,
		Args: cobra.NoArgs,
	}
	cmd.PersistentFlags().StringVar(&cacheDir, "cache-dir", "", "where the layer registry lives (default: "+labfile.DefaultCacheDir()+", where labs look)")
	cmd.AddCommand(newLayerBuildCommand(), newLayerPublishCommand(&cacheDir), newLayerListCommand(&cacheDir))
	return cmd
}

type layerBuildOptions struct {
	python      []string
	fromMachine bool
	runtime     string
	out         string
}

func newLayerBuildCommand() *cobra.Command {
	var o layerBuildOptions
	cmd := &cobra.Command{
		Use:   "build NAME (--python PKG... | --from-machine)",
		Short: "Build a layer zip: Python packages, or a program of this machine",
		Long: `build writes NAME.zip (or --out).

With --python, the packages and their dependencies go under python/: installed
with pip when it can reach an index (your pip configuration applies), else
copied from the packages this machine has installed. It says which, with each
package's version.

With --from-machine, NAME is a program on your PATH: it goes into bin/, and the
shared libraries it needs (as ldd finds them, except the C library, which the
runtime has) into lib/.`,
		Example: `  lambdalab layer build pillow --python Pillow
  lambdalab layer build deps --python requests Pillow --out deps.zip
  lambdalab layer build ffmpeg --from-machine`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLayerBuild(cmd.OutOrStdout(), args, o)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.python, "python", nil, "Python packages (requirement specifiers such as Pillow or Pillow==9.5.0); more may follow NAME")
	f.BoolVar(&o.fromMachine, "from-machine", false, "NAME is a program on PATH: copy it and its shared libraries")
	f.StringVar(&o.runtime, "runtime", "python3.12", "the Python runtime the layer is for (its interpreter runs pip)")
	f.StringVarP(&o.out, "out", "o", "", "the zip to write (default NAME.zip)")
	return cmd
}

func runLayerBuild(out io.Writer, args []string, o layerBuildOptions) error {
	name := args[0]
	if layers.CheckName(name) != nil {
		return usageError("layer name %q: Lambda's layer names are 1 to 140 letters, digits, hyphens and underscores", name)
	}
	if o.out == "" {
		o.out = name + ".zip"
	}
	switch {
	case o.fromMachine && len(o.python) > 0:
		return usageError("--python and --from-machine build different layers: give one of them")
	case o.fromMachine:
		if len(args) > 1 {
			return usageError("--from-machine copies one program, NAME; %q is one too many", args[1])
		}
		rep, err := layers.BuildProgram(name, o.out)
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		fmt.Fprint(out, rep)
	case len(o.python) > 0:
		in, err := python.Find(o.runtime)
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		if in.Notice != "" {
			fmt.Fprintf(out, "%s: packages are chosen for it\n", in.Notice)
		}
		rep, err := python.BuildLayer(o.out, append(o.python, args[1:]...), in)
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		fmt.Fprint(out, rep)
	default:
		return usageError("say what goes into layer %s: --python PKG... (Python packages) or --from-machine (the program %s of this machine)", name, name)
	}
	fmt.Fprintf(out, "publish it: lambdalab layer publish %s %s\n", name, o.out)
	return nil
}

func newLayerPublishCommand(cacheDir *string) *cobra.Command {
	var description, region string
	var runtimes []string
	cmd := &cobra.Command{
		Use:   "publish NAME ZIP",
		Short: "Publish a layer zip as the next version of layer NAME",
		Long: `publish stores ZIP as a new version of layer NAME in the lab's layer registry,
as Lambda's PublishLayerVersion does (versions count up from 1 and are never
reused), and prints the version's ARN.`,
		Example: `  lambdalab layer publish pillow pillow.zip
  # then, in a lab file:
  #   layers: ["arn:aws:lambda:us-east-1:000000000000:layer:pillow:1"]`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLayerPublish(cmd.OutOrStdout(), *cacheDir, region, args[0], args[1], description, runtimes)
		},
	}
	cmd.Flags().StringVar(&description, "description", "", "what the layer holds")
	cmd.Flags().StringSliceVar(&runtimes, "compatible-runtimes", nil, "runtimes the layer is for, e.g. python3.12")
	cmd.Flags().StringVar(&region, "region", "us-east-1", "the region in the version's ARN")
	return cmd
}

func runLayerPublish(out io.Writer, cacheDir, region, name, zipPath, description string, runtimes []string) error {
	if err := layers.CheckName(name); err != nil {
		return &exitError{code: 2, err: awsError("PublishLayerVersion", err)}
	}
	content, err := os.ReadFile(zipPath)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("layer zip: %w", err)}
	}
	reg, err := emulator.LayerRegistry(cacheDir, region)
	if err != nil {
		return err
	}
	v, err := reg.Publish(name, content, description, runtimes)
	if err != nil {
		return &exitError{code: 1, err: awsError("PublishLayerVersion", err)}
	}
	fmt.Fprintf(out, "published %s version %d (%d bytes): %s\n", name, v.Version, v.CodeSize, v.ARN)
	fmt.Fprintf(out, "use it in a lab file (layers: [\"%s\"]) or in the console (l on the function)\n", v.ARN)
	return nil
}

// awsError words a registry error as the aws CLI words Lambda's.
func awsError(op string, err error) error {
	var pe *layers.ParameterError
	if errors.As(err, &pe) {
		return &operationError{op: op, err: pe}
	}
	return err
}

// operationError is Lambda's error for an operation, as the aws CLI says it.
type operationError struct {
	op  string
	err *layers.ParameterError
}

func (e *operationError) Error() string {
	return "An error occurred (" + e.err.Type + ") when calling the " + e.op + " operation: " + e.err.Message
}

func (e *operationError) Unwrap() error { return e.err }

func newLayerListCommand(cacheDir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List every layer version in the registry, and the stand-ins",
		Example: `  lambdalab layer list
  lambdalab layer list --cache-dir ./cache`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			reg, err := emulator.LayerRegistry(*cacheDir, "us-east-1")
			if err != nil {
				return err
			}
			printLayers(cmd.OutOrStdout(), reg)
			return nil
		},
	}
}

// printLayers lists every version, newest first within a layer; a stand-in
// is listed under the public ARN it answers to, and one not built yet says
// so.
func printLayers(out io.Writer, reg *layers.Registry) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ARN\tSIZE\tDESCRIPTION")
	built := map[string]bool{}
	n := 0
	for _, latest := range reg.Latest() {
		for _, v := range reg.Versions(latest.Name) {
			a := v.ARN
			if v.StandInFor != "" {
				a, built[v.StandInFor] = v.StandInFor, true
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", a, size(v.CodeSize), v.Description)
			n++
		}
	}
	for _, a := range emulator.StandIns() {
		if !built[a] {
			fmt.Fprintf(tw, "%s\t-\tstand-in, not built yet: made from this machine's packages when a function first uses it\n", a)
		}
	}
	tw.Flush()
	if n == 0 {
		fmt.Fprintln(out, "\nno layers published yet: lambdalab layer build NAME --python PKG, then lambdalab layer publish NAME NAME.zip")
	}
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
