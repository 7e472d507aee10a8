package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the UI; panes and dialogs show the ones
// they use.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	NextPane, PrevPane                      key.Binding
	Open, Back, Filter, Help, Quit          key.Binding
	Zoom                                    key.Binding
	CreateBucket, Upload, Download, Delete  key.Binding
	Mark                                    key.Binding
	AddTrigger, RemoveTrigger               key.Binding
	EditFunction, Policy                    key.Binding
	AddLayer, Test                          key.Binding
	SafePatterns                            key.Binding
	NextStep                                key.Binding
	Pipeline, SwitchView                    key.Binding

	// The dialogs' keys.
	Confirm, Cancel      key.Binding
	NextField, PrevField key.Binding
	Left, Right          key.Binding
	ArrowUp, ArrowDown   key.Binding // in forms, where k and j are text
	Toggle, Save         key.Binding
	Complete             key.Binding
}

// DefaultKeyMap is lambdalab's key map: arrows and vim keys, tab between
// panes, the console's actions on single letters.
func DefaultKeyMap() *KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return &KeyMap{
		Up:            b("↑/k", "up", "up", "k"),
		Down:          b("↓/j", "down", "down", "j"),
		PageUp:        b("pgup", "page up", "pgup", "ctrl+u"),
		PageDown:      b("pgdn", "page down", "pgdown", "ctrl+d"),
		Top:           b("g", "top", "home", "g"),
		Bottom:        b("G", "bottom", "end", "G"),
		NextPane:      b("tab", "next pane", "tab"),
		PrevPane:      b("shift+tab", "previous pane", "shift+tab"),
		Open:          b("enter", "open", "enter"),
		Back:          b("esc", "back", "esc"),
		Filter:        b("/", "filter", "/"),
		Help:          b("?", "help", "?"),
		Quit:          b("q", "quit", "q", "ctrl+c"),
		Zoom:          b("z", "zoom pane", "z"),
		CreateBucket:  b("c", "create bucket", "c"),
		Upload:        b("u", "upload", "u"),
		Download:      b("d", "download", "d"),
		Delete:        b("x", "delete", "x", "delete"),
		Mark:          b("m", "mark", "m"),
		AddTrigger:    b("t", "add trigger", "t"),
		RemoveTrigger: b("T", "remove trigger", "T"),
		EditFunction:  b("e", "edit function", "e"),
		Policy:        b("p", "role policy", "p"),
		AddLayer:      b("l", "add layer", "l"),
		Test:          b("i", "test (invoke)", "i"),
		SafePatterns:  b("s", "safe patterns", "s"),
		NextStep:      b("space", "next step", "space"),
		Pipeline:      b("v", "pipeline", "v"),
		SwitchView:    b("tab/←/→", "tree ↔ timeline", "tab", "shift+tab", "left", "right"),

		Confirm:   b("enter", "confirm", "enter"),
		Cancel:    b("esc", "cancel", "esc"),
		NextField: b("tab", "next field", "tab"),
		PrevField: b("shift+tab", "previous field", "shift+tab"),
		Left:      b("←", "previous", "left"),
		Right:     b("→", "next", "right"),
		ArrowUp:   b("↑", "up", "up"),
		ArrowDown: b("↓", "down", "down"),
		Toggle:    b("space", "toggle", "space"),
		Save:      b("ctrl+s", "save", "ctrl+s"),
		Complete:  b("tab", "complete", "tab"),
	}
}

// as is b described as desc: the same keys, named for what they do where
// they are shown (enter "add" in the trigger form, "remove" in its
// counterpart).
func as(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// either is a and b shown as one item of a key line ("←/→ function").
func either(a, b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(append(a.Keys(), b.Keys()...)...), key.WithHelp(a.Help().Key+"/"+b.Help().Key, desc))
}
