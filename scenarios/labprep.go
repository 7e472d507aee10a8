package scenarios

import "github.com/lambdalab/lambdalab/emulator/labfile"

// prepareLayers makes sure the layer zips a scenario's lab names by path
// are there before the lab deploys: a shipped lab's (transcode's
// ffmpeg.zip) is built from this machine the first time. What was built is
// not part of the transcript, which must be the same on the first run and
// the next.
func prepareLayers(f *labfile.File) error {
	_, err := f.PrepareLayers()
	return err
}
