package labfile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lambdalab/lambdalab/emulator/labfile"
)

func TestDefaultLabIsTheExercise(t *testing.T) {
	f := labfile.DefaultFile()
	if f.Region != "us-east-1" || len(f.Buckets) != 2 || f.Buckets[0].Name != "cis-examples" || f.Buckets[1].Name != "cis-examples-output" {
		t.Fatalf("default lab buckets: %+v", f.Buckets)
	}
	fn := f.Functions[0]
	if fn.Name != "cis-exercise-demo" || fn.Handler != "resize" || fn.Memory != 128 || time.Duration(fn.Timeout) != 3*time.Second ||
		fn.Environment["OUTPUT_BUCKET"] != "cis-examples-output" {
		t.Fatalf("default function: %+v", fn)
	}
	if tr := f.Triggers[0]; tr.Bucket != "cis-examples" || tr.Function != fn.Name || len(tr.Events) != 1 || tr.Events[0] != "s3:ObjectCreated:Put" {
		t.Fatalf("default trigger: %+v", tr)
	}
}

func TestLabFileErrorsHavePositions(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown field", "buckets:\n  - name: abc\n    colour: red\n", "lab.yaml:3:5: "},
		{"wrong type", "buckets:\n  - name: abc\nfunctions:\n  - name: f\n    handler: echo\n    memory: lots\n", "lab.yaml:6:13: "},
		{"bad duration", "functions:\n  - name: f\n    handler: echo\n    timeout: 3 seconds\n", "lab.yaml:4:14: "},
		{"syntax", "buckets: [abc\n", "lab.yaml:1:"},
		{"bad bucket name", "buckets:\n  - name: abc\n  - name: My_Bucket\n", "lab.yaml:3:11: invalid bucket name \"My_Bucket\": must not contain uppercase letters"},
		{"reserved suffix", "buckets:\n  - name: photos--ol-s3\n", "lab.yaml:2:11: invalid bucket name \"photos--ol-s3\": must not end with the reserved suffix \"--ol-s3\""},
		{"unknown handler", "functions:\n  - name: f\n    handler: thumbnail\n", "lab.yaml:3:14: unknown handler \"thumbnail\""},
		{"memory out of range", "functions:\n  - name: f\n    handler: echo\n    memory: 64\n", "lab.yaml:4:13: function \"f\": ValidationException: 1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"},
		{"timeout out of range", "functions:\n  - name: f\n    handler: echo\n    timeout: 15m1s\n", "lab.yaml:4:14: function \"f\": ValidationException: 1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"trigger to missing function", "buckets:\n  - name: abc\ntriggers:\n  - bucket: abc\n    function: ghost\n", "lab.yaml:5:15: trigger function \"ghost\" is not a function of this lab"},
		{"overlapping triggers", "buckets:\n  - name: abc\nfunctions:\n  - name: f\n    handler: echo\ntriggers:\n  - bucket: abc\n    function: f\n  - bucket: abc\n    function: f\n",
			"lab.yaml:9:5: trigger on bucket \"abc\": InvalidArgument: Configurations overlap."},
		{"unknown trigger event", "buckets:\n  - name: abc\nfunctions:\n  - name: f\n    handler: echo\ntriggers:\n  - bucket: abc\n    function: f\n    events: [s3:ObjectCreated:Upload]\n",
			"lab.yaml:7:5: trigger on bucket \"abc\": InvalidArgument: The event is not supported for notifications"},
		{"onFailure not a bucket", "functions:\n  - name: f\n    handler: fail\n    onFailure: nowhere\n", "lab.yaml:4:16: onFailure bucket \"nowhere\" is not a bucket of this lab"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := labfile.ParseFile("lab.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
		})
	}
}
