package emulator

import (
	"maps"
	"path/filepath"
	"slices"

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
		cacheDir = DefaultCacheDir()
	}
	r, err := layers.Open(filepath.Join(cacheDir, "layers"), region, DefaultAccount)
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
