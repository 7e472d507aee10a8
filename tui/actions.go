package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	s3srv "github.com/lambdalab/lambdalab/emulator/s3"
)

// deleteConfirmation is what the delete dialog wants typed, as the
// console asks.
const deleteConfirmation = "permanently delete"

// action opens the dialog of an action key; ok is false for other keys.
func (m *Model) action(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.CreateBucket):
		m.openDialog(m.createBucketDialog())
	case key.Matches(msg, k.Upload):
		if m.c.State.Selected == "" {
			m.setMessage("select a bucket to upload to", true)
			return nil, true
		}
		m.openDialog(m.uploadDialog(m.c.State.Selected))
	case key.Matches(msg, k.Download) && m.focus == objectsPaneID:
		keys, bucket := m.objects.targets(), m.c.State.Selected
		if len(keys) == 0 {
			return nil, true
		}
		d := newInputDialog(m.c, fmt.Sprintf("Download %d object(s)", len(keys)), "To folder: ", defaultDownloadDir,
			"Keys become paths inside the folder; a key that would leave it is refused.")
		d.submit = func(dir string) tea.Cmd { return m.c.Src.download(bucket, keys, expandHome(dir)) }
		m.openDialog(d)
	case key.Matches(msg, k.Delete) && m.focus == objectsPaneID:
		if d := m.deleteDialog(); d != nil {
			m.openDialog(d)
		}
	case key.Matches(msg, k.AddTrigger):
		bucket, fn := m.c.State.Selected, ""
		if it := m.labP.selected(); m.focus == labPaneID && it.function != "" {
			fn = it.function
		}
		if bucket == "" {
			m.setMessage("select a bucket first", true)
			return nil, true
		}
		m.openDialog(newTriggerDialog(m.c, bucket, fn))
	case key.Matches(msg, k.RemoveTrigger):
		if m.c.State.Selected == "" {
			return nil, true
		}
		return m.c.Src.loadRemoveTrigger(m.c, m.c.State.Selected), true
	case key.Matches(msg, k.EditFunction), key.Matches(msg, k.Policy), key.Matches(msg, k.AddLayer), key.Matches(msg, k.Test):
		fn, problem := m.currentFunction()
		if fn == "" {
			m.setMessage(problem, true)
			return nil, true
		}
		return m.functionAction(msg, fn), true
	default:
		return nil, false
	}
	return nil, true
}

// functionAction opens the dialog of a function's action key; the ones
// that edit what Lambda or IAM keep read it first.
func (m *Model) functionAction(msg tea.KeyPressMsg, fn string) tea.Cmd {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Policy):
		return m.c.Src.prepareAction(actPolicy, fn)
	case key.Matches(msg, k.EditFunction):
		return m.c.Src.prepareAction(actEdit, fn)
	case key.Matches(msg, k.AddLayer):
		return m.c.Src.prepareAction(actLayer, fn)
	case key.Matches(msg, k.Test):
		m.openDialog(newTestDialog(m.c, fn, testEvent(m.c, fn)))
	}
	return nil
}

// createBucketDialog asks for a name, checked as it is typed against AWS's
// rules and the buckets the user already has.
func (m *Model) createBucketDialog() dialog {
	d := newInputDialog(m.c, "Create bucket", "Name: ", "",
		"Names: 3-63 characters, lowercase letters, digits, dots and hyphens.",
		"Block Public Access: on (all four settings). ACLs: disabled.")
	d.check = func(name string) string {
		if problem := checkBucketName(name); problem != "" {
			return problem
		}
		if m.c.State.Bucket(name) != nil {
			return "Bucket " + name + " already exists, and you own it."
		}
		return ""
	}
	d.submit = m.c.Src.createBucket
	return d
}

// uploadDialog asks for a file, a folder or a pattern to upload to bucket.
func (m *Model) uploadDialog(bucket string) dialog {
	d := newInputDialog(m.c, "Upload to "+bucket, "File: ", "",
		"A file, a folder (its files keep their paths) or a pattern like ~/Pictures/*.png")
	d.complete = completePath
	d.check = func(v string) string {
		if _, _, err := expandPaths(v); err != nil {
			return err.Error()
		}
		return ""
	}
	d.submit = func(v string) tea.Cmd {
		files, keys, _ := expandPaths(v)
		m.setMessage(fmt.Sprintf("uploading %d file(s) to %s…", len(files), bucket), false)
		return m.c.Src.upload(bucket, "", files, keys, m.inbox)
	}
	return d
}

// deleteDialog asks for the console's confirmation before deleting the
// marked objects (or the one under the cursor).
func (m *Model) deleteDialog() dialog {
	keys, bucket := m.objects.targets(), m.c.State.Selected
	if len(keys) == 0 {
		return nil
	}
	names := strings.Join(keys, ", ")
	if len(keys) > 3 {
		names = strings.Join(keys[:3], ", ") + fmt.Sprintf(" and %d more", len(keys)-3)
	}
	d := newInputDialog(m.c, fmt.Sprintf("Delete %d object(s) from %s", len(keys), bucket), "", "",
		"Deleting objects cannot be undone: "+names+".",
		"To confirm, type: "+deleteConfirmation)
	d.check = func(v string) string {
		if v != deleteConfirmation {
			return "type " + deleteConfirmation + " to confirm"
		}
		return ""
	}
	d.submit = func(string) tea.Cmd {
		m.objects.marked = map[string]bool{}
		return m.c.Src.deleteObjects(bucket, keys)
	}
	return d
}

// currentFunction is the function the user means: the one selected in
// the Lab pane or shown in Detail, else the one the selected bucket
// triggers, else the lab's only one. Otherwise problem says what to do.
func (m *Model) currentFunction() (fn, problem string) {
	if it := m.labP.selected(); it.function != "" {
		return it.function, ""
	}
	switch m.detail.kind {
	case detailFunction:
		return m.detail.function, ""
	case detailInvocation:
		return m.detail.invocation.Function, ""
	}
	triggered := map[string]bool{}
	if b := m.c.State.Bucket(m.c.State.Selected); b != nil {
		for _, t := range b.Triggers {
			if t.Function != "" {
				triggered[t.Function] = true
			}
		}
	}
	if len(triggered) == 1 {
		for f := range triggered {
			return f, ""
		}
	}
	switch fns := m.c.State.Functions; len(fns) {
	case 0:
		return "", "the lab has no function"
	case 1:
		return fns[0], ""
	default:
		return "", "which function? select one (ƒ) in the Lab pane: " + strings.Join(fns, ", ")
	}
}

// defaultDownloadDir is where downloads go unless the user says otherwise.
const defaultDownloadDir = "lambdalab-downloads"

// checkBucketName is the create-bucket dialog's live check: AWS's naming
// rules, with the rule that is broken.
func checkBucketName(name string) string {
	if err := s3srv.ValidateBucketName(name); err != nil {
		return err.Error()
	}
	return ""
}
