package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/labfile"
)

// prepareLayers makes sure the layer zips f names by path are there before
// the lab deploys: a shipped lab's (transcode's ffmpeg.zip) is built from
// this machine the first time, and says so on w; another lab's missing zip
// is an error naming the command that builds it.
func prepareLayers(f *labfile.File, w io.Writer) error {
	report, err := f.PrepareLayers()
	for _, line := range strings.SplitAfter(report, "\n") {
		if line != "" {
			fmt.Fprint(w, "lambdalab: "+line)
		}
	}
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	return nil
}
