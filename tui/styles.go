package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles are every style the UI uses, chosen once for the terminal's
// background; View code never builds styles of its own.
type Styles struct {
	Header, HeaderDim, HeaderKey lipgloss.Style
	Pane, PaneFocused            lipgloss.Style
	Edge, EdgeFocused            lipgloss.Style
	Title, TitleFocused          lipgloss.Style
	ColumnHeader                 lipgloss.Style
	Row, RowSelected, RowCursor  lipgloss.Style
	RowMarked                    lipgloss.Style
	Dim, Bold, Key, Value        lipgloss.Style
	StatusOK, StatusErr          lipgloss.Style
	StatusWarn, StatusBusy       lipgloss.Style
	Banner, BannerKey            lipgloss.Style
	Message, MessageErr          lipgloss.Style
	Dialog, DialogTitle          lipgloss.Style
	Warning, Checkbox            lipgloss.Style
	JSONKey, JSONString          lipgloss.Style
	JSONNumber, LogPlatform      lipgloss.Style
	Sparkline                    lipgloss.Style
	Help                         lipgloss.Style
	HelpKey, HelpDesc            lipgloss.Style
}

// DefaultStyles returns the styles for a dark or light background.
func DefaultStyles(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	var (
		fg       = ld(lipgloss.Color("#1f2328"), lipgloss.Color("#e6edf3"))
		dim      = ld(lipgloss.Color("#6e7781"), lipgloss.Color("#8b949e"))
		accent   = ld(lipgloss.Color("#8250df"), lipgloss.Color("#d2a8ff"))
		selectBg = ld(lipgloss.Color("#ddf4ff"), lipgloss.Color("#1f3a5f"))
		green    = ld(lipgloss.Color("#1a7f37"), lipgloss.Color("#3fb950"))
		red      = ld(lipgloss.Color("#cf222e"), lipgloss.Color("#f85149"))
		yellow   = ld(lipgloss.Color("#9a6700"), lipgloss.Color("#d29922"))
		blue     = ld(lipgloss.Color("#0969da"), lipgloss.Color("#58a6ff"))
		border   = ld(lipgloss.Color("#d0d7de"), lipgloss.Color("#30363d"))
	)
	pane := func(c color.Color) lipgloss.Style {
		return lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(c)
	}
	s := &Styles{
		Header:       lipgloss.NewStyle().Foreground(fg).Bold(true),
		HeaderDim:    lipgloss.NewStyle().Foreground(dim),
		HeaderKey:    lipgloss.NewStyle().Foreground(accent),
		Pane:         pane(border),
		PaneFocused:  pane(accent),
		Edge:         lipgloss.NewStyle().Foreground(border),
		EdgeFocused:  lipgloss.NewStyle().Foreground(accent),
		Title:        lipgloss.NewStyle().Foreground(dim).Bold(true),
		TitleFocused: lipgloss.NewStyle().Foreground(accent).Bold(true),
		ColumnHeader: lipgloss.NewStyle().Foreground(dim).Underline(true),
		Row:          lipgloss.NewStyle().Foreground(fg),
		RowSelected:  lipgloss.NewStyle().Foreground(fg).Background(selectBg),
		RowCursor:    lipgloss.NewStyle().Foreground(fg).Background(selectBg).Bold(true),
		RowMarked:    lipgloss.NewStyle().Foreground(yellow),
		Dim:          lipgloss.NewStyle().Foreground(dim),
		Bold:         lipgloss.NewStyle().Foreground(fg).Bold(true),
		Key:          lipgloss.NewStyle().Foreground(dim),
		Value:        lipgloss.NewStyle().Foreground(fg),
		StatusOK:     lipgloss.NewStyle().Foreground(green),
		StatusErr:    lipgloss.NewStyle().Foreground(red),
		StatusWarn:   lipgloss.NewStyle().Foreground(yellow),
		StatusBusy:   lipgloss.NewStyle().Foreground(blue),
		Banner:       lipgloss.NewStyle().Foreground(lipgloss.Color("#ffffff")).Background(red).Bold(true),
		BannerKey:    lipgloss.NewStyle().Foreground(lipgloss.Color("#ffffff")).Background(red).Underline(true),
		Message:      lipgloss.NewStyle().Foreground(green),
		MessageErr:   lipgloss.NewStyle().Foreground(red),
		Dialog:       lipgloss.NewStyle().Border(lipgloss.DoubleBorder()).BorderForeground(accent).Padding(0, 1),
		DialogTitle:  lipgloss.NewStyle().Foreground(accent).Bold(true),
		Warning:      lipgloss.NewStyle().Foreground(yellow),
		Checkbox:     lipgloss.NewStyle().Foreground(accent),
		JSONKey:      lipgloss.NewStyle().Foreground(blue),
		JSONString:   lipgloss.NewStyle().Foreground(green),
		JSONNumber:   lipgloss.NewStyle().Foreground(yellow),
		LogPlatform:  lipgloss.NewStyle().Foreground(dim),
		Sparkline:    lipgloss.NewStyle().Foreground(accent),
		Help:         lipgloss.NewStyle().Foreground(dim),
		HelpKey:      lipgloss.NewStyle().Foreground(accent),
		HelpDesc:     lipgloss.NewStyle().Foreground(fg),
	}
	return s
}
