// Package tui is lambdalab's terminal console: the lab's buckets and
// functions, the selected bucket's objects, the invocations as they happen,
// and the details of any of them, with the console's actions. It reads the
// lab through its event bus and writes through the S3 API, like any client.
package tui

import (
	"fmt"
	"sort"
	"strings"

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
	case tea.MouseWheelMsg:
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

// handleData takes the results of data commands.
func (m *Model) handleData(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case labLoadedMsg:
		if msg.err != nil {
			m.setMessage(msg.err.Error(), true)
			return nil
		}
		m.loaded = true
		m.c.State.Buckets = msg.buckets
		for _, e := range m.early {
			m.handleBusEvent(e)
		}
		m.early = nil
		if m.c.State.Selected == "" {
			m.c.State.Selected = firstBucket(msg.buckets)
		}
		m.labP.refresh()
		m.labP.selectBucket(m.c.State.Selected)
		m.objects.invalidate()
		m.detail.labChanged()
	case resultMsg:
		if msg.err != nil {
			m.setMessage(msg.err.Error(), true)
		} else {
			m.setMessage(msg.text, false)
		}
		if msg.function != "" {
			return m.reloadFunction(msg.function)
		}
	case functionsMsg:
		m.functionsListed(msg)
	case functionLoadedMsg:
		m.detail.showFunctionInfo(msg)
	case functionActionMsg:
		return m.openFunctionAction(msg)
	case objectDetailMsg:
		m.detail.showObject(msg)
	case objectChosenMsg:
		asked := m.detail.askObject(msg.bucket, msg.key)
		m.openDetail()
		return m.c.Src.loadObject(msg.bucket, msg.key, asked)
	case invocationChosenMsg:
		m.detail.showInvocation(msg.inv)
		m.openDetail()
	case triggersMsg:
		if b := m.c.State.Bucket(msg.bucket); b != nil && msg.asked == b.triggersAsked {
			b.Triggers = msg.triggers
			m.labP.refresh()
			m.detail.labChanged()
		}
	case stepMsg:
		return m.handleStep(msg)
	case layerVerifiedMsg, layerAddedMsg, testResultMsg, functionSavedMsg, policySavedMsg:
		// The answer of a dialog's command; the dialog knows whether it
		// still asks for it.
		if m.dialog == nil {
			return nil
		}
		done, cmd := m.dialog.Update(msg)
		if done {
			m.dialog = nil
		}
		return cmd
	case triggerAddedMsg:
		m.handleTriggerAdded(msg)
	case removeTriggerLoadedMsg:
		// It answers the bucket selected when T was pressed; once another
		// is selected, or another dialog is open, it answers nothing asked.
		if msg.bucket != m.c.State.Selected || m.dialog != nil {
			return nil
		}
		if msg.err != nil {
			m.setMessage(msg.err.Error(), true)
			return nil
		}
		m.openDialog(msg.d)
	}
	return nil
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

// handleBusEvent keeps the state current.
func (m *Model) handleBusEvent(ev bus.Event) tea.Cmd {
	st := m.c.State
	var cmd tea.Cmd
	switch e := ev.(type) {
	case bus.ObjectChanged:
		cmd = m.objectChanged(e)
	case bus.BucketCreated, bus.BucketDeleted:
		m.bucketsChanged(e)
	case bus.NotificationConfigured:
		if b := st.Bucket(e.Bucket); b != nil {
			b.triggersAsked++
			cmd = m.c.Src.reloadTriggers(e.Bucket, b.triggersAsked)
		}
	case bus.LoopStopped:
		m.banner = &e
		m.relayout()
	case bus.TriggerWarning:
		if !e.Acknowledged {
			m.setMessage("warning: "+e.Message, true)
		}
	case bus.FunctionUpdated:
		cmd = tea.Batch(m.listFunctions(), m.reloadFunction(e.Function))
	case bus.RolePolicyChanged:
		cmd = m.reloadFunction(e.Function)
	case bus.FunctionMetrics:
		if st.Metrics == nil {
			st.Metrics = map[string]bus.Metrics{}
		}
		st.Metrics[e.Function] = e.Metrics
		m.detail.labChanged()
	case bus.RuntimeNotice:
		if st.notice(e.Function, e.Message) {
			m.detail.labChanged()
		}
	}
	if st.History.apply(ev) {
		m.invs.refresh()
		if m.detail.kind == detailInvocation {
			m.detail.rebuild()
		}
	}
	if m.loaded {
		m.syncDetail()
	}
	return cmd
}

// objectChanged folds an object's change into its bucket, and reloads it
// if Detail shows it.
func (m *Model) objectChanged(e bus.ObjectChanged) tea.Cmd {
	st := m.c.State
	if !m.loaded {
		m.early = append(m.early, e)
	}
	if b := st.Bucket(e.Bucket); b != nil {
		if strings.HasPrefix(e.EventName, "ObjectRemoved:") {
			b.remove(e.Key)
			delete(m.objects.marked, e.Key)
		} else {
			b.upsert(objectRow{Key: e.Key, Size: e.Size, Modified: e.Time, ETag: e.ETag})
		}
		if e.Bucket == st.Selected {
			m.objects.invalidate()
		}
	}
	if m.detail.kind == detailObject && m.detail.object.bucket == e.Bucket && m.detail.object.key == e.Key && m.loaded {
		return m.c.Src.loadObject(e.Bucket, e.Key, m.detail.reask())
	}
	return nil
}

// bucketsChanged adds or removes a bucket.
func (m *Model) bucketsChanged(ev bus.Event) {
	st := m.c.State
	switch e := ev.(type) {
	case bus.BucketCreated:
		if st.Bucket(e.Bucket) != nil || !m.loaded {
			return
		}
		st.Buckets = append(st.Buckets, &bucketState{Name: e.Bucket})
		sort.Slice(st.Buckets, func(i, j int) bool { return st.Buckets[i].Name < st.Buckets[j].Name })
	case bus.BucketDeleted:
		for i, b := range st.Buckets {
			if b.Name == e.Bucket {
				st.Buckets = append(st.Buckets[:i], st.Buckets[i+1:]...)
				break
			}
		}
	}
	m.labP.refresh()
	m.detail.labChanged()
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
	if m.dialog != nil {
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
