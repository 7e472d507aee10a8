package tui

import (
	"fmt"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// Common is what every pane is built with: sizes, styles, keys, the color
// profile, the data source and the shared lab state. Nothing is global.
type Common struct {
	Styles  *Styles
	Keys    *KeyMap
	Profile colorprofile.Profile
	Src     *Source
	State   *State
	// Player is the scenario being played, if any.
	Player *Player
	// VirtualClock is set when the lab runs on a virtual clock (scenarios,
	// tests), where a handler's work takes no lab time.
	VirtualClock bool
}

// State is the lab as the UI knows it, kept current from the bus.
type State struct {
	Buckets []*bucketState
	History *history
	// Selected is the bucket the Objects pane shows.
	Selected string
	// Functions are the lab's functions, in order, and Configs their
	// configurations, as ListFunctions last listed them.
	Functions []string
	Configs   map[string]lambdatypes.FunctionConfiguration
	// functionsAsked numbers the last listing asked for.
	functionsAsked int
	// Metrics are each function's, as Lambda last published them.
	Metrics map[string]bus.Metrics
	// Notices are what each function's runtime said once (another Python
	// version, a stand-in layer), in order, without repeats.
	Notices map[string][]string
}

// notice keeps what a function's runtime said, once.
func (s *State) notice(function, msg string) bool {
	for _, n := range s.Notices[function] {
		if n == msg {
			return false
		}
	}
	if s.Notices == nil {
		s.Notices = map[string][]string{}
	}
	s.Notices[function] = append(s.Notices[function], msg)
	return true
}

// Bucket returns the named bucket's state.
func (s *State) Bucket(name string) *bucketState {
	for _, b := range s.Buckets {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// pane is one of the four panes: a small model the root routes messages to.
type pane interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	Focus()
	Blur()
	Title() string
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// RowAt maps a click on body line y (0 = first line inside the border)
	// to a selection; it reports whether anything changed.
	RowAt(y int) bool
}

// cursorList is the scrolling and selection of a list: only the visible rows
// are ever rendered.
type cursorList struct {
	cursor, offset, height int
}

func (l *cursorList) clamp(n int) {
	if l.cursor >= n {
		l.cursor = n - 1
	}
	if l.cursor < 0 {
		l.cursor = 0
	}
	if l.height < 1 {
		l.height = 1
	}
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+l.height {
		l.offset = l.cursor - l.height + 1
	}
	if l.offset > max(n-l.height, 0) {
		l.offset = max(n-l.height, 0)
	}
	if l.offset < 0 {
		l.offset = 0
	}
}

// move handles the movement keys; it reports whether the key was one.
func (l *cursorList) move(k *KeyMap, msg tea.KeyPressMsg, n int) bool {
	switch {
	case key.Matches(msg, k.Up):
		l.cursor--
	case key.Matches(msg, k.Down):
		l.cursor++
	case key.Matches(msg, k.PageUp):
		l.cursor -= l.height
	case key.Matches(msg, k.PageDown):
		l.cursor += l.height
	case key.Matches(msg, k.Top):
		l.cursor = 0
	case key.Matches(msg, k.Bottom):
		l.cursor = n - 1
	default:
		return false
	}
	l.clamp(n)
	return true
}

// wheel scrolls by delta rows.
func (l *cursorList) wheel(delta, n int) {
	l.cursor += delta
	l.clamp(n)
}

// visible is the range of rows on screen.
func (l *cursorList) visible(n int) (int, int) {
	l.clamp(n)
	return l.offset, min(l.offset+l.height, n)
}

// fit cuts or pads s to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-lipgloss.Width(s))
}

// fitLeft keeps the end of s (for keys and paths, whose end matters).
func fitLeft(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) > w {
		return ansi.TruncateLeft(s, lipgloss.Width(s)-w+1, "…")
	}
	return s + strings.Repeat(" ", w-lipgloss.Width(s))
}

// padRight right-aligns s in w cells.
func padRight(s string, w int) string {
	if lipgloss.Width(s) >= w {
		return fit(s, w)
	}
	return strings.Repeat(" ", w-lipgloss.Width(s)) + s
}

// newTextInput is a text input with a steady cursor: no blink timer keeps
// the program (or a test) busy.
func newTextInput() textinput.Model {
	in := textinput.New()
	s := in.Styles()
	s.Cursor.Blink = false
	in.SetStyles(s)
	return in
}

// newTextArea is a text area with a steady cursor.
func newTextArea() textarea.Model {
	ta := textarea.New()
	s := ta.Styles()
	s.Cursor.Blink = false
	ta.SetStyles(s)
	return ta
}

// printable shows control characters (C0, DEL, C1) of text that came from
// users (object keys, log lines, messages) as visible escapes such as \x1b,
// so that a key cannot move the cursor or restyle the console.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteString("  ")
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
