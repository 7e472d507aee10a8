package bus

import (
	"sync"
	"testing"
)

// TestRecorderAllHasEverythingPublishedBefore: All returns every event
// published before it was called, in order, however far behind delivery
// is — never part of them (an assertion that something did not happen
// would pass on a partial list) — and none published after.
func TestRecorderAllHasEverythingPublishedBefore(t *testing.T) {
	b := New()
	defer b.Close()
	r := Record(b)
	n := 0
	for round := 1; round <= 5; round++ {
		for range 20000 {
			n++
			b.Publish(ping{n: n})
		}
		all := r.All()
		if len(all) != n {
			t.Fatalf("round %d: All returned %d events of the %d published", round, len(all), n)
		}
		for i, e := range all {
			if e.(ping).n != i+1 {
				t.Fatalf("round %d: event %d is ping %d", round, i, e.(ping).n)
			}
		}
	}
}

// TestRecorderAllWhilePublishersGoOn: events other goroutines publish
// while All runs may or may not be included, but everything before the
// call is, and the order each publisher used is kept.
func TestRecorderAllWhilePublishersGoOn(t *testing.T) {
	b := New()
	defer b.Close()
	r := Record(b)
	for i := 1; i <= 1000; i++ {
		b.Publish(ping{n: i})
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 1001; i <= 5000; i++ {
			b.Publish(ping{n: i})
		}
	})
	all := r.All()
	wg.Wait()
	if len(all) < 1000 {
		t.Fatalf("All returned %d events, fewer than the 1000 published before it", len(all))
	}
	for i, e := range all {
		if e.(ping).n != i+1 {
			t.Fatalf("event %d is ping %d", i, e.(ping).n)
		}
	}
	if got := len(r.All()); got != 5000 {
		t.Fatalf("the second All returned %d events, want 5000", got)
	}
}
