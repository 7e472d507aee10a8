package runtime

import (
	"context"
	"sort"
	"testing"
	"time"
)

// BenchmarkColdStart is Start → WaitInit (the first next) → Kill for the
// aws-lambda-go handler: an environment's Init Duration plus its teardown.
func BenchmarkColdStart(b *testing.B) {
	m := newManager(b)
	p := goHandler(b, m, "handler")
	var inits []time.Duration
	for b.Loop() {
		pr, err := m.Start(p, functionEnv(), 128, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := pr.WaitInit(context.Background()); err != nil {
			b.Fatal(err)
		}
		inits = append(inits, pr.ReadyAt().Sub(pr.SpawnedAt()))
		pr.Kill()
	}
	reportPercentiles(b, "init", inits)
}

// BenchmarkWarmInvoke is one invocation round trip through the Runtime API
// on a warm environment.
func BenchmarkWarmInvoke(b *testing.B) {
	m := newManager(b)
	pr := start(b, m, goHandler(b, m, "handler"), functionEnv(), 128, nil)
	inv := invocation("warm", `{"action":"plain"}`)
	var rounds []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if res := pr.Invoke(context.Background(), inv); res.Err != nil || res.Exit != "" {
			b.Fatalf("%+v", res)
		}
		rounds = append(rounds, time.Since(t0))
	}
	reportPercentiles(b, "invoke", rounds)
}

func reportPercentiles(b *testing.B, name string, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, name+"-p50-ms")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, name+"-p99-ms")
}
