package tui

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

func TestMain(m *testing.M) {
	time.Local = time.UTC // the UI shows local times; goldens need one zone
	os.Exit(m.Run())
}

// harness drives a Model as Bubble Tea would, but synchronously: it runs
// the commands Update returns and feeds the lab's bus events in.
type harness struct {
	t   *testing.T
	m   *Model
	lab *labtest.Lab
	fed int // bus events already fed in
}

var testStart = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)

// commandCap is how long a command may take before the test gives up on
// it: a guard against a command that never returns, not a measure (a
// scenario step runs dozens of invocations, slowly under -race on a busy
// machine).
const commandCap = 5 * time.Minute

func newHarness(t *testing.T, labYAML string, w, h int) *harness {
	t.Helper()
	lab := labtest.Start(t, labYAML, emulator.WithClock(clock.NewVirtual(testStart)), emulator.WithSeed(1))
	m := New(NewSource(lab.Lab, "http://127.0.0.1:4566"), nil)
	hs := &harness{t: t, m: m, lab: lab}
	hs.send(tea.ColorProfileMsg{Profile: colorprofile.TrueColor})
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(m.Init())
	hs.settle()
	return hs
}

// send delivers a message and runs what it returns.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

// run executes a command and delivers its messages, batches included.
func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(commandCap):
		h.t.Fatal("a command did not finish")
	}
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	default:
		h.send(msg)
	}
}

// keys presses keys: names such as "enter", "tab", "ctrl+s", or single
// characters.
func (h *harness) keys(names ...string) {
	h.t.Helper()
	for _, n := range names {
		h.send(keyPress(n))
	}
}

func keyPress(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "space":
		return tea.KeyPressMsg{Code: ' ', Text: " "}
	case "ctrl+s":
		return tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

// typeText types a string character by character.
func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		if r == ' ' {
			h.keys("space")
			continue
		}
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// settle lets the lab finish its work (on the virtual clock) and feeds every
// bus event published meanwhile into the model.
func (h *harness) settle() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandCap)
	defer cancel()
	if err := h.lab.Lab.WaitIdle(ctx); err != nil {
		h.t.Fatal(err)
	}
	for _, ev := range h.lab.Events.All()[h.fed:] {
		h.send(busMsg{ev})
	}
	h.fed = len(h.lab.Events.All())
}

// screen is the UI as text, without colour.
func (h *harness) screen() string { return ansi.Strip(h.m.render()) }

func (h *harness) mustSee(want ...string) {
	h.t.Helper()
	s := h.screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			h.t.Fatalf("the screen lacks %q:\n%s", w, s)
		}
	}
}

// functionConfiguration reads a function's configuration through the
// Lambda API, as the aws CLI would.
func functionConfiguration(t *testing.T, c emulator.Clients, function string) *lambdasdk.GetFunctionConfigurationOutput {
	t.Helper()
	out, err := c.Lambda.GetFunctionConfiguration(context.Background(), &lambdasdk.GetFunctionConfigurationInput{FunctionName: aws.String(function)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// putRolePolicy replaces the inline policy of a function's execution role
// through IAM, as `aws iam put-role-policy` would.
func putRolePolicy(t *testing.T, c emulator.Clients, function, doc string) {
	t.Helper()
	role, err := arn.ParseRole(aws.ToString(functionConfiguration(t, c, function).Role))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.IAM.PutRolePolicy(context.Background(), &iamsdk.PutRolePolicyInput{RoleName: aws.String(role.Name),
		PolicyName: aws.String(emulator.LabFilePolicyName), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
}
