// Package tui is lambdalab's terminal console: the lab's buckets and
// functions, the selected bucket's objects, the invocations as they happen,
// and the details of any of them, with the console's actions. It is a
// client of the lab's services like any other: it reads and changes them
// through their APIs (S3, Lambda, IAM, signed as the account root) and
// follows what happens on the lab's event bus.
package tui

import (
	"fmt"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
)

// paneID names a pane; focus is one of them.
type paneID int

const (
	labPaneID paneID = iota
	objectsPaneID
	invocationsPaneID
	detailPaneID
	paneCount
)

// Model is the root of the UI.
type Model struct {
	c       *Common
	labP    *labPane
	objects *objectsPane
	invs    *invocationsPane
	detail  *detailPane
	panes   [paneCount]pane
	rects   [paneCount]rect
	focus   paneID
	zoom    bool
	// returnTo is the pane esc returns to from Detail.
	returnTo paneID

	width, height int
	// bodyH is the panes' height, statusH the status block's: the block
	// grows for a banner and a long message.
	bodyH, statusH int
	dialog         dialog
	help           help.Model
	message        string
	messageErr     bool
	banner         *bus.LoopStopped
	inbox          *Inbox
	loaded         bool
	upload         *progressMsg
	progress       progress.Model
	player         *Player
	// pipe is the pipeline view, over the panes while it is open; pipeGen
	// numbers the views opened.
	pipe    *pipelineView
	pipeGen int
	// early holds object changes that arrived before the first listing.
	early []bus.ObjectChanged
}

// rect is where a pane is on screen, for mouse clicks.
type rect struct{ x, y, w, h int }

func (r rect) contains(x, y int) bool { return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h }

// New builds the UI over src. inbox carries the outside world (bus events,
// upload progress) into the program; Forward fills it from a bus. A nil
// inbox is for tests, which feed the bus in themselves.
func New(src *Source, inbox *Inbox) *Model {
	c := &Common{
		Styles:  DefaultStyles(true),
		Keys:    DefaultKeyMap(),
		Profile: colorprofile.TrueColor,
		Src:     src,
		State:   &State{History: newHistory()},
	}
	_, c.VirtualClock = src.Clock.(*clock.Virtual)
	m := &Model{c: c, inbox: inbox, help: help.New(), progress: progress.New(progress.WithWidth(30))}
	m.labP, m.objects, m.invs, m.detail = newLabPane(c), newObjectsPane(c), newInvocationsPane(c), newDetailPane(c)
	m.panes = [paneCount]pane{m.labP, m.objects, m.invs, m.detail}
	m.labP.Focus()
	return m
}

// Init loads the lab and starts listening to it.
func (m *Model) Init() tea.Cmd {
	m.c.State.functionsAsked++
	return tea.Batch(m.c.Src.loadLab(), m.c.Src.listFunctions(m.c.State.functionsAsked), m.inbox.wait(), tea.RequestBackgroundColor)
}

// Update routes a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		if m.dialog != nil {
			m.dialog.SetSize(m.width, m.bodyH)
		}
		return m, nil
	case tea.BackgroundColorMsg:
		m.c.Styles = DefaultStyles(msg.IsDark())
		m.detail.rebuild()
		return m, nil
	case tea.ColorProfileMsg:
		m.c.Profile = msg.Profile
		m.detail.rebuild()
		return m, nil
	case busMsg:
		return m, tea.Batch(m.handleBusEvent(msg.ev), m.inbox.wait())
	case progressMsg:
		m.upload = &msg
		if msg.finished {
			m.upload = nil
		}
		m.relayout()
		return m, m.inbox.wait()
	case labClosedMsg:
		return m, nil
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.MouseClickMsg:
		return m, m.handleClick(msg)
	case pipelineTickMsg:
		return m, m.pipelineTicked(msg)
	case tea.MouseWheelMsg:
		if m.pipe != nil {
			m.pipe.Update(msg)
			return m, nil
		}
		for id, r := range m.rects {
			if r.contains(msg.Mouse().X, msg.Mouse().Y) {
				cmd := m.panes[id].Update(msg)
				return m, tea.Batch(cmd, m.followLab())
			}
		}
		return m, nil
	}
	return m, m.handleData(msg)
}

// followLab shows what the Lab pane's cursor is on: a bucket's objects, a
// function's detail (which it loads).
func (m *Model) followLab() tea.Cmd {
	it := m.labP.selected()
	if it.bucket != "" && it.bucket != m.c.State.Selected {
		m.c.State.Selected = it.bucket
		m.objects.list.cursor, m.objects.list.offset = 0, 0
		m.objects.marked = map[string]bool{}
		m.objects.invalidate()
	}
	var cmd tea.Cmd
	if it.function != "" && (m.detail.kind != detailFunction || m.detail.function != it.function) {
		cmd = m.showFunction(it.function)
	}
	m.syncDetail()
	return cmd
}

// syncDetail takes an object off the Detail pane once the Objects pane no
// longer lists it (another bucket, a filter that hides it, the object
// deleted): Detail shows what is selected, never what was.
func (m *Model) syncDetail() {
	d := m.detail
	if d.kind == detailObject && (d.object.bucket != m.c.State.Selected || !m.objects.lists(d.object.key)) {
		d.clear()
	}
}

func (m *Model) setMessage(text string, isErr bool) {
	m.message, m.messageErr = printable(text), isErr
	m.relayout()
}

// relayout lays the panes out again when the status block changed height.
func (m *Model) relayout() {
	if m.width > 0 && len(m.statusLines()) != m.statusH {
		m.layout()
		if m.dialog != nil {
			m.dialog.SetSize(m.width, m.bodyH)
		}
	}
}

// handleKey: the dialog first, then the global keys, then the focused pane.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	if p, ok := m.dialog.(*pagerDialog); ok && p.passes(msg) {
		m.dialog = nil
	}
	if m.dialog != nil {
		done, cmd := m.dialog.Update(msg)
		if done {
			m.dialog = nil
		}
		return cmd
	}
	if m.pipe != nil {
		return m.pipelineKeyPress(msg)
	}
	if m.filtering() {
		cmd := m.panes[m.focus].Update(msg)
		m.syncDetail()
		return cmd
	}
	if cmd, ok := m.globalKey(msg); ok {
		return cmd
	}
	if cmd, ok := m.action(msg); ok {
		return cmd
	}
	if m.focus == labPaneID && key.Matches(msg, k.Open) {
		if it := m.labP.selected(); it.function != "" {
			var cmd tea.Cmd
			if m.detail.kind != detailFunction || m.detail.function != it.function {
				cmd = m.showFunction(it.function)
			}
			m.openDetail()
			return cmd
		}
		m.setFocus(objectsPaneID)
		return nil
	}
	cmd := m.panes[m.focus].Update(msg)
	if m.focus == labPaneID {
		cmd = tea.Batch(cmd, m.followLab())
	}
	return cmd
}

// globalKey handles the keys that work in every pane; ok is false for
// other keys.
func (m *Model) globalKey(msg tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Quit):
		// Work still sending into the inbox (an upload's progress) stops
		// sending now, before the program is gone.
		m.inbox.Close()
		return tea.Quit, true
	case key.Matches(msg, k.Help):
		m.openDialog(m.helpDialog())
	case key.Matches(msg, k.NextPane):
		m.setFocus((m.focus + 1) % paneCount)
	case key.Matches(msg, k.PrevPane):
		m.setFocus((m.focus + paneCount - 1) % paneCount)
	case key.Matches(msg, k.Zoom):
		m.zoom = !m.zoom
		m.layout()
	case key.Matches(msg, k.Back):
		return m.back(), true
	case key.Matches(msg, k.NextStep) && m.player != nil:
		if n := m.player.next; n < len(m.player.sc.Steps) {
			m.setMessage(fmt.Sprintf("step %d running (%s)…", n+1, m.player.sc.Steps[n].Kind), false)
		}
		return m.player.step(), true
	case key.Matches(msg, k.SafePatterns):
		m.openDialog(newPager(m.c, "Recursive loops: three safe patterns", safePatterns))
	default:
		return nil, false
	}
	return nil, true
}

func (m *Model) filtering() bool {
	return (m.focus == objectsPaneID && m.objects.filtering) || (m.focus == invocationsPaneID && m.invs.filtering)
}

// openDetail focuses the Detail pane, remembering where the user came
// from; esc goes back there.
func (m *Model) openDetail() {
	if m.focus != detailPaneID {
		m.returnTo = m.focus
	}
	m.setFocus(detailPaneID)
}

// back dismisses, in order: the loop banner, a zoom, the Detail pane (back
// to where it was opened from), the focus on a pane.
func (m *Model) back() tea.Cmd {
	switch {
	case m.banner != nil:
		m.banner = nil
		m.relayout()
	case m.zoom:
		m.zoom = false
		m.layout()
	case m.focus == detailPaneID:
		m.setFocus(m.returnTo)
	case m.focus != labPaneID:
		m.setFocus(labPaneID)
	}
	return nil
}

func (m *Model) setFocus(id paneID) {
	m.panes[m.focus].Blur()
	m.focus = id
	m.panes[id].Focus()
	if m.zoom {
		m.layout()
	}
}

func (m *Model) handleClick(msg tea.MouseClickMsg) tea.Cmd {
	if m.dialog != nil || m.pipe != nil {
		return nil
	}
	mouse := msg.Mouse()
	for id, r := range m.rects {
		if !r.contains(mouse.X, mouse.Y) {
			continue
		}
		m.setFocus(paneID(id))
		if m.panes[id].RowAt(mouse.Y-r.y-1) && paneID(id) == labPaneID {
			return m.followLab()
		}
	}
	return nil
}

// helpDialog is the keys dialog: every key, grouped by pane, from the
// KeyMaps.
func (m *Model) helpDialog() *pagerDialog {
	sections, st := m.helpSections(), m.c.Styles
	return &pagerDialog{c: m.c, title: "Keys", maxW: 1 << 10, body: func(w int) []string {
		return layoutHelp(st, sections, w)
	}}
}

// shortHelp is the footer's keys: the focused pane's, and the global ones
// that always show.
func (m *Model) shortHelp() (local, global []key.Binding) {
	k := m.c.Keys
	if m.pipe != nil {
		return m.pipe.ShortHelp(), []key.Binding{k.Help, k.Quit}
	}
	if m.player != nil {
		global = append(global, k.NextStep)
	}
	return m.panes[m.focus].ShortHelp(), append(global, k.NextPane, k.Help, k.Quit)
}

// String is a one-line description for debugging.
func (m *Model) String() string {
	return fmt.Sprintf("lambdalab tui %dx%d focus=%d", m.width, m.height, m.focus)
}

// firstBucket is the bucket to show first: one with a trigger (the input of
// the exercise), or the first.
func firstBucket(bs []*bucketState) string {
	for _, b := range bs {
		if len(b.Triggers) > 0 {
			return b.Name
		}
	}
	if len(bs) > 0 {
		return bs[0].Name
	}
	return ""
}
