package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// helpSection is one heading of the keys dialog and the keys under it.
type helpSection struct {
	title string
	keys  []key.Binding
}

// paneNames are the panes' names as the keys dialog heads them.
var paneNames = [paneCount]string{"Lab", "Objects", "Invocations", "Detail"}

// helpSections are the global keys, the keys that move in every pane, and
// then each pane's own keys, from the KeyMaps. A key is listed once for
// what it does: the movement keys once for all panes, u (upload) under Lab
// only, enter under each pane where it does something different.
func (m *Model) helpSections() []helpSection {
	k := m.c.Keys
	global := []key.Binding{k.NextPane, k.PrevPane, k.Zoom, k.Back, k.Help, k.SafePatterns, k.Quit}
	if m.player != nil {
		global = append([]key.Binding{k.NextStep}, global...)
	}
	sections := []helpSection{
		{"Global", global},
		{"Move and scroll", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}},
	}
	seen := map[string]bool{}
	for _, s := range sections {
		for _, b := range s.keys {
			seen[helpID(b)] = true
		}
	}
	for id, p := range m.panes {
		var keys []key.Binding
		for _, group := range p.FullHelp() {
			for _, b := range group {
				if !seen[helpID(b)] {
					seen[helpID(b)] = true
					keys = append(keys, b)
				}
			}
		}
		if len(keys) > 0 {
			sections = append(sections, helpSection{paneNames[id], keys})
		}
	}
	return append(sections, helpSection{"Pipeline", []key.Binding{k.SwitchView}})
}

// helpID is what makes two bindings the same entry: their keys and what
// they are said to do.
func helpID(b key.Binding) string { return b.Help().Key + "\x00" + b.Help().Desc }

// helpGap is the space between columns of the keys dialog.
const helpGap = 3

// layoutHelp sets the sections out in as many columns as fit w cells, in
// order, with the columns' heights balanced; each section is its heading
// and its keys, aligned.
func layoutHelp(st *Styles, sections []helpSection, w int) []string {
	blocks := make([][]string, len(sections))
	widths := make([]int, len(sections))
	for i, s := range sections {
		blocks[i], widths[i] = helpBlock(st, s)
	}
	var cols [][]int
	for n := len(blocks); n >= 1; n-- {
		cols = packColumns(blocks, n)
		total := (len(cols) - 1) * helpGap
		for _, c := range cols {
			total += columnWidth(widths, c)
		}
		if total <= w {
			break
		}
	}
	var rendered []string
	for _, c := range cols {
		cw := columnWidth(widths, c)
		var lines []string
		for j, i := range c {
			if j > 0 {
				lines = append(lines, "")
			}
			lines = append(lines, blocks[i]...)
		}
		for i := range lines {
			lines[i] = fit(lines[i], cw)
		}
		rendered = append(rendered, strings.Join(lines, "\n"))
	}
	gap := strings.Repeat(" ", helpGap)
	parts := make([]string, 0, 2*len(rendered))
	for i, r := range rendered {
		if i > 0 {
			parts = append(parts, gap)
		}
		parts = append(parts, r)
	}
	out := strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, parts...), "\n")
	for i := range out {
		out[i] = strings.TrimRight(out[i], " ")
	}
	return out
}

// helpBlock is a section's lines and their width.
func helpBlock(st *Styles, s helpSection) ([]string, int) {
	keyW, descW := 0, 0
	for _, b := range s.keys {
		keyW = max(keyW, lipgloss.Width(b.Help().Key))
		descW = max(descW, lipgloss.Width(b.Help().Desc))
	}
	lines := []string{st.Bold.Render(s.title)}
	for _, b := range s.keys {
		lines = append(lines, st.HelpKey.Render(fit(b.Help().Key, keyW))+" "+st.HelpDesc.Render(b.Help().Desc))
	}
	return lines, max(keyW+1+descW, lipgloss.Width(s.title))
}

func columnWidth(widths []int, col []int) int {
	w := 0
	for _, i := range col {
		w = max(w, widths[i])
	}
	return w
}

// packColumns splits the blocks, in order, into at most n columns whose
// tallest is as short as it can be.
func packColumns(blocks [][]string, n int) [][]int {
	total, tallest := 0, 0
	for _, b := range blocks {
		total += len(b) + 1
		tallest = max(tallest, len(b))
	}
	for h := tallest; ; h++ {
		cols := [][]int{{}}
		height := 0
		for i, b := range blocks {
			need := len(b)
			if height > 0 {
				need++ // the blank line between sections
			}
			if height > 0 && height+need > h {
				cols = append(cols, []int{})
				height, need = 0, len(b)
			}
			cols[len(cols)-1] = append(cols[len(cols)-1], i)
			height += need
		}
		if len(cols) <= n || h >= total {
			return cols
		}
	}
}
