package lambda

import (
	"slices"
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// maxDurationSamples bounds the durations kept for percentiles.
const maxDurationSamples = 4096

// counters are a function's counters; the service's mutex guards them.
type counters struct {
	bus.Metrics
	durations []time.Duration // the most recent, for p50/p99
	next      int
}

func (m *counters) addDuration(d time.Duration) {
	if len(m.durations) < maxDurationSamples {
		m.durations = append(m.durations, d)
		return
	}
	m.durations[m.next] = d
	m.next = (m.next + 1) % maxDurationSamples
}

func (m *counters) noteConcurrency(running int) {
	m.MaxConcurrentExecutions = max(m.MaxConcurrentExecutions, running)
}

// percentile returns the p-th percentile (nearest rank) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

func (m *counters) snapshot() bus.Metrics {
	out := m.Metrics
	sorted := slices.Clone(m.durations)
	slices.Sort(sorted)
	out.DurationP50 = percentile(sorted, 50)
	out.DurationP99 = percentile(sorted, 99)
	return out
}
