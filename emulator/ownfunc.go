package emulator

import (
	"maps"
	"path/filepath"
	"slices"

	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
)

// standIns are the public layers a lab runs with a stand-in built from
// this machine, as it cannot download them offline.
var standIns = map[string]layers.StandIn{KlayersPillow: pillowStandIn}

// LayerRegistry opens the layer registry labs use, under cacheDir (""
// means DefaultCacheDir), with the stand-ins a lab resolves public layer
// ARNs to: what `lambdalab layer` publishes into and lists. Published ARNs
// name region.
func LayerRegistry(cacheDir, region string) (*layers.Registry, error) {
	if cacheDir == "" {
		cacheDir = labfile.DefaultCacheDir()
	}
	r, err := layers.Open(filepath.Join(cacheDir, "layers"), region, labfile.DefaultAccount)
	if err != nil {
		return nil, err
	}
	for a, build := range standIns {
		r.AddStandIn(a, build)
	}
	return r, nil
}

// StandIns lists the public layer ARNs that resolve to stand-ins built
// from this machine.
func StandIns() []string { return slices.Sorted(maps.Keys(standIns)) }

// FunctionSource is where a function of its own code comes from, as the
// console shows it: its runtime and handler, the code's location, and its
// layers as the lab file names them (paths resolved, ARNs as written).
type FunctionSource struct {
	Runtime, Handler string
	// Code is the code's path, resolved against the lab file's folder.
	Code   string
	Layers []string
}

// Source tells where function's code comes from; ok is false for a
// function the lab does not have. A built-in handler's has no Runtime.
func (l *Lab) Source(function string) (src FunctionSource, ok bool) {
	l.fileMu.RLock()
	defer l.fileMu.RUnlock()
	for _, fn := range l.file.Functions {
		if fn.Name != function {
			continue
		}
		src = FunctionSource{Runtime: fn.Runtime, Handler: fn.Handler, Code: l.file.CodePath(fn.Code)}
		for _, ly := range fn.Layers {
			src.Layers = append(src.Layers, l.file.CodePath(ly))
		}
		return src, true
	}
	return FunctionSource{}, false
}
