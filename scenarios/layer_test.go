package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// layerLab is a scenario on a lab whose function runs its own Python code;
// the steps after it add layers.
const layerLab = `name: layers
description: addLayer at work
lab:
  buckets:
    - name: inbox
  functions:
    - name: own
      runtime: python3.12
      handler: lambda_function.lambda_handler
      code: fn
    - name: builtin
      handler: echo
steps:
`

// runLayerSteps runs steps on layerLab, its function's code in a folder of
// its own.
func runLayerSteps(t *testing.T, items ...string) *Result {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "fn"), 0o755)
	os.WriteFile(filepath.Join(dir, "fn", "lambda_function.py"), []byte("def lambda_handler(event, context):\n    return event\n"), 0o644)
	sc, err := Parse(filepath.Join(dir, "layers.yaml"), dir, []byte(layerLab+stepList(items...)))
	if err != nil {
		t.Fatal(err)
	}
	return Run(ctxT(t), sc)
}

// TestAddLayerRefusals: Lambda's answers to layers it cannot add.
func TestAddLayerRefusals(t *testing.T) {
	pillow := "addLayer: {function: own, arn: \"arn:aws:lambda:us-east-1:770693421928:layer:Klayers-p310-Pillow:2\"}"
	for _, tc := range []struct {
		name  string
		steps []string
		code  string
		msg   string
	}{
		{"a version that does not exist", []string{`addLayer: {function: own, arn: "arn:aws:lambda:us-east-1:000000000000:layer:nope:1"}`},
			"InvalidParameterValueException", "Layer version arn:aws:lambda:us-east-1:000000000000:layer:nope:1 does not exist."},
		{"a public layer lambdalab cannot download", []string{`addLayer: {function: own, arn: "arn:aws:lambda:us-east-1:123456789012:layer:numpy:3"}`},
			"AccessDeniedException", "lambdalab cannot download arn:aws:lambda:us-east-1:123456789012:layer:numpy:3: it is offline"},
		{"the same layer twice", []string{pillow, pillow}, "InvalidParameterValueException", "Two different versions of the same layer are not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runLayerSteps(t, tc.steps...)
			last := res.Steps[len(res.Steps)-1]
			if res.Passed || last.Error != tc.code || !strings.Contains(last.Message, tc.msg) {
				t.Fatalf("step %d: error %q %q, want %s %q\n%s", last.Index, last.Error, last.Message, tc.code, tc.msg, res.Transcript)
			}
			res = runLayerSteps(t, append(tc.steps, "expect: {error: "+tc.code+"}")...)
			mustPass(t, res)
		})
	}
}

func TestAddLayerShapes(t *testing.T) {
	for _, tc := range []struct{ name, step, want string }{
		{"no arn", "addLayer: {function: f}", "x.yaml:4:15: addLayer: addLayer needs function and arn; the shape is " + Shapes["addLayer"]},
		{"no function", `addLayer: {arn: "arn:aws:lambda:us-east-1:000000000000:layer:a:1"}`, "x.yaml:4:15: addLayer: addLayer needs function and arn"},
		{"a function ARN", `addLayer: {function: f, arn: "arn:aws:lambda:us-east-1:000000000000:function:f"}`,
			`x.yaml:4:15: addLayer: ARN "arn:aws:lambda:us-east-1:000000000000:function:f" is not a Lambda layer ARN`},
		{"no version", `addLayer: {function: f, arn: "arn:aws:lambda:us-east-1:000000000000:layer:pillow"}`,
			`x.yaml:4:15: addLayer: ARN "arn:aws:lambda:us-east-1:000000000000:layer:pillow" names layer pillow but no version`},
		{"sameAs not an S3 URL", "expect: {object: {bucket: b, key: k, sameAs: b/other}}", `x.yaml:4:13: expect: sameAs "b/other": want s3://BUCKET/KEY`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", "", []byte("name: x\nlab: default\nsteps:\n  - "+tc.step+"\n"))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got  %v\nwant %s…", err, tc.want)
			}
		})
	}
}

// TestExpectSameAs compares two objects byte for byte.
func TestExpectSameAs(t *testing.T) {
	res := runSteps(t, `upload: {bucket: spare, key: a.txt, text: "one"}`, `upload: {bucket: spare, key: b.txt, text: "one"}`,
		`upload: {bucket: spare, key: c.txt, text: "three"}`,
		`expect: {object: {bucket: spare, key: a.txt, sameAs: "s3://spare/b.txt"}}`,
		`expect: {object: {bucket: spare, key: a.txt, sameAs: "s3://spare/c.txt"}}`)
	want := "step 5 (" + stepAt(5) + ") expect s3://spare/a.txt identical to s3://spare/c.txt: s3://spare/a.txt: differs from s3://spare/c.txt (3 bytes, 5 there)"
	if res.Passed || res.Failure != want || !res.Steps[3].Passed {
		t.Fatalf("failure %q\nwant    %q\n%s", res.Failure, want, res.Transcript)
	}
}
