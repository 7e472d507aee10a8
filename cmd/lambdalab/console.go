package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/store"
	"github.com/lambdalab/lambdalab/scenarios"
	"github.com/lambdalab/lambdalab/tui"
)

// runConsole opens the terminal console on the lab, serving S3 alongside.
func runConsole(ctx context.Context, errOut io.Writer, o serveOptions) error {
	if !tui.IsTerminal() {
		return usageError("no terminal to draw the console on; use `lambdalab serve` for a headless lab")
	}
	if o.scenario != "" {
		return playScenario(ctx, errOut, o)
	}
	lab, sub, endpoint, err := startLab(o, errOut)
	if err != nil {
		return err
	}
	defer lab.Close()
	inbox := tui.NewInbox()
	go tui.Forward(sub, inbox)
	return tui.Run(ctx, lab, sub, inbox, endpoint)
}

// startLab builds the lab of the options, subscribes to its bus before it
// is built, and serves S3.
func startLab(o serveOptions, errOut io.Writer) (*emulator.Lab, *bus.Subscription, string, error) {
	if err := checkAddr(o.addr, o.allowRemote, errOut); err != nil {
		return nil, nil, "", err
	}
	file, err := loadLab(o.labFile)
	if err == nil {
		err = prepareLayers(file, errOut)
	}
	if err != nil {
		return nil, nil, "", err
	}
	clk, err := labClock(o.timeScale)
	if err != nil {
		return nil, nil, "", err
	}
	if o.idleTimeout <= 0 {
		return nil, nil, "", usageError("--idle-timeout %v: want a positive duration such as 10m", o.idleTimeout)
	}
	events := bus.New()
	sub := events.Subscribe()
	opts := []emulator.Option{emulator.WithClock(clk), emulator.WithIdleTimeout(o.idleTimeout), emulator.WithBus(events)}
	if o.verifySigs {
		opts = append(opts, emulator.WithSignatureVerification())
	}
	if exe, err := os.Executable(); err == nil && !o.inProcess {
		// Built-ins run as Lambda runs code: a process per environment,
		// killed at its timeout or memory size.
		opts = append(opts, emulator.WithBuiltinProcesses(exe, bootstrapArg))
	}
	if o.dataDir != "" {
		data, err := store.OpenData(o.dataDir)
		if err != nil {
			return nil, nil, "", &exitError{code: 2, err: err}
		}
		opts = append(opts, emulator.WithData(data))
	}
	lab, err := emulator.New(file, opts...)
	if err != nil {
		return nil, nil, "", &exitError{code: 2, err: err}
	}
	endpoint, err := lab.Serve(o.addr)
	if err != nil {
		lab.Close()
		var inUse *emulator.AddrInUseError
		if errors.As(err, &inUse) {
			_, port, _ := net.SplitHostPort(o.addr)
			return nil, nil, "", usageError("port %s is already in use (%s); pick another with --addr, e.g. --addr 127.0.0.1:%s", port, o.addr, nextPort(port))
		}
		return nil, nil, "", &exitError{code: 2, err: err}
	}
	return lab, sub, endpoint, nil
}

// playScenario opens the console on a scenario's lab, to play it step by
// step; S3 is served alongside as usual.
func playScenario(ctx context.Context, errOut io.Writer, o serveOptions) error {
	if err := checkAddr(o.addr, o.allowRemote, errOut); err != nil {
		return err
	}
	sc, _, err := scenarios.Find(o.scenario)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	r, err := scenarios.Start(ctx, sc)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	defer r.Close()
	endpoint, err := r.Lab().Serve(o.addr)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("cannot listen on %s: %w", o.addr, err)}
	}
	sub := r.Bus().Subscribe()
	defer sub.Close()
	inbox := tui.NewInbox()
	go tui.Forward(sub, inbox)
	return tui.PlayScenario(ctx, r, sc, inbox, endpoint)
}
