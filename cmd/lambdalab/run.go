package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lambdalab/lambdalab/scenarios"
)

func newRunCommand() *cobra.Command {
	var asJSON, update bool
	cmd := &cobra.Command{
		Use:   "run SCENARIO...",
		Short: "Replay scenarios headless and say which passed",
		Long: `run replays each scenario (a file, or the name of an embedded one) on a fresh
lab with a virtual clock and a seed, prints its transcript (steps, S3 requests,
events, invocations with their logs) and, last, "N passed, N failed". It exits 1
when any scenario fails. Replays are deterministic: the same scenario gives the
same transcript, byte for byte. An embedded scenario also fails when its
transcript differs from its golden copy; --update rewrites the golden copies.`,
		Example: `  lambdalab run trigger-resize
  lambdalab run all                       # the whole embedded library
  lambdalab run --json exercise/*.yaml    # results for a grader`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScenarios(cmd, args, asJSON, update)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print results as JSON (for graders) instead of transcripts")
	cmd.Flags().BoolVar(&update, "update", false, "rewrite the golden transcripts of embedded scenarios")
	return cmd
}

func runScenarios(cmd *cobra.Command, args []string, asJSON, update bool) error {
	out := cmd.OutOrStdout()
	if len(args) == 1 && args[0] == "all" {
		args = nil
		for _, e := range scenarios.Library() {
			args = append(args, e.Name)
		}
	}
	var results []*scenarios.Result
	passed, failed := 0, 0
	for _, name := range args {
		sc, embedded, err := scenarios.Find(name)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		res := scenarios.Run(cmd.Context(), sc)
		if embedded {
			checkGolden(sc.Name, res, update)
		}
		if res.Passed {
			passed++
		} else {
			failed++
		}
		results = append(results, res)
		if !asJSON {
			fmt.Fprint(out, res.Transcript)
			if res.Failure != "" && !res.Passed && res.Transcript == "" {
				fmt.Fprintf(out, "== FAILED: %s\n", res.Failure)
			}
			fmt.Fprintln(out)
		}
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Results []*scenarios.Result `json:"results"`
			Passed  int                 `json:"passed"`
			Failed  int                 `json:"failed"`
		}{results, passed, failed}); err != nil {
			return err
		}
	} else {
		summarize(out, results)
		fmt.Fprintf(out, "%d passed, %d failed\n", passed, failed)
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d scenario(s) failed", failed), quiet: true}
	}
	return nil
}

// checkGolden compares an embedded scenario's transcript with its golden
// copy, or rewrites the copy.
func checkGolden(name string, res *scenarios.Result, update bool) {
	if update {
		// A failed run's transcript is not what the scenario should show:
		// keep the golden as it was.
		if !res.Passed {
			res.Failure += " (golden transcript left unchanged)"
			return
		}
		if err := scenarios.WriteGolden(name, res.Transcript); err != nil {
			res.Passed, res.Failure = false, err.Error()
		}
		return
	}
	golden, ok := scenarios.Golden(name)
	switch {
	case !res.Passed:
	case !ok:
		res.Passed, res.Failure = false, "no golden transcript: run lambdalab run --update "+name+" from the repository's root"
	case golden != res.Transcript:
		res.Passed, res.Failure = false, "the transcript differs from "+scenarios.LibraryDir+"/"+name+".golden (lambdalab run --update "+name+" accepts the new one)"
	}
}

func summarize(out io.Writer, results []*scenarios.Result) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, r := range results {
		status := "PASS"
		detail := ""
		if !r.Passed {
			status, detail = "FAIL", r.Failure
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", status, r.Name, detail)
	}
	tw.Flush()
}

func newScenariosCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "scenarios",
		Short: "List the embedded scenarios",
		Example: `  lambdalab scenarios
  lambdalab run trigger-resize            # run one, with its expectations
  lambdalab --scenario trigger-resize     # play it step by step in the console`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			for _, e := range scenarios.Library() {
				fmt.Fprintf(tw, "%s\t%s\n", e.Name, e.Description)
			}
			tw.Flush()
			fmt.Fprintln(cmd.OutOrStdout(), "\nrun one: lambdalab run NAME · play one in the console: lambdalab --scenario NAME")
			return nil
		},
	}
}
