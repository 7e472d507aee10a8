package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labfile"
)

func newPolicyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "policy",
		Short:   "Work with functions' execution-role policies",
		Example: "  lambdalab policy simulate --function cis-exercise-demo s3:GetObject arn:aws:s3:::cis-examples/cat.png",
	}
	cmd.AddCommand(newSimulateCommand())
	return cmd
}

func newSimulateCommand() *cobra.Command {
	var labFile, function string
	cmd := &cobra.Command{
		Use:   "simulate ACTION RESOURCE",
		Short: "Say whether a function's role may perform ACTION on RESOURCE, and which statement decides",
		Long: `simulate evaluates a function's execution-role policy as IAM's policy simulator
does: an explicit Deny wins, otherwise an Allow allows, otherwise the request is
denied. It exits 0 when the action is allowed and 1 when it is denied.`,
		Example: `  lambdalab policy simulate --function cis-exercise-demo s3:PutObject arn:aws:s3:::cis-examples-output/cat.png
  lambdalab policy simulate --lab my-lab.yaml --function thumbnailer s3:GetObject 'arn:aws:s3:::uploads/*'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			file, err := loadLab(labFile)
			if err != nil {
				return err
			}
			return simulate(cmd.OutOrStdout(), file, function, args[0], args[1])
		},
	}
	cmd.Flags().StringVar(&labFile, "lab", "", "lab file or shipped lab name (default: the default lab)")
	cmd.Flags().StringVar(&function, "function", "", "the function whose role to evaluate (required)")
	_ = cmd.MarkFlagRequired("function")
	return cmd
}

func simulate(out io.Writer, file *labfile.File, function, action, resource string) error {
	for _, fn := range file.Functions {
		if fn.Name != function {
			continue
		}
		policy := fn.Policy()
		if policy == nil {
			policy = emulator.DefaultRolePolicy(file.Region)
		}
		d := policy.Evaluate(action, resource)
		verdict := "denied"
		if d.Allowed {
			verdict = "allowed"
		}
		fmt.Fprintf(out, "%s: %s on %s\n  role %s (function %s): %s\n", verdict, action, resource, fn.RoleName(), function, d.Reason())
		if !d.Allowed {
			return &exitError{code: 1, err: fmt.Errorf("%s is denied %s on %s", fn.RoleName(), action, resource), quiet: true}
		}
		return nil
	}
	return usageError("lab %q has no function %q", file.Name, function)
}
