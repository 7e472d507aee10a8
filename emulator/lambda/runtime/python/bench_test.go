package python

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// kill ends the process and waits for it.
func (f *fn) kill() {
	syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
	<-f.done
}

// benchColdStart measures spawn → first GET next (Lambda's Init Duration)
// for a function, as ms/init.
func benchColdStart(b *testing.B, root string) {
	testRuntime(b)
	var total time.Duration
	for b.Loop() {
		f := startFunction(b, fnConfig{root: root})
		select {
		case at := <-f.api.nexts:
			total += at.Sub(f.started)
		case <-f.done:
			b.Fatalf("exited: %v\n%s", f.exitErr, f.stderr)
		}
		f.kill()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/init")
}

// BenchmarkColdStartBoto3 is the seed's shape: import boto3 and create an
// S3 client at module level.
func BenchmarkColdStartBoto3(b *testing.B) {
	requireModule(b, "boto3", "python3-boto3")
	benchColdStart(b, "testdata/coldboto")
}

// BenchmarkColdStartPlain is the runtime client's own start-up.
func BenchmarkColdStartPlain(b *testing.B) {
	benchColdStart(b, "testdata/keyerror")
}

// BenchmarkWarmInvoke is one invocation's round trip through a warm
// environment: event out through GET next, result back through POST.
func BenchmarkWarmInvoke(b *testing.B) {
	f := startFunction(b, fnConfig{root: "testdata/ok"})
	ev := event{id: "w", deadline: time.Now().Add(time.Hour).UnixMilli(), arn: "arn:aws:lambda:us-east-1:000000000000:function:f", body: `{"action": "echo", "x": 1}`}
	f.invoke(b, ev)
	for b.Loop() {
		if o := f.invoke(b, ev); o.kind != "response" {
			b.Fatal(o.kind)
		}
	}
}

// BenchmarkBoto3Baseline is the floor under BenchmarkColdStartBoto3: the
// same interpreter and libraries importing boto3 and creating an S3 client,
// with no runtime client around them (spawn to exit).
func BenchmarkBoto3Baseline(b *testing.B) {
	requireModule(b, "boto3", "python3-boto3")
	in, dir := testRuntime(b)
	code := "import sys; sys.path.insert(0, sys.argv[1]); import boto3; boto3.client('s3', region_name='us-east-1')"
	for b.Loop() {
		cmd := exec.Command(in.Path, "-I", "-S", "-B", "-c", code, dir)
		cmd.Env = []string{"LANG=C.UTF-8"}
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}
