package tui

import (
	"context"
	"errors"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"github.com/lambdalab/lambdalab/emulator"
)

// ErrNoTerminal is returned when there is no terminal to draw on.
var ErrNoTerminal = errors.New("no terminal: the console needs one; use lambdalab serve for a headless lab")

// IsTerminal reports whether stdin and stdout are a terminal.
func IsTerminal() bool {
	return term.IsTerminal(os.Stdout.Fd()) && term.IsTerminal(os.Stdin.Fd())
}

// Run shows the console for lab until the user quits or ctx ends. The lab
// keeps serving S3 at endpoint meanwhile.
func Run(ctx context.Context, lab *emulator.Lab, sub interface{ Close() }, inbox *Inbox, endpoint string) error {
	if !IsTerminal() {
		return ErrNoTerminal
	}
	defer sub.Close()
	defer inbox.Close()
	m := New(NewSource(lab, endpoint), inbox)
	_, err := tea.NewProgram(m, tea.WithContext(ctx)).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}
