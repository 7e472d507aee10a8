package lambda

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// memorySampleEvery is how often running invocations' memory is sampled.
const memorySampleEvery = 2 * time.Millisecond

// memoryMeter estimates each running invocation's memory, since in-process
// handlers share one heap. While invocations run it samples the live heap;
// an invocation's use is its share of the growth since it started (growth
// divided by the invocations running at the sample), plus the baseline of a
// Go runtime. The peak share is its Max Memory Used; a share beyond its
// Memory Size ends it as Lambda ends an environment out of memory.
// Allocations that come and go between samples are missed, and concurrent
// invocations split growth evenly, whoever caused it: an estimate, said so
// in the README. So that one runaway invocation does not take its
// neighbours with it, a sample ends at most one invocation, the one furthest
// over its limit, and charges it with all the growth so far and all the
// growth until its handler returns: the others count afresh from then on
// (their peaks stay).
type memoryMeter struct {
	enabled bool
	mu      sync.Mutex
	watches map[*memoryWatch]struct{}
	running bool
	quit    chan struct{}
	sample  []metrics.Sample
}

type memoryWatch struct {
	m     *memoryMeter
	base  uint64
	peak  uint64 // bytes attributed above base
	limit uint64 // bytes the handler may grow: Memory Size less the baseline
	oom   chan struct{}
	fired bool
}

func newMemoryMeter(enabled bool) *memoryMeter {
	return &memoryMeter{
		enabled: enabled,
		watches: map[*memoryWatch]struct{}{},
		quit:    make(chan struct{}),
		sample:  []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}},
	}
}

func (m *memoryMeter) heap() uint64 {
	metrics.Read(m.sample)
	if m.sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return m.sample[0].Value.Uint64()
}

// watch starts measuring an invocation with memoryMB of memory.
func (m *memoryMeter) watch(memoryMB int) *memoryWatch {
	w := &memoryWatch{m: m, oom: make(chan struct{})}
	if m == nil || !m.enabled {
		w.m = nil
		return w
	}
	if memoryMB > runtimeBaselineMB {
		w.limit = uint64(memoryMB-runtimeBaselineMB) << 20
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	w.base = m.heap()
	m.watches[w] = struct{}{}
	if !m.running {
		m.running = true
		go m.run()
	}
	return w
}

func (m *memoryMeter) run() {
	t := time.NewTicker(memorySampleEvery)
	defer t.Stop()
	for {
		select {
		case <-m.quit:
			return
		case <-t.C:
		}
		m.mu.Lock()
		if len(m.watches) == 0 {
			m.running = false
			m.mu.Unlock()
			return
		}
		if m.measure(m.heap(), false) {
			// Someone is over its limit: count again after a collection,
			// so that garbage (anyone's) does not end an invocation.
			m.mu.Unlock()
			runtime.GC()
			m.mu.Lock()
			m.measure(m.heap(), true)
		}
		m.mu.Unlock()
	}
}

// done stops measuring and returns Max Memory Used in MB.
func (w *memoryWatch) done() int {
	m := w.m
	if m == nil {
		return runtimeBaselineMB
	}
	m.mu.Lock()
	delete(m.watches, w)
	peak := w.peak
	m.mu.Unlock()
	return runtimeBaselineMB + int((peak+(1<<20)-1)>>20)
}

func (m *memoryMeter) stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	select {
	case <-m.quit:
	default:
		close(m.quit)
	}
}

// measure books a sample of the heap. A sample that would end an
// invocation is only booked when confirmed (taken right after a
// collection); otherwise measure leaves everything as it was and reports
// true. The caller holds m.mu.
func (m *memoryMeter) measure(cur uint64, confirmed bool) (unconfirmed bool) {
	n := uint64(len(m.watches))
	for w := range m.watches {
		if w.fired {
			// An invocation ended out of memory is still winding down (its
			// handler has not returned): whatever the heap does meanwhile is
			// its doing, so the others count afresh from here.
			for o := range m.watches {
				if !o.fired {
					o.base = max(o.base, cur)
				}
			}
			return false
		}
	}
	shares := make(map[*memoryWatch]uint64, n)
	var worst *memoryWatch
	for w := range m.watches {
		var share uint64
		if cur > w.base {
			share = (cur - w.base) / n
		}
		shares[w] = share
		if w.limit > 0 && !w.fired && max(w.peak, share) > w.limit &&
			(worst == nil || ratio(max(w.peak, share), w.limit) > ratio(max(worst.peak, shares[worst]), worst.limit)) {
			worst = w
		}
	}
	if worst == nil {
		for w, share := range shares {
			w.peak = max(w.peak, share)
		}
		return false
	}
	if !confirmed {
		return true
	}
	// The worst is charged with all the growth; the others start afresh.
	worst.peak = max(worst.peak, shares[worst])
	worst.fired = true
	close(worst.oom)
	for w := range m.watches {
		if w != worst {
			w.base = max(w.base, cur)
		}
	}
	return false
}

// ratio is how far used is toward limit (beyond it when over 1).
func ratio(used, limit uint64) float64 { return float64(used) / float64(limit) }
