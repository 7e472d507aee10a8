package main

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime/debug"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/spf13/cobra"
)

// defaultAddr is where the lab serves unless --addr says: the host:port of
// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL when one of them points at this
// machine, else LocalStack's 127.0.0.1:4566.
func defaultAddr() string {
	for _, name := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
		u, err := url.Parse(os.Getenv(name))
		if err != nil || u.Scheme != "http" || u.Port() == "" {
			continue
		}
		if h := u.Hostname(); h == "127.0.0.1" || h == "localhost" || h == "::1" {
			return u.Host
		}
	}
	return DefaultAddr
}

func newEnvCommand() *cobra.Command {
	var addr, shell, labFile string
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Print the shell exports that point AWS tools at the lab",
		Long: `env prints export lines for the lab's endpoint and region, and throwaway
credentials when none are set, so the aws CLI, boto3 and the SDKs reach the lab
without --endpoint-url. Evaluate it in your shell.`,
		Example: `  eval "$(lambdalab env)"
  lambdalab env --shell fish | source
  aws s3 ls`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			file, err := loadLab(labFile)
			if err != nil {
				return err
			}
			return printEnv(cmd.OutOrStdout(), shell, "http://"+addr, file.Region)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", defaultAddr(), "the lab's address (host:port)")
	cmd.Flags().StringVar(&shell, "shell", "bash", "bash, zsh or fish")
	cmd.Flags().StringVar(&labFile, "lab", "", "lab file or shipped lab name, for its region (default: the default lab)")
	return cmd
}

func printEnv(w io.Writer, shell, endpoint, region string) error {
	vars := [][2]string{{"AWS_ENDPOINT_URL", endpoint}, {"AWS_REGION", region}, {"AWS_DEFAULT_REGION", region}}
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" {
		// Any credentials work; these are the root key the lab issues (checked
		// with --verify-signatures).
		vars = append(vars, [2]string{"AWS_ACCESS_KEY_ID", emulator.RootAccessKeyID}, [2]string{"AWS_SECRET_ACCESS_KEY", emulator.RootSecretAccessKey})
	}
	for _, v := range vars {
		switch shell {
		case "bash", "zsh", "sh":
			fmt.Fprintf(w, "export %s=%q\n", v[0], v[1])
		case "fish":
			fmt.Fprintf(w, "set -gx %s %q;\n", v[0], v[1])
		default:
			return usageError("--shell %q: bash, zsh or fish", shell)
		}
	}
	return nil
}

// version is set at build time (-ldflags "-X main.version=v1.2.3"); otherwise
// it comes from the module's build information.
var version = ""

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print lambdalab's version",
		Example: "  lambdalab version   # e.g. lambdalab v0.1.0 (1d40355a0b1c) go1.26.8",
		Args:    cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), versionString())
		},
	}
}

func versionString() string {
	v, goVersion, revision := version, "", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				revision = s.Value[:12]
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	out := "lambdalab " + v
	if revision != "" {
		out += " (" + revision + ")"
	}
	if goVersion != "" {
		out += " " + goVersion
	}
	return out
}
