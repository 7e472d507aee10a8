package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/lambdalab/lambdalab/emulator/labfile"
)

// TestExportSAM: every lab's template passes cfn-lint (one run for all of
// them: cfn-lint takes seconds to start), and the default lab's role
// policy is the lab's.
func TestExportSAM(t *testing.T) {
	t.Parallel()
	exported := exportAll(t, t.TempDir(), "", "same-bucket-prefix", "recursion")
	lintAll(t, exported)
	tmpl := exported[""].tmpl
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

// TestExportSAMOfALabOfOwnCode: a lab file whose function is Python code
// exports with that runtime and handler and a CodeUri where the code is,
// and passes cfn-lint; a Go main package exports for SAM's go1.x builder.
// The shipped python lab (the seed exercise's python3.10, which AWS no
// longer creates) exports with a warning saying so.
func TestExportSAMOfALabOfOwnCode(t *testing.T) {
	t.Parallel()
	cache, dir := t.TempDir(), t.TempDir()
	lab := filepath.Join(dir, "mine.yaml")
	os.WriteFile(filepath.Join(dir, "lambda_function.py"), []byte("def lambda_handler(event, context):\n    return None\n"), 0o644)
	os.WriteFile(lab, []byte("functions:\n  - name: py\n    runtime: python3.12\n    handler: lambda_function.lambda_handler\n    code: .\n"+
		"  - name: mine\n    runtime: provided.al2023\n    code: "+filepath.Join(repoRoot(t), "cmd", "resize-lambda")+"\n"), 0o644)
	exported := exportAll(t, cache, "python", lab, "transcode")
	lintAll(t, exported)

	py := exported["python"]
	fn := py.tmpl.Resources["CisExerciseDemoFunction"].Properties
	uri, _ := fn["CodeUri"].(string)
	if fn["Runtime"] != "python3.10" || fn["Handler"] != "lambda_function.lambda_handler" || !filepath.IsAbs(uri) {
		t.Fatalf("the python function exports as %v\n%s", fn, py.out)
	}
	if _, err := os.Stat(filepath.Join(uri, "lambda_function.py")); err != nil {
		t.Errorf("CodeUri %s does not hold the code: %v", uri, err)
	}
	if !strings.Contains(py.stderr, "warning: function cis-exercise-demo: AWS no longer creates python3.10 functions (deprecated 2026-06-30, creation blocked since 2026-07-31") {
		t.Errorf("no warning about python3.10:\n%s", py.stderr)
	}

	mine := exported[lab]
	if fn := mine.tmpl.Resources["PyFunction"].Properties; fn["Runtime"] != "python3.12" || fn["CodeUri"] != dir || mine.stderr != "" {
		t.Errorf("the Python function exports as %v (stderr %q)", fn, mine.stderr)
	}
	if fn := mine.tmpl.Resources["MineFunction"].Properties; fn["Runtime"] != "provided.al2023" || fn["Handler"] != "bootstrap" ||
		!strings.HasSuffix(fn["CodeUri"].(string), filepath.Join("cmd", "resize-lambda")) || !strings.Contains(mine.out, "BuildMethod: go1.x") {
		t.Errorf("the Go function exports as %v\n%s", fn, mine.out)
	}

	// transcode's three functions share one ffmpeg layer resource.
	tc := exported["transcode"]
	layers := 0
	for _, r := range tc.tmpl.Resources {
		if r.Type == "AWS::Serverless::LayerVersion" {
			layers++
		}
	}
	if layers != 1 || strings.Count(tc.out, "- Ref: FfmpegLayer1") != 3 {
		t.Errorf("transcode exports %d layer resources:\n%s", layers, tc.out)
	}
}

// exportedLab is what export sam printed for one lab.
type exportedLab struct {
	tmpl        samTemplate
	out, stderr string
	path        string // the template, written for cfn-lint
}

// exportAll runs export sam for each lab ("": the default lab).
func exportAll(t *testing.T, cache string, labs ...string) map[string]exportedLab {
	t.Helper()
	all := map[string]exportedLab{}
	for _, lab := range labs {
		args := []string{"export", "sam"}
		if lab != "" {
			args = append(args, "--lab", lab)
		}
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("export sam --lab %q: %v\n%s", lab, err, stderr.String())
		}
		e := exportedLab{out: stdout.String(), stderr: stderr.String(), path: filepath.Join(t.TempDir(), "template.yaml")}
		if err := yaml.Unmarshal(stdout.Bytes(), &e.tmpl); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(e.path, stdout.Bytes(), 0o644)
		all[lab] = e
	}
	return all
}

// lintAll checks the templates with one cfn-lint run, its check of
// deprecated runtimes aside (export sam warns of those itself).
func lintAll(t *testing.T, all map[string]exportedLab) {
	t.Helper()
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatalf("cfn-lint is not installed (./scripts/test.sh installs it with pip): %v", err)
	}
	args := []string{"--ignore-checks", "E2533", "--"}
	for _, e := range all {
		args = append(args, e.path)
	}
	if res, err := exec.Command(lint, args...).CombinedOutput(); err != nil {
		t.Fatalf("cfn-lint: %v\n%s", err, res)
	}
}

// repoRoot is the repository's folder.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}
