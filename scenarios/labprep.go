package scenarios

import (
	"strings"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labs"
)

// prepareLayers makes sure the layer zips a scenario's lab names by path
// are there before the lab deploys: a shipped lab's (transcode's
// ffmpeg.zip) is built from this machine the first time. What was built is
// not part of the transcript, which must be the same on the first run and
// the next.
func prepareLayers(f *emulator.File) error {
	var refs []labs.LayerRef
	for _, fn := range f.Functions {
		for _, l := range fn.Layers {
			if !strings.HasPrefix(l, "arn:") {
				refs = append(refs, labs.LayerRef{Function: fn.Name, Ref: l, Path: f.CodePath(l)})
			}
		}
	}
	_, err := labs.PrepareLayers(f.Name, f.Dir, refs)
	return err
}
