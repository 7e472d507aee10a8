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
// step's notes are shown, the step runs, the panes follow the lab.
type Player struct {
	runner  *scenarios.Runner
	sc      *scenarios.Scenario
	next    int
	running bool
	failed  bool
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

// status is the player's line in the header.
func (p *Player) status() string {
	switch {
	case p.running:
		return fmt.Sprintf("scenario %s · step %d/%d running", p.sc.Name, p.next+1, len(p.sc.Steps))
	case p.next >= len(p.sc.Steps):
		return fmt.Sprintf("scenario %s · done", p.sc.Name)
	}
	return fmt.Sprintf("scenario %s · step %d/%d next (space)", p.sc.Name, p.next+1, len(p.sc.Steps))
}

// intro is the scenario's description and notes, shown when it opens.
func (p *Player) intro() string {
	var b strings.Builder
	b.WriteString(p.sc.Description + "\n\n" + strings.TrimSpace(p.sc.Notes) + "\n\n")
	b.WriteString(fmt.Sprintf("%d steps: press space to run the next one; its notes and result appear at the bottom.", len(p.sc.Steps)))
	return b.String()
}

// PlayScenario opens the console on a scenario's lab with the player.
func PlayScenario(ctx context.Context, r *scenarios.Runner, sc *scenarios.Scenario, inbox *Inbox, endpoint string) error {
	if !IsTerminal() {
		return ErrNoTerminal
	}
	defer inbox.Close()
	lab := r.Lab()
	src := &Source{Lab: lab, Client: lab.RootClient(), Endpoint: endpoint, settle: func() { _ = lab.Lambda().Settle(ctx) }}
	m := New(src, inbox)
	m.player = NewPlayer(r, sc)
	intro := newPager(m.c, "Scenario "+sc.Name, m.player.intro())
	intro.passthrough = []key.Binding{m.c.Keys.NextStep}
	m.openDialog(intro)
	_, err := tea.NewProgram(m, tea.WithContext(ctx)).Run()
	return err
}

// handleStep shows a step's outcome and what comes next.
func (m *Model) handleStep(msg stepMsg) tea.Cmd {
	p := m.player
	p.running = false
	p.next = msg.index + 1
	r := msg.result
	switch {
	case !r.Passed:
		p.failed = true
		m.setMessage(fmt.Sprintf("step %d ✗ %s: %s", r.Index, r.Description, r.Message), true)
	case r.Error != "":
		m.setMessage(fmt.Sprintf("step %d → %s (expected by the next step)", r.Index, r.Error), false)
	default:
		text := fmt.Sprintf("step %d ✓ %s", r.Index, r.Description)
		if p.next < len(p.sc.Steps) {
			if n := strings.TrimSpace(p.sc.Steps[p.next].Notes); n != "" {
				text += " · next: " + n
			}
		}
		m.setMessage(text, false)
	}
	return nil
}
