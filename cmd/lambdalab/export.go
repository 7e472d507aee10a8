package main

import (
	"github.com/spf13/cobra"
)

func newExportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "export",
		Short:   "Export a lab for real AWS",
		Example: "  lambdalab export sam > template.yaml\n  lambdalab export sam --lab my-lab.yaml > template.yaml",
	}
	var labFile, codeRoot string
	sam := &cobra.Command{
		Use:   "sam",
		Short: "Write the lab as an AWS SAM template (template.yaml) to stdout",
		Long: `export sam writes an AWS SAM template with the lab's buckets, its functions
(provided.al2023 on arm64, each built from cmd/HANDLER-lambda), their S3 triggers,
retry and on-failure settings, and execution roles carrying the lab's policies.
Nothing is deployed from here. Bucket names are global on AWS: rename them if
they are taken.`,
		Example: `  lambdalab export sam > template.yaml
  sam build && sam deploy --guided

  # or by hand, without SAM's build:
  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/resize-lambda
  zip function.zip bootstrap`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			file, err := loadLab(labFile)
			if err != nil {
				return err
			}
			out, err := file.ExportSAM(codeRoot)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	sam.Flags().StringVar(&labFile, "lab", "", "lab file or shipped lab name (default: the default lab)")
	sam.Flags().StringVar(&codeRoot, "code-root", ".", "path from the template to this repository (for CodeUri)")
	cmd.AddCommand(sam)
	return cmd
}
