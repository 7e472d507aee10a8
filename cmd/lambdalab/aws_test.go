package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/lambdalab/lambdalab/emulator/labfile"
)

// TestExportSAM: the default lab's template passes cfn-lint, and its role
// policy is the lab's.
func TestExportSAM(t *testing.T) {
	t.Parallel()
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatalf("cfn-lint is not installed (./scripts/test.sh installs it with pip): %v", err)
	}
	for _, lab := range []string{"", "same-bucket-prefix", "recursion"} {
		args := []string{"export", "sam"}
		if lab != "" {
			args = append(args, "--lab", lab)
		}
		out, err := exec.Command(binary, args...).Output()
		if err != nil {
			t.Fatalf("export sam %s: %v", lab, err)
		}
		path := filepath.Join(t.TempDir(), "template.yaml")
		os.WriteFile(path, out, 0o644)
		if res, err := exec.Command(lint, path).CombinedOutput(); err != nil {
			t.Fatalf("cfn-lint on the %q lab's template: %v\n%s\n%s", lab, err, res, out)
		}
		if lab != "" {
			continue
		}
		var tmpl struct {
			Resources map[string]struct {
				Type       string         `yaml:"Type"`
				Properties map[string]any `yaml:"Properties"`
			} `yaml:"Resources"`
		}
		if err := yaml.Unmarshal(out, &tmpl); err != nil {
			t.Fatal(err)
		}
		role := tmpl.Resources["CisExerciseDemoRole"].Properties
		policies := role["Policies"].([]any)
		doc := policies[0].(map[string]any)["PolicyDocument"]
		got := unsub(doc)
		want := labPolicy(t)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("template policy:\n%v\nlab policy:\n%v", got, want)
		}
		fn := tmpl.Resources["CisExerciseDemoFunction"].Properties
		if fn["Runtime"] != "provided.al2023" || fn["Handler"] != "bootstrap" || fn["CodeUri"] != "./cmd/resize-lambda/" {
			t.Errorf("function: %v", fn)
		}
	}
}

// unsub undoes the account substitution: ${AWS::AccountId} back to the
// lab's account.
func unsub(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if s, ok := v["Fn::Sub"].(string); ok && len(v) == 1 {
			return strings.ReplaceAll(s, "${AWS::AccountId}", labfile.DefaultAccount)
		}
		out := map[string]any{}
		for k, x := range v {
			out[k] = unsub(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = unsub(x)
		}
		return out
	}
	return v
}

func labPolicy(t *testing.T) any {
	t.Helper()
	f := labfile.DefaultFile()
	var doc any
	if err := yaml.Unmarshal([]byte(f.Functions[0].Policy().Source), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestResizeLambdaBuildsForLambda builds the deployable bootstrap as the
// README says.
func TestResizeLambdaBuildsForLambda(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", out, "../resize-lambda")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	if res, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, res)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Fatalf("no bootstrap: %v", err)
	}
}

// TestEnvPointsTheAWSCLIAtTheLab: eval "$(lambdalab env)" and aws s3 ls,
// without --endpoint-url.
func TestEnvPointsTheAWSCLIAtTheLab(t *testing.T) {
	t.Parallel()
	v1, _ := findCLIs(t)
	s := startServe(t)
	addr := strings.TrimPrefix(s.endpoint, "http://")
	home := t.TempDir()
	script := `eval "$("$LAMBDALAB" env --addr "$ADDR")" && "$AWS" s3 ls`
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LAMBDALAB=" + binary, "ADDR=" + addr, "AWS=" + v1,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "c"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "k"), "AWS_EC2_METADATA_DISABLED=true"}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "cis-examples") || !strings.Contains(string(out), "cis-examples-output") {
		t.Fatalf("%v\n%s", err, out)
	}
}
