package tui

import (
	"slices"
	"strings"
	"testing"
)

// shownKeys are the keys the Objects pane lists, in order.
func shownKeys(p *objectsPane) []string {
	var keys []string
	for _, i := range p.rows() {
		keys = append(keys, p.bucket().Objects[i].Key)
	}
	return keys
}

// TestObjectsFilter shows the / filter in the Objects pane, driven by keys:
// typing narrows the list by name, case-insensitively, as you type; letters
// that are action keys elsewhere (x, d, q) are text while typing; enter
// keeps the filter and the arrow keys and enter then work on what is shown;
// esc in the filter clears it.
func TestObjectsFilter(t *testing.T) {
	h := newHarness(t, studentLab, 100, 30)
	for _, k := range []string{"cat.png", "catalog.txt", "dog.png"} {
		h.lab.Put(t, "thumbnails-out", k, []byte("x"), "")
	}
	h.settle()
	h.keys("tab")
	if h.m.focus != objectsPaneID {
		t.Fatalf("tab focused pane %d, want Objects", h.m.focus)
	}
	h.keys("/")
	if !h.m.objects.filtering {
		t.Fatal("/ did not start the filter")
	}
	h.typeText("CAT")
	if got, want := shownKeys(h.m.objects), []string{"cat.png", "catalog.txt"}; !slices.Equal(got, want) {
		t.Errorf("filter CAT shows %v, want %v", got, want)
	}
	h.mustSee("/CAT", "catalog.txt")
	if strings.Contains(h.screen(), "dog.png") {
		t.Errorf("dog.png is on screen under filter CAT:\n%s", h.screen())
	}

	// Action letters are text here: no delete dialog, no quit.
	h.typeText("xdq")
	if h.m.dialog != nil {
		t.Fatalf("typing in the filter opened %T", h.m.dialog)
	}
	h.mustSee("/CATxdq", "No objects match the filter.")
	h.erase(len("xdq"))
	h.typeText(".")
	if got := shownKeys(h.m.objects); !slices.Equal(got, []string{"cat.png"}) {
		t.Errorf("filter CAT. shows %v, want [cat.png]", got)
	}

	// enter keeps the filter; the pane's keys work again, on the filtered rows.
	h.keys("enter")
	if h.m.objects.filtering || h.m.objects.filter.Value() != "CAT." {
		t.Fatalf("enter: filtering=%v value=%q, want the filter kept", h.m.objects.filtering, h.m.objects.filter.Value())
	}
	h.keys("G", "enter")
	h.settle()
	if h.m.focus != detailPaneID || h.m.detail.kind != detailObject || h.m.detail.object.key != "cat.png" {
		t.Fatalf("enter on the only filtered row opened %q (focus %d)", h.m.detail.object.key, h.m.focus)
	}
	h.keys("esc")
	if h.m.focus != objectsPaneID {
		t.Fatalf("esc from Detail focused pane %d, want Objects", h.m.focus)
	}

	// / again, then esc: the filter is cleared and every object is back.
	h.keys("/", "esc")
	if h.m.objects.filtering || h.m.objects.filter.Value() != "" {
		t.Fatalf("esc: filtering=%v value=%q, want the filter cleared", h.m.objects.filtering, h.m.objects.filter.Value())
	}
	if got := shownKeys(h.m.objects); len(got) != 3 {
		t.Errorf("after esc the pane shows %v, want all three", got)
	}
	h.mustSee("cat.png", "catalog.txt", "dog.png", "Last modified")
}
