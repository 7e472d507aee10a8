package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/lambda"
)

// The invoke benchmarks: event in → response out of a synchronous Invoke
// (what the console's Test and `aws lambda invoke` do), warm and cold, for
// every way a function runs. Each reports its p50 and p99 in ms; ns/op
// also counts, for cold starts, retiring the environment between
// invocations.

// echoPy answers each event with itself, after importing boto3 at module
// level as the exercise's function does (most of a Python cold start).
const echoPy = `import boto3

def lambda_handler(event, context):
    return event
`

const benchLab = `
buckets:
  - name: bench
functions:
  - name: builtin
    handler: echo
  - name: go-bootstrap
    runtime: provided.al2023
    code: testdata/echo-bootstrap
  - name: python
    runtime: python3.12
    handler: lambda_function.lambda_handler
    code: %s
  - name: python-bare
    runtime: python3.12
    handler: bare.lambda_handler
    code: %[1]s
`

// benchLabs are the two labs: built-ins in lambdalab's process, and
// built-ins as processes (lambdalab __bootstrap, as serve runs them).
func benchLabs(b *testing.B) map[string]*labtest.Lab {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lambda_function.py"), []byte(echoPy), 0o644); err != nil {
		b.Fatal(err)
	}
	// The same without boto3: what the runtime itself costs.
	if err := os.WriteFile(filepath.Join(dir, "bare.py"), []byte("def lambda_handler(event, context):\n    return event\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	yaml := fmt.Sprintf(benchLab, dir)
	return map[string]*labtest.Lab{
		"in-process": labtest.Start(b, yaml),
		"processes":  labtest.Start(b, yaml, emulator.WithBuiltinProcesses(binary, bootstrapArg)),
	}
}

func BenchmarkInvoke(b *testing.B) {
	labs := benchLabs(b)
	for _, c := range []struct{ name, lab, function string }{
		{"builtin-in-process", "in-process", "builtin"},
		{"builtin-process", "processes", "builtin"},
		{"go-bootstrap", "processes", "go-bootstrap"},
		{"python-boto3", "processes", "python"},
		{"python-bare", "processes", "python-bare"},
	} {
		lab := labs[c.lab]
		b.Run(c.name+"/warm", func(b *testing.B) { benchInvoke(b, lab, c.function, false) })
		b.Run(c.name+"/cold", func(b *testing.B) { benchInvoke(b, lab, c.function, true) })
	}
}

// benchInvoke invokes function b.N times, each in a new environment when
// cold (the warm ones retired first, as a configuration change retires
// them), and reports the percentiles of the invocations alone.
func benchInvoke(b *testing.B, lab *labtest.Lab, function string, cold bool) {
	payload := []byte(`{"Records":[{"s3":{"bucket":{"name":"bench"},"object":{"key":"cat.png"}}}]}`)
	ctx := context.Background()
	if !cold {
		benchInvokeOnce(b, lab, function, payload) // the environment, warm
	}
	var took []time.Duration
	n := 0
	for b.Loop() {
		if cold {
			n++
			err := lab.UpdateFunction(function, func(c *lambda.Config) {
				if c.Environment == nil {
					c.Environment = map[string]string{}
				}
				c.Environment["GENERATION"] = fmt.Sprint(n)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		t0 := time.Now()
		res, err := lab.Invoke(ctx, function, payload)
		took = append(took, time.Since(t0))
		if err != nil || res.FunctionError != "" {
			b.Fatalf("%v %s %s", err, res.Status, res.Payload)
		}
		if wasCold := strings.Contains(res.Log[len(res.Log)-1], "Init Duration"); wasCold != cold {
			b.Fatalf("cold %v, REPORT: %s", cold, res.Log[len(res.Log)-1])
		}
	}
	slices.Sort(took)
	at := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) / 1e3 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

func benchInvokeOnce(b *testing.B, lab *labtest.Lab, function string, payload []byte) {
	b.Helper()
	res, err := lab.Invoke(context.Background(), function, payload)
	if err != nil || res.FunctionError != "" {
		b.Fatalf("%v %s %s", err, res.Status, res.Payload)
	}
}
