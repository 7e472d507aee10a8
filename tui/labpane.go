package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// labItem is a row of the Lab pane: a bucket, a function, or a heading.
type labItem struct {
	bucket   string
	function string
	heading  string
}

// labPane lists the lab's buckets (with object counts and a trigger mark)
// and its functions.
type labPane struct {
	c       *Common
	list    cursorList
	width   int
	height  int
	focused bool
	items   []labItem
}

func newLabPane(c *Common) *labPane { return &labPane{c: c} }

func (p *labPane) Title() string { return "Lab" }
func (p *labPane) Focus()        { p.focused = true }
func (p *labPane) Blur()         { p.focused = false }

func (p *labPane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.fitList()
}

// fitList gives the list the pane's height, less a line for the scroll
// hint when the items overflow it.
func (p *labPane) fitList() {
	p.list.height = p.height
	if len(p.items) > p.height {
		p.list.height = max(p.height-1, 1)
	}
	p.list.clamp(len(p.items))
}

// scrollHint says what the pane hides: what is below (buckets and
// functions, counted), or else how much is above.
func (p *labPane) scrollHint(start, end int) string {
	var buckets, functions, above int
	for _, it := range p.items[end:] {
		switch {
		case it.bucket != "":
			buckets++
		case it.function != "":
			functions++
		}
	}
	for _, it := range p.items[:start] {
		if it.heading == "" {
			above++
		}
	}
	var below []string
	if buckets > 0 {
		below = append(below, plural(buckets, "bucket"))
	}
	if functions > 0 {
		below = append(below, plural(functions, "function"))
	}
	if len(below) > 0 {
		return "↓ " + strings.Join(below, ", ")
	}
	return fmt.Sprintf("↑ %d above", above)
}

// plural is n and noun, in the plural unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// refresh rebuilds the item list from the state (after the bus changed it).
func (p *labPane) refresh() {
	cur := p.selected()
	p.items = p.items[:0]
	p.items = append(p.items, labItem{heading: fmt.Sprintf("Buckets (%d)", len(p.c.State.Buckets))})
	for _, b := range p.c.State.Buckets {
		p.items = append(p.items, labItem{bucket: b.Name})
	}
	p.items = append(p.items, labItem{heading: fmt.Sprintf("Functions (%d)", len(p.c.State.Functions))})
	for _, f := range p.c.State.Functions {
		p.items = append(p.items, labItem{function: f})
	}
	p.list.cursor = 1
	for i, it := range p.items {
		if it == cur {
			p.list.cursor = i
		}
	}
	p.fitList()
	p.skipHeading(1)
}

// skipHeading moves the cursor off a heading, in direction dir.
func (p *labPane) skipHeading(dir int) {
	p.list.clamp(len(p.items))
	for p.list.cursor >= 0 && p.list.cursor < len(p.items) && p.items[p.list.cursor].heading != "" {
		p.list.cursor += dir
	}
	if p.list.cursor < 0 || p.list.cursor >= len(p.items) {
		p.list.cursor -= dir
		for p.list.cursor >= 0 && p.list.cursor < len(p.items) && p.items[p.list.cursor].heading != "" {
			p.list.cursor -= dir
		}
	}
	p.list.clamp(len(p.items))
	// Keep the first heading in view when the cursor is near the top.
	if p.list.cursor <= 1 {
		p.list.offset = 0
	}
}

func (p *labPane) selected() labItem {
	if p.list.cursor < len(p.items) {
		return p.items[p.list.cursor]
	}
	return labItem{}
}

// selectBucket moves the cursor to a bucket.
func (p *labPane) selectBucket(name string) {
	for i, it := range p.items {
		if it.bucket == name {
			p.list.cursor = i
		}
	}
	p.list.clamp(len(p.items))
}

func (p *labPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		before := p.list.cursor
		if p.list.move(p.c.Keys, msg, len(p.items)) {
			dir := 1
			if p.list.cursor < before {
				dir = -1
			}
			p.skipHeading(dir)
		}
	case tea.MouseWheelMsg:
		p.list.wheel(wheelDelta(msg), len(p.items))
		p.skipHeading(1)
	}
	return nil
}

func (p *labPane) RowAt(y int) bool {
	i := p.list.offset + y
	if y < 0 || y >= p.list.height || i >= len(p.items) || p.items[i].heading != "" {
		return false
	}
	p.list.cursor = i
	p.list.clamp(len(p.items))
	return true
}

func (p *labPane) View() string {
	st := p.c.Styles
	var b strings.Builder
	start, end := p.list.visible(len(p.items))
	for i := start; i < end; i++ {
		it := p.items[i]
		if i > start {
			b.WriteString("\n")
		}
		if it.heading != "" {
			b.WriteString(st.ColumnHeader.Render(fit(it.heading, p.width)))
			continue
		}
		var line string
		if it.bucket != "" {
			bs := p.c.State.Bucket(it.bucket)
			// λ marks a bucket whose events trigger a function.
			mark := "  "
			if len(bs.Triggers) > 0 {
				mark = "λ "
			}
			count := fmt.Sprintf("%d", len(bs.Objects))
			line = fit("▪ "+it.bucket, p.width-len(count)-3) + mark + " " + count
		} else {
			line = fit("ƒ "+it.function, p.width)
		}
		switch {
		case i == p.list.cursor && p.focused:
			b.WriteString(st.RowCursor.Render(fit(line, p.width)))
		case i == p.list.cursor:
			b.WriteString(st.RowSelected.Render(fit(line, p.width)))
		default:
			b.WriteString(st.Row.Render(fit(line, p.width)))
		}
	}
	if len(p.items) > p.list.height {
		b.WriteString("\n" + st.Dim.Render(fit(p.scrollHint(start, end), p.width)))
	}
	return b.String()
}

func (p *labPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	if p.selected().function != "" {
		return []key.Binding{k.Open, k.Test, k.EditFunction, k.AddLayer, k.Policy, k.AddTrigger}
	}
	return []key.Binding{k.Open, k.CreateBucket, k.Upload, k.AddTrigger, k.RemoveTrigger}
}

func (p *labPane) FullHelp() [][]key.Binding {
	k := p.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Open, k.CreateBucket, k.Upload}, {k.AddTrigger, k.RemoveTrigger, k.EditFunction, k.Policy},
		{k.Test, k.AddLayer}}
}

func wheelDelta(msg tea.MouseWheelMsg) int {
	if msg.Button == tea.MouseWheelUp {
		return -3
	}
	return 3
}
