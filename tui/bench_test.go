package tui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// big is a model whose state holds n objects and n invocations, built
// directly (no lab traffic): what rendering costs at scale.
func big(b testing.TB, n int) *Model {
	lab := labtest.Start(b, "")
	m := New(NewSource(lab.Lab, "http://127.0.0.1:4566"), nil)
	bs := &bucketState{Name: "photos"}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		bs.Objects = append(bs.Objects, objectRow{Key: fmt.Sprintf("uploads/2026/photo-%06d.jpg", i), Size: int64(1000 + i), Modified: t0.Add(time.Duration(i) * time.Second)})
	}
	m.c.State.Buckets = []*bucketState{bs}
	m.c.State.Selected = "photos"
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("ev-%d", i)
		m.c.State.History.apply(bus.InvocationQueued{Header: bus.Header{Time: t0}, Function: "thumbnailer", EventID: id, Depth: 1})
		m.c.State.History.apply(bus.InvocationStarted{Header: bus.Header{Time: t0}, Function: "thumbnailer", EventID: id, RequestID: fmt.Sprintf("req-%08d", i), Attempt: 1})
		m.c.State.History.apply(bus.InvocationEnded{Header: bus.Header{Time: t0}, Function: "thumbnailer", RequestID: fmt.Sprintf("req-%08d", i), Status: "ok", Duration: 40 * time.Millisecond})
	}
	m.labP.refresh()
	m.invs.refresh()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return m
}

// BenchmarkObjectsPane renders the Objects pane holding 10,000 objects
// (one frame; the target is under 16 ms).
func BenchmarkObjectsPane(b *testing.B) {
	m := big(b, 10000)
	m.objects.list.cursor = 5000
	b.ResetTimer()
	for b.Loop() {
		m.objects.invalidate() // as after an upload: the view is recomputed
		_ = m.objects.View()
	}
}

// BenchmarkInvocationsPane renders the Invocations pane with 10,000 rows.
func BenchmarkInvocationsPane(b *testing.B) {
	m := big(b, 10000)
	b.ResetTimer()
	for b.Loop() {
		_ = m.invs.View()
	}
}

// BenchmarkFrame renders the whole screen with 10,000 objects and 10,000
// invocations.
func BenchmarkFrame(b *testing.B) {
	m := big(b, 10000)
	b.ResetTimer()
	for b.Loop() {
		_ = m.render()
	}
}

func TestScaleStaysBounded(t *testing.T) {
	m := big(t, maxInvocations+2500)
	h := m.c.State.History
	if len(h.rows) > maxInvocations || h.dropped == 0 {
		t.Fatalf("history holds %d rows, dropped %d", len(h.rows), h.dropped)
	}
	if got := m.invs.Title(); got != fmt.Sprintf("Invocations (%d) · %d older dropped", len(h.rows), h.dropped) {
		t.Errorf("title %q", got)
	}
}
