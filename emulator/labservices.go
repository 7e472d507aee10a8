package emulator

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/lambda/control"
	"github.com/lambdalab/lambdalab/emulator/store"
)

// keeper writes the services' state to the data directory as it changes.
type keeper struct {
	mu     sync.Mutex // one snapshot at a time, in change order
	logs   *store.LogWriter
	failed sync.Once
	// live is set once the log events kept earlier are back in the store:
	// from then on new ones are written.
	live atomic.Bool
}

// keepServices makes IAM and the Lambda control plane save their state on
// every change, and opens the log file.
func (l *Lab) keepServices() error {
	// Whoever changes a role (the console, the aws CLI, a scenario), the
	// console follows and the next S3 call of a function applies it.
	l.iam.SetChangeHook(func(ch iam.Change) {
		for _, role := range ch.Roles {
			l.bus.Publish(bus.RolePolicyChanged{Header: l.stamp(), Role: role})
		}
		l.saveSnapshot(store.IAMSnapshot, func() any { return l.iam.Snapshot() })
	})
	if l.data == nil {
		return nil
	}
	w, err := l.data.OpenLogs()
	if err != nil {
		return err
	}
	l.keep = &keeper{logs: w}
	l.keep.live.Store(l.data.MadeFrom() == "")
	return nil
}

// saveSnapshot keeps one service's state; a failure is said once.
func (l *Lab) saveSnapshot(name string, snap func() any) {
	if l.keep == nil {
		return
	}
	l.keep.mu.Lock()
	err := l.data.SaveSnapshot(name, snap())
	l.keep.mu.Unlock()
	if err != nil {
		l.keep.failed.Do(func() {
			l.bus.Publish(bus.TriggerWarning{Header: l.stamp(),
				Message: fmt.Sprintf("could not keep the lab's %s state in %s: %v", name, l.data.Dir(), err)})
		})
	}
}

// keepFunctions saves the control plane's functions.
func (l *Lab) keepFunctions() {
	if l.control != nil {
		l.saveSnapshot(store.LambdaSnapshot, func() any { return l.control.Snapshot() })
	}
}

// restoreServices brings IAM, the logs and the functions back from the
// data directory, then deploys the lab file's functions the directory did
// not have. It reports whether the directory held functions.
func (l *Lab) restoreServices() error {
	d := l.data
	var roles iam.Snapshot
	if ok, err := d.LoadSnapshot(store.IAMSnapshot, &roles); err != nil {
		return fmt.Errorf("data directory %s: IAM: %w", d.Dir(), err)
	} else if ok {
		if err := l.iam.Restore(roles); err != nil {
			return fmt.Errorf("data directory %s: IAM: %w", d.Dir(), err)
		}
	}
	if err := d.ReplayLogs(l.logStore); err != nil {
		return fmt.Errorf("data directory %s: logs: %w", d.Dir(), err)
	}
	l.keep.live.Store(true)
	var fns control.Snapshot
	ok, err := d.LoadSnapshot(store.LambdaSnapshot, &fns)
	if err != nil {
		return fmt.Errorf("data directory %s: functions: %w", d.Dir(), err)
	}
	if ok {
		if err := l.control.Restore(fns); err != nil {
			return fmt.Errorf("data directory %s: functions: %w", d.Dir(), err)
		}
	}
	have := map[string]bool{}
	for _, name := range l.control.Names() {
		have[name] = true
		if err := l.control.WaitReady(context.Background(), name); err != nil {
			return err
		}
	}
	for _, fn := range l.file.Functions {
		if !have[fn.Name] {
			if err := l.AddFunction(fn); err != nil {
				return err
			}
		}
	}
	return nil
}
