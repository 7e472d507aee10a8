package tui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lambdalab/lambdalab/scenarios"
)

// Player plays a scenario in the console, one step per press of space: the
// step's notes are shown, the step runs, the panes follow the lab, and the
// Detail pane keeps the list of steps with how each went.
type Player struct {
	runner  *scenarios.Runner
	sc      *scenarios.Scenario
	next    int
	running bool
	// results are the outcomes of the steps run so far, in order.
	results []scenarios.StepResult
}

// NewPlayer plays sc on the lab runner built.
func NewPlayer(r *scenarios.Runner, sc *scenarios.Scenario) *Player {
	return &Player{runner: r, sc: sc}
}

// stepMsg is a step's outcome.
type stepMsg struct {
	index  int
	result scenarios.StepResult
}

// step runs the next step in the background.
func (p *Player) step() tea.Cmd {
	if p.running || p.next >= len(p.sc.Steps) {
		return nil
	}
	p.running = true
	i := p.next
	return func() tea.Msg { return stepMsg{index: i, result: p.runner.RunStep(i)} }
}

// done reports whether every step has run.
func (p *Player) done() bool { return p.next >= len(p.sc.Steps) }

// failed are the numbers of the steps that failed.
func (p *Player) failed() []string {
	var out []string
	for _, r := range p.results {
		if !r.Passed {
			out = append(out, fmt.Sprint(r.Index))
		}
	}
	return out
}

// summary is how the scenario went, once every step has run.
func (p *Player) summary() string {
	n := len(p.sc.Steps)
	if f := p.failed(); len(f) > 0 {
		return fmt.Sprintf("scenario %s FAILED: %d of %d steps passed; failed: step %s", p.sc.Name, n-len(f), n, strings.Join(f, ", "))
	}
	return fmt.Sprintf("scenario %s passed: %d of %d steps ✓", p.sc.Name, n, n)
}

// status is the player's part of the header.
func (p *Player) status() string {
	n := len(p.sc.Steps)
	switch {
	case p.running:
		return fmt.Sprintf("scenario %s · step %d/%d running", p.sc.Name, p.next+1, n)
	case p.done() && len(p.failed()) > 0:
		return fmt.Sprintf("scenario %s · FAILED %d/%d", p.sc.Name, n-len(p.failed()), n)
	case p.done():
		return fmt.Sprintf("scenario %s · passed %d/%d", p.sc.Name, n, n)
	}
	return fmt.Sprintf("scenario %s · step %d/%d next (space)", p.sc.Name, p.next+1, n)
}

// intro is the scenario's description and notes, shown when it opens.
func (p *Player) intro() string {
	var b strings.Builder
	b.WriteString(p.sc.Description + "\n\n" + strings.TrimSpace(p.sc.Notes) + "\n\n")
	fmt.Fprintf(&b, "%d steps: press space to run the next one (space now runs the first). Each step's result and the next step's notes appear at the bottom; the Detail pane lists the steps.", len(p.sc.Steps))
	return b.String()
}

// newPlayerModel is the console on a scenario's lab, its introduction
// open: what PlayScenario runs, and what the tests drive.
func newPlayerModel(r *scenarios.Runner, sc *scenarios.Scenario, src *Source, inbox *Inbox) *Model {
	m := New(src, inbox)
	m.player = NewPlayer(r, sc)
	m.c.Player = m.player
	m.detail.rebuild()
	intro := newPager(m.c, "Scenario "+sc.Name, m.player.intro())
	intro.passthrough = []key.Binding{m.c.Keys.NextStep}
	m.openDialog(intro)
	return m
}

// PlayScenario opens the console on a scenario's lab with the player.
func PlayScenario(ctx context.Context, r *scenarios.Runner, sc *scenarios.Scenario, inbox *Inbox, endpoint string) error {
	if !IsTerminal() {
		return ErrNoTerminal
	}
	defer inbox.Close()
	src := NewSource(r.Lab(), endpoint)
	src.settle = func() { _ = r.Settle() }
	_, err := tea.NewProgram(newPlayerModel(r, sc, src, inbox), tea.WithContext(ctx)).Run()
	return err
}

// handleStep shows a step's outcome and what comes next; after the last,
// how the scenario went.
func (m *Model) handleStep(msg stepMsg) tea.Cmd {
	p := m.player
	p.running = false
	p.next = msg.index + 1
	r := msg.result
	p.results = append(p.results, r)
	var text string
	switch {
	case !r.Passed:
		text = fmt.Sprintf("step %d ✗ %s: %s", r.Index, r.Description, r.Message)
	case r.Error != "":
		text = fmt.Sprintf("step %d → %s (expected by the next step)", r.Index, r.Error)
	default:
		text = fmt.Sprintf("step %d ✓ %s", r.Index, r.Description)
	}
	switch {
	case p.done():
		text += " · " + p.summary()
	default:
		if n := strings.TrimSpace(p.sc.Steps[p.next].Notes); n != "" {
			text += " · next: " + strings.Join(strings.Fields(n), " ")
		}
	}
	m.setMessage(text, !r.Passed || (p.done() && len(p.failed()) > 0))
	// Detail goes back to the list of steps, now with this one's result,
	// unless the user is reading something there.
	if m.focus != detailPaneID {
		m.detail.clear()
	} else if m.detail.kind == detailWelcome {
		m.detail.rebuild()
	}
	return nil
}
