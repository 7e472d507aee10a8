package lambda

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// allocate grows a live heap of mb megabytes in 4 MB steps, slowly enough
// for the meter to see it, and holds it until the context ends or hold
// passes.
func allocate(mb int, hold time.Duration) func(ctx context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		var keep [][]byte
		for got := 0; got < mb; got += 4 {
			b := make([]byte, 4<<20)
			for i := range b {
				b[i] = byte(i)
			}
			keep = append(keep, b)
			select {
			case <-ctx.Done():
				return len(keep), ctx.Err()
			case <-time.After(3 * time.Millisecond):
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(hold):
		}
		return len(keep), nil
	}
}

func runWall(t *testing.T, memory int, fn any) (bus.InvocationEnded, []string) {
	t.Helper()
	b := bus.New()
	sub := b.Subscribe()
	s := New(WithBus(b))
	defer s.Close()
	zero := 0
	err := s.AddFunction(Config{Name: "mem", Memory: memory, Timeout: 30 * time.Second, MaximumRetryAttempts: &zero},
		InProcess(func(func(string) string) (awslambda.Handler, error) { return awslambda.NewHandler(fn), nil }))
	if err != nil {
		t.Fatal(err)
	}
	s.InvokeAsync(notify.AsyncInvocation{FunctionARN: s.ARN("mem"), Payload: []byte(`{}`)})
	var logs []string
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev := <-sub.C():
			switch e := ev.(type) {
			case bus.LogLine:
				logs = append(logs, e.Line)
			case bus.InvocationEnded:
				// the REPORT line precedes InvocationEnded
				return e, logs
			}
		case <-timeout:
			t.Fatal("no invocation end")
		}
	}
}

var maxUsed = regexp.MustCompile(`Max Memory Used: (\d+) MB`)

func TestMaxMemoryUsedReflectsTheHeap(t *testing.T) {
	end, logs := runWall(t, 512, allocate(80, 50*time.Millisecond))
	if end.Status != StatusOK {
		t.Fatalf("status %s %s", end.Status, end.Error)
	}
	m := maxUsed.FindStringSubmatch(logs[len(logs)-1])
	if m == nil {
		t.Fatalf("no Max Memory Used in %q", logs[len(logs)-1])
	}
	used, _ := strconv.Atoi(m[1])
	if used < runtimeBaselineMB+60 || used > 512 {
		t.Errorf("Max Memory Used %d MB for an 80 MB heap", used)
	}
}

func TestOutOfMemoryEndsTheInvocation(t *testing.T) {
	end, logs := runWall(t, 128, allocate(400, 5*time.Second))
	if end.Status != StatusOOM {
		t.Fatalf("status %s, want %s (logs %q)", end.Status, StatusOOM, logs)
	}
	// As Lambda reports a runtime killed for its memory (FIDELITY.md).
	if want := `Runtime exited with error: signal: killed","errorType":"Runtime.ExitError"`; !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(end.Error) {
		t.Errorf("error %s", end.Error)
	}
	if m := maxUsed.FindStringSubmatch(logs[len(logs)-1]); m == nil || m[1] != "128" {
		t.Errorf("REPORT: %q", logs[len(logs)-1])
	}
}

// TestOutOfMemorySparesNeighbours: when the heap grows past the limits of
// several running invocations, the meter ends one per sample, the furthest
// over, and charges it with the growth so far; a neighbour that started at
// the same time and allocates nothing is not ended with it.
func TestOutOfMemorySparesNeighbours(t *testing.T) {
	m := newMemoryMeter(false)
	mb := uint64(1 << 20)
	hog := &memoryWatch{m: m, base: 100 * mb, limit: 108 * mb, oom: make(chan struct{})}
	quiet := &memoryWatch{m: m, base: 100 * mb, limit: 108 * mb, oom: make(chan struct{})}
	late := &memoryWatch{m: m, base: 200 * mb, limit: 108 * mb, oom: make(chan struct{})}
	m.watches = map[*memoryWatch]struct{}{hog: {}, quiet: {}, late: {}}

	if m.measure(100*mb+3*120*mb, false) == false {
		t.Fatal("an unconfirmed sample over the limits must ask for confirmation")
	}
	m.measure(100*mb+3*120*mb, true) // 120 MB each for the first two: both over
	fired := func(w *memoryWatch) bool {
		select {
		case <-w.oom:
			return true
		default:
			return false
		}
	}
	if fired(hog) == fired(quiet) {
		t.Fatalf("one of two equal invocations over their limit must end, not %v and %v", fired(hog), fired(quiet))
	}
	victim, spared := hog, quiet
	if fired(quiet) {
		victim, spared = quiet, hog
	}
	// The victim's handler has not noticed yet and keeps allocating: that
	// growth is its own, not its neighbours'.
	m.measure(100*mb+3*120*mb+400*mb, false)
	m.measure(100*mb+3*120*mb+400*mb, true)
	if fired(spared) || fired(late) {
		t.Errorf("the neighbours were charged for the victim winding down: %v %v", fired(spared), fired(late))
	}
	delete(m.watches, victim)
	// The heap stays up (the victim's memory is not yet collected): the
	// others are not charged for it again.
	m.measure(100*mb+3*120*mb+400*mb, true)
	if fired(spared) || fired(late) {
		t.Errorf("the neighbours were ended too: %v %v", fired(spared), fired(late))
	}
	// Real growth of the neighbours is still counted.
	m.measure(100*mb+3*120*mb+400*mb+2*130*mb, true)
	if !fired(spared) && !fired(late) {
		t.Error("growth after the rebase was not counted")
	}
}
