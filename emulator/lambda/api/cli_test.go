package api_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The aws CLI v1 (pip's, first on PATH here; scripts/test.sh installs it)
// against the API: a few commands of the exercise, to prove that the
// CLI's own requests parse. The SDK tests cover the breadth.

func cliV1(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Fatal("no aws CLI on PATH (scripts/test.sh installs it)")
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "aws-cli/1.") {
		t.Fatalf("aws on PATH is not the CLI v1: %s %v", out, err)
	}
	return bin
}

// aws runs one CLI command against the lab with throwaway credentials and
// none of the host's AWS settings, and returns its output.
func (l *lab) aws(bin, dir string, args ...string) string {
	l.t.Helper()
	cmd := exec.Command(bin, append([]string{"--endpoint-url", l.srv.URL, "--output", "json"}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LANG=C.UTF-8",
		"AWS_ACCESS_KEY_ID=AKIDLAMBDALAB", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1"}
	for _, v := range []string{"PYENV_ROOT", "PYENV_VERSION"} {
		if s, ok := os.LookupEnv(v); ok {
			cmd.Env = append(cmd.Env, v+"="+s)
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		l.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestAWSCLIExercise(t *testing.T) {
	bin := cliV1(t)
	l := newLab(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "function.zip"), makeZip(t, code), 0o644)
	os.WriteFile(filepath.Join(dir, "pillow.zip"), makeZip(t, map[string]string{"python/PIL/__init__.py": ""}), 0o644)

	var conf struct{ FunctionName, State, Runtime, Handler, Role, FunctionArn string }
	decodeCLI(t, l.aws(bin, dir, "lambda", "create-function", "--function-name", "cis-exercise-demo", "--runtime", "python3.12",
		"--handler", "echo.lambda_handler", "--role", role, "--zip-file", "fileb://function.zip"), &conf)
	if conf.FunctionName != "cis-exercise-demo" || conf.State != "Pending" || conf.Runtime != "python3.12" || conf.Role != role {
		t.Errorf("create-function printed %+v", conf)
	}
	l.aws(bin, dir, "lambda", "wait", "function-active-v2", "--function-name", "cis-exercise-demo")
	decodeCLI(t, l.aws(bin, dir, "lambda", "get-function-configuration", "--function-name", "cis-exercise-demo"), &conf)
	if conf.State != "Active" || conf.Handler != "echo.lambda_handler" {
		t.Errorf("get-function-configuration printed %+v", conf)
	}

	var inv struct {
		StatusCode      int
		LogResult       string
		ExecutedVersion string
	}
	decodeCLI(t, l.aws(bin, dir, "lambda", "invoke", "--function-name", "cis-exercise-demo", "--log-type", "Tail",
		"--payload", `{"key":"cat.png"}`, "out.json"), &inv)
	log, _ := base64.StdEncoding.DecodeString(inv.LogResult)
	if inv.StatusCode != 200 || inv.ExecutedVersion != "$LATEST" || !strings.Contains(string(log), "START RequestId: ") ||
		!strings.Contains(string(log), "REPORT RequestId: ") {
		t.Errorf("invoke printed %+v, log:\n%s", inv, log)
	}
	if out, _ := os.ReadFile(filepath.Join(dir, "out.json")); string(out) != `{"key":"cat.png"}` {
		t.Errorf("out.json = %s", out)
	}

	var layer struct{ LayerVersionArn string }
	decodeCLI(t, l.aws(bin, dir, "lambda", "publish-layer-version", "--layer-name", "pillow", "--zip-file", "fileb://pillow.zip"), &layer)
	if layer.LayerVersionArn != "arn:aws:lambda:us-east-1:000000000000:layer:pillow:1" {
		t.Errorf("publish-layer-version printed %+v", layer)
	}
	var upd struct{ Layers []struct{ Arn string } }
	decodeCLI(t, l.aws(bin, dir, "lambda", "update-function-configuration", "--function-name", "cis-exercise-demo",
		"--layers", layer.LayerVersionArn), &upd)
	if len(upd.Layers) != 1 || upd.Layers[0].Arn != layer.LayerVersionArn {
		t.Errorf("update-function-configuration --layers printed %+v", upd)
	}

	l.aws(bin, dir, "lambda", "add-permission", "--function-name", "cis-exercise-demo", "--statement-id", "s3invoke",
		"--action", "lambda:InvokeFunction", "--principal", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::cis-examples")
	var pol struct{ Policy, RevisionId string }
	decodeCLI(t, l.aws(bin, dir, "lambda", "get-policy", "--function-name", "cis-exercise-demo"), &pol)
	if !strings.Contains(pol.Policy, `"Sid":"s3invoke"`) || pol.RevisionId == "" {
		t.Errorf("get-policy printed %+v", pol)
	}
	if !l.c.Allows("cis-exercise-demo", "s3.amazonaws.com", "arn:aws:s3:::cis-examples", account) {
		t.Error("after add-permission S3 may not invoke the function")
	}
}

func decodeCLI(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("the CLI printed no JSON: %v\n%s", err, out)
	}
}
