package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
)

// TestHelpGolden: ? shows every key once, under the heading of its pane,
// in a dialog that fits the window whole (80×24 and 120×40).
func TestHelpGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := newHarness(t, "", size[0], size[1])
			h.keys("?")
			screen := h.screen()
			dialog := dialogText(screen)
			h.mustSee("Keys", "Global", "Move and scroll", "Lab", "Objects", "Invocations", "esc close")
			for _, s := range h.m.helpSections() {
				for _, b := range s.keys {
					line := regexp.MustCompile(`(?m)` + regexp.QuoteMeta(b.Help().Key) + ` +` + regexp.QuoteMeta(b.Help().Desc) + `( |$)`)
					if n := len(line.FindAllString(dialog, -1)); n != 1 {
						t.Errorf("%q %q is on the screen %d times, want once", b.Help().Key, b.Help().Desc, n)
					}
				}
			}
			if !strings.Contains(screen, "╔") || !strings.Contains(screen, "╚") {
				t.Errorf("the dialog is cut:\n%s", screen)
			}
			if strings.Contains(screen, " of ") {
				t.Errorf("the keys scroll at %dx%d; they should fit:\n%s", size[0], size[1], screen)
			}
			golden.RequireEqual(t, []byte(screen))
		})
	}
}

// dialogText is what is inside the dialog's frame on a screen.
func dialogText(screen string) string {
	var b strings.Builder
	for _, line := range strings.Split(screen, "\n") {
		first, last := strings.Index(line, "║"), strings.LastIndex(line, "║")
		if first >= 0 && last > first {
			b.WriteString(strings.TrimSpace(line[first+len("║"):last]) + "\n")
		}
	}
	return b.String()
}

// TestHelpComesFromTheKeyMap: a key changed in the KeyMap is the key the
// help shows.
func TestHelpComesFromTheKeyMap(t *testing.T) {
	h := newHarness(t, "", 120, 40)
	h.m.c.Keys.Upload = key.NewBinding(key.WithKeys("U"), key.WithHelp("U", "upload a file"))
	h.keys("?")
	h.mustSee("U     upload a file")
	if regexp.MustCompile(`u +upload`).MatchString(dialogText(h.screen())) {
		t.Errorf("the help still shows u:\n%s", h.screen())
	}
}

// TestHelpScrolls: in a window too short for the keys, the dialog fits the
// window and scrolls with the movement keys.
func TestHelpScrolls(t *testing.T) {
	h := newHarness(t, "", 80, 24)
	h.send(tea.WindowSizeMsg{Width: 60, Height: 16})
	h.keys("?")
	lines := strings.Split(h.screen(), "\n")
	if len(lines) != 16 {
		t.Fatalf("%d lines", len(lines))
	}
	h.mustSee("Keys", "1–", "esc close", "↓/j scroll", "╚")
	total := len(h.m.dialog.(*pagerDialog).lines)
	h.keys("j")
	h.mustSee("2–")
	h.keys("G")
	h.mustSee(fmt.Sprintf("–%d of %d", total, total))
	h.keys("esc")
	if h.m.dialog != nil {
		t.Error("esc did not close the keys")
	}
}
