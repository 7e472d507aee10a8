package runtime

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sampleEvery is how often memory is sampled while an init or an
// invocation runs. VmHWM catches a single process's peak between samples;
// a tree's children are summed at sample time.
const sampleEvery = 10 * time.Millisecond

// memory watches the resident memory of an environment's process tree
// against the function's Memory Size, as Lambda's cgroup does: past the
// limit the whole group is killed.
type memory struct {
	pid     int
	limitKB int64
	kill    func()

	mu     sync.Mutex
	peakKB int64
	oom    bool
	active int
	closed bool
	wake   chan struct{}
	stop   chan struct{}
	done   chan struct{}
}

func newMemory(pid, limitMB int, kill func()) *memory {
	m := &memory{pid: pid, limitKB: int64(limitMB) * 1024, kill: kill,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go m.run()
	return m
}

// begin and end bracket a phase (init, an invocation) that is sampled.
func (m *memory) begin() {
	m.mu.Lock()
	m.active++
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

func (m *memory) end() {
	m.mu.Lock()
	m.active--
	m.mu.Unlock()
}

func (m *memory) isActive() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.active > 0
}

// run samples the tree every tick while a phase is active. The first
// sample comes a tick after the phase begins: a warm invocation shorter
// than that costs only the leader's check at its end.
func (m *memory) run() {
	defer close(m.done)
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		if !m.isActive() {
			select {
			case <-m.wake:
			case <-m.stop:
				return
			}
		}
		select {
		case <-t.C:
		case <-m.stop:
			return
		}
		if m.isActive() {
			m.sample(true)
		}
	}
}

// sample measures the tree (or just its leader, whose VmHWM holds its own
// peak) and kills the group if it is over the limit. It does nothing once
// close has begun: the pid may be reaped after that.
func (m *memory) sample(tree bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	var rss, hwm int64
	if tree {
		rss, hwm = treeMemory(m.pid)
	} else {
		rss, hwm = procMemory(m.pid)
	}
	m.peakKB = max(m.peakKB, rss, hwm)
	if m.peakKB > m.limitKB && !m.oom {
		m.oom = true
		m.kill()
	}
}

func (m *memory) outOfMemory() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.oom
}

// peakMB is Max Memory Used: the tree's peak, which the limit caps as the
// cgroup would have.
func (m *memory) peakMB() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	kb := min(m.peakKB, m.limitKB)
	return int((kb + 1023) / 1024)
}

// close stops sampling; it must return before the leader is reaped, so a
// sample never reads a recycled pid.
func (m *memory) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	close(m.stop)
	<-m.done
}

// treeMemory returns the summed VmRSS of pid and its descendants and the
// largest VmHWM among them, in kB.
func treeMemory(pid int) (rssKB, hwmKB int64) {
	pids := []int{pid}
	for len(pids) > 0 {
		p := pids[len(pids)-1]
		pids = pids[:len(pids)-1]
		rss, hwm := procMemory(p)
		rssKB += rss
		hwmKB = max(hwmKB, hwm)
		pids = append(pids, children(p)...)
	}
	return rssKB, hwmKB
}

func procMemory(pid int) (rss, hwm int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			rss = kbField(v)
		} else if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			hwm = kbField(v)
		}
	}
	return rss, hwm
}

func kbField(v []byte) int64 {
	n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(string(v)), " kB"), 10, 64)
	return n
}

// children lists pid's children through each of its threads' children file.
func children(pid int) []int {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}
