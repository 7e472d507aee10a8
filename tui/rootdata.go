package tui

import (
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// The root's part in keeping up with the lab: the answers of its data
// commands, and the bus's events.

// handleData takes the results of data commands.
func (m *Model) handleData(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case labLoadedMsg:
		m.labLoaded(msg)
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
	case pipelineChosenMsg:
		return m.openPipeline(msg.key)
	case triggersMsg:
		if b := m.c.State.Bucket(msg.bucket); b != nil && msg.asked == b.triggersAsked {
			b.Triggers = msg.triggers
			m.labP.refresh()
			m.detail.labChanged()
		}
	case stepMsg:
		return m.handleStep(msg)
	case layerVerifiedMsg, layerAddedMsg, testResultMsg, functionSavedMsg, policySavedMsg:
		return m.answerDialog(msg)
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

// labLoaded takes the first listing of the buckets.
func (m *Model) labLoaded(msg labLoadedMsg) {
	if msg.err != nil {
		m.setMessage(msg.err.Error(), true)
		return
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
}

// answerDialog hands the answer of a dialog's command to the dialog open,
// which knows whether it still asks for it.
func (m *Model) answerDialog(msg tea.Msg) tea.Cmd {
	if m.dialog == nil {
		return nil
	}
	done, cmd := m.dialog.Update(msg)
	if done {
		m.dialog = nil
	}
	return cmd
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
		if m.pipe != nil {
			m.pipe.refresh(m.labNow())
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
