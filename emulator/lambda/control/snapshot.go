package control

import (
	"fmt"
	"os"
	"slices"
)

// Snapshot is everything the control plane keeps, in a JSON-serialisable
// form, for `lambdalab --data`. Deployment packages stay in CodeDir and
// layers in the registry: a snapshot names them.
type Snapshot struct {
	Version   int                `json:"version"`
	Functions []FunctionSnapshot `json:"functions"`
}

// FunctionSnapshot is one function of a Snapshot.
type FunctionSnapshot struct {
	Configuration     FunctionConfiguration      `json:"configuration"`
	Code              StoredCode                 `json:"code"`
	Policy            []Statement                `json:"policy,omitempty"`
	EventInvokeConfig *FunctionEventInvokeConfig `json:"eventInvokeConfig,omitempty"`
	RecursiveLoop     string                     `json:"recursiveLoop"`
	Reserved          *int                       `json:"reservedConcurrentExecutions,omitempty"`
}

const snapshotVersion = 1

// Snapshot copies the control plane's state. A function whose code is
// still being prepared is kept as it was asked for.
func (c *Control) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := Snapshot{Version: snapshotVersion, Functions: []FunctionSnapshot{}}
	for _, name := range c.sortedNames() {
		f := c.functions[name]
		fs := FunctionSnapshot{Configuration: f.view(), Code: f.code, Policy: slices.Clone(f.policy),
			RecursiveLoop: f.recursion, Reserved: f.reserved}
		if f.invoke != nil {
			ic := *f.invoke
			fs.EventInvokeConfig = &ic
		}
		out.Functions = append(out.Functions, fs)
	}
	return out
}

// Restore brings back the functions of a snapshot into an empty control
// plane: each is Pending again while its code (kept in CodeDir, or its
// folder) and layers are prepared, then Active. A function whose package
// is gone is refused, and nothing is restored.
func (c *Control) Restore(s Snapshot) error {
	if s.Version != snapshotVersion {
		return fmt.Errorf("lambda snapshot version %d: this lambdalab reads version %d", s.Version, snapshotVersion)
	}
	fs := make([]*function, 0, len(s.Functions))
	for _, x := range s.Functions {
		f, err := c.restored(x)
		if err != nil {
			return fmt.Errorf("restore function %s: %w", x.Configuration.FunctionName, err)
		}
		fs = append(fs, f)
	}
	c.mu.Lock()
	if len(c.functions) > 0 {
		c.mu.Unlock()
		return fmt.Errorf("restore: the lab already has functions")
	}
	var starts []func()
	for _, f := range fs {
		c.functions[f.conf.FunctionName] = f
		starts = append(starts, c.begin(f, true))
	}
	c.mu.Unlock()
	for _, start := range starts {
		start()
	}
	return nil
}

// restored rebuilds one function's record from its snapshot.
func (c *Control) restored(x FunctionSnapshot) (*function, error) {
	f := &function{conf: x.Configuration, code: x.Code, policy: slices.Clone(x.Policy),
		recursion: x.RecursiveLoop, reserved: x.Reserved}
	if x.EventInvokeConfig != nil {
		ic := *x.EventInvokeConfig
		f.invoke = &ic
	}
	if f.code.Kind == codeZip || f.code.Kind == codeFolder {
		if _, err := os.Stat(f.code.Path); err != nil {
			return nil, fmt.Errorf("its code: %w", err)
		}
	}
	var arns []string
	for _, l := range f.conf.Layers {
		arns = append(arns, l.Arn)
	}
	vs, err := c.resolveLayers(arns)
	if err != nil {
		return nil, err
	}
	f.setLayers(vs)
	f.conf.State, f.conf.StateReason, f.conf.StateReasonCode = StatePending, reasonBeingMade, reasonCreating
	f.conf.LastUpdateStatus, f.conf.LastUpdateStatusReason, f.conf.LastUpdateStatusReasonCode = "", "", ""
	return f, nil
}
