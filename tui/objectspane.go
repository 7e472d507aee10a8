package tui

import (
	"fmt"
	"path"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// objectsPane lists the selected bucket's objects with the console's
// columns: name, type, size, last modified.
type objectsPane struct {
	c         *Common
	list      cursorList
	width     int
	focused   bool
	marked    map[string]bool
	filter    textinput.Model
	filtering bool
	view      []int // indexes into the bucket's objects after filtering
	viewOf    string
	viewLen   int
	viewQuery string
}

func newObjectsPane(c *Common) *objectsPane {
	f := newTextInput()
	f.Prompt = "/"
	f.Placeholder = "filter by name"
	return &objectsPane{c: c, marked: map[string]bool{}, filter: f}
}

func (p *objectsPane) Title() string {
	b := p.bucket()
	if b == nil {
		return "Objects"
	}
	count := fmt.Sprint(len(b.Objects))
	if p.filter.Value() != "" {
		count = fmt.Sprintf("%d/%d", len(p.rows()), len(b.Objects))
	}
	t := fmt.Sprintf("Objects · %s (%s)", b.Name, count)
	if n := len(p.marked); n > 0 {
		t += fmt.Sprintf(" · %d marked", n)
	}
	return t
}

func (p *objectsPane) Focus() { p.focused = true }
func (p *objectsPane) Blur()  { p.focused = false; p.stopFilter() }

func (p *objectsPane) SetSize(w, h int) {
	p.width, p.list.height = w, h-1
	p.filter.SetWidth(max(w-2, 1))
}

func (p *objectsPane) bucket() *bucketState { return p.c.State.Bucket(p.c.State.Selected) }

// rows returns the indexes of the objects shown: all, or those matching the
// filter. It recomputes only when the bucket or the filter changed.
func (p *objectsPane) rows() []int {
	b := p.bucket()
	if b == nil {
		return nil
	}
	q := strings.ToLower(p.filter.Value())
	if p.view != nil && p.viewOf == b.Name && p.viewLen == len(b.Objects) && p.viewQuery == q {
		return p.view
	}
	p.view = p.view[:0]
	for i, o := range b.Objects {
		if q == "" || strings.Contains(strings.ToLower(o.Key), q) {
			p.view = append(p.view, i)
		}
	}
	p.viewOf, p.viewLen, p.viewQuery = b.Name, len(b.Objects), q
	return p.view
}

// lists reports whether key is among the rows shown.
func (p *objectsPane) lists(key string) bool {
	b := p.bucket()
	for _, i := range p.rows() {
		if b.Objects[i].Key == key {
			return true
		}
	}
	return false
}

// invalidate forgets the cached rows (objects changed in place).
func (p *objectsPane) invalidate() { p.viewLen = -1 }

// selected is the object under the cursor.
func (p *objectsPane) selected() (objectRow, bool) {
	rows := p.rows()
	if p.list.cursor >= len(rows) {
		return objectRow{}, false
	}
	return p.bucket().Objects[rows[p.list.cursor]], true
}

// targets are the marked objects, or the one under the cursor.
func (p *objectsPane) targets() []string {
	if len(p.marked) > 0 {
		var keys []string
		for _, i := range p.rows() {
			if k := p.bucket().Objects[i].Key; p.marked[k] {
				keys = append(keys, k)
			}
		}
		return keys
	}
	if o, ok := p.selected(); ok {
		return []string{o.Key}
	}
	return nil
}

func (p *objectsPane) stopFilter() {
	p.filtering = false
	p.filter.Blur()
}

// objectChosenMsg asks the root to show an object in the Detail pane.
type objectChosenMsg struct{ bucket, key string }

func (p *objectsPane) Update(msg tea.Msg) tea.Cmd {
	k := p.c.Keys
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if p.filtering {
			switch msg.String() {
			case "enter", "esc":
				if msg.String() == "esc" {
					p.filter.SetValue("")
				}
				p.stopFilter()
				return nil
			}
			var cmd tea.Cmd
			p.filter, cmd = p.filter.Update(msg)
			p.list.cursor = 0
			return cmd
		}
		n := len(p.rows())
		switch {
		case p.list.move(k, msg, n):
			return nil
		case key.Matches(msg, k.Filter):
			p.filtering = true
			return p.filter.Focus()
		case key.Matches(msg, k.Mark):
			if o, ok := p.selected(); ok {
				if p.marked[o.Key] {
					delete(p.marked, o.Key)
				} else {
					p.marked[o.Key] = true
				}
				p.list.cursor++
				p.list.clamp(n)
			}
		case key.Matches(msg, k.Open):
			if o, ok := p.selected(); ok {
				b := p.bucket().Name
				return func() tea.Msg { return objectChosenMsg{b, o.Key} }
			}
		}
	case tea.MouseWheelMsg:
		p.list.wheel(wheelDelta(msg), len(p.rows()))
	}
	return nil
}

func (p *objectsPane) RowAt(y int) bool {
	i := p.list.offset + y - 1
	if y < 1 || i >= len(p.rows()) {
		return false
	}
	p.list.cursor = i
	return true
}

// objectType is the console's Type column: the extension, or Folder.
func objectType(k string) string {
	if strings.HasSuffix(k, "/") {
		return "Folder"
	}
	return strings.TrimPrefix(strings.ToLower(path.Ext(k)), ".")
}

// humanSize writes sizes as the console does: B, KB, MB, GB.
func humanSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	case n < 1<<30:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
}

func (p *objectsPane) View() string {
	st := p.c.Styles
	b := p.bucket()
	if b == nil {
		return st.Dim.Render(fit("Select a bucket in the Lab pane.", p.width))
	}
	typeW, sizeW, timeW := 6, 9, 16
	if p.width < 56 {
		timeW = 11 // 01-02 15:04
	}
	nameW := max(p.width-typeW-sizeW-timeW-3, 8)
	var out strings.Builder
	if p.filtering || p.filter.Value() != "" {
		out.WriteString(fit(p.filter.View(), p.width))
	} else {
		out.WriteString(st.ColumnHeader.Render(fit(fit("Name", nameW)+" "+fit("Type", typeW)+" "+padRight("Size", sizeW)+" "+fit(map[bool]string{true: "Last modified", false: "Modified"}[timeW >= 16], timeW), p.width)))
	}
	rows := p.rows()
	if len(rows) == 0 {
		msg := "No objects. Press u to upload."
		if p.filter.Value() != "" {
			msg = "No objects match the filter."
		}
		out.WriteString("\n" + st.Dim.Render(fit(msg, p.width)))
		return out.String()
	}
	layout := "2006-01-02 15:04"
	if timeW < 16 {
		layout = "01-02 15:04"
	}
	start, end := p.list.visible(len(rows))
	for i := start; i < end; i++ {
		o := b.Objects[rows[i]]
		name := printable(o.Key)
		if p.marked[o.Key] {
			name = "✓ " + name
		}
		line := fitLeft(name, nameW) + " " + fit(objectType(o.Key), typeW) + " " + padRight(humanSize(o.Size), sizeW) + " " +
			fit(o.Modified.Local().Format(layout), timeW)
		out.WriteString("\n")
		switch {
		case i == p.list.cursor && p.focused:
			out.WriteString(st.RowCursor.Render(fit(line, p.width)))
		case i == p.list.cursor:
			out.WriteString(st.RowSelected.Render(fit(line, p.width)))
		case p.marked[o.Key]:
			out.WriteString(st.RowMarked.Render(fit(line, p.width)))
		default:
			out.WriteString(st.Row.Render(fit(line, p.width)))
		}
	}
	return out.String()
}

func (p *objectsPane) ShortHelp() []key.Binding {
	k := p.c.Keys
	return []key.Binding{as(k.Open, "show object"), k.Upload, k.Download, k.Delete, k.Mark, k.Filter}
}

func (p *objectsPane) FullHelp() [][]key.Binding {
	k := p.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{as(k.Open, "show object"), as(k.Filter, "filter by name"), k.Mark}, {k.Upload, k.Download, k.Delete}}
}
