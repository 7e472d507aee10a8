package bus

import "testing"

type ping struct {
	Header
	n int
}

// TestTapSeesEachEventBeforePublishReturns: a tap has the event when
// Publish returns, in publication order; after untap it sees no more.
func TestTapSeesEachEventBeforePublishReturns(t *testing.T) {
	b := New()
	defer b.Close()
	var seen []int
	untap := b.Tap(func(e Event) { seen = append(seen, e.(ping).n) })
	for i := 1; i <= 3; i++ {
		b.Publish(ping{n: i})
		if len(seen) != i || seen[i-1] != i {
			t.Fatalf("after Publish %d the tap saw %v", i, seen)
		}
	}
	untap()
	b.Publish(ping{n: 4})
	if len(seen) != 3 {
		t.Fatalf("after untap the tap saw %v", seen)
	}
}

// TestTapOnNilBus: a service without a bus taps nothing.
func TestTapOnNilBus(t *testing.T) {
	var b *Bus
	b.Tap(func(Event) { t.Error("called") })()
}
