package labs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
)

// programLayers are the layer zips shipped labs name that are built from a
// program of this machine, by lab: zip → program. They cannot ship inside
// lambdalab (ffmpeg with its libraries is over 100 MB, and must suit the
// machine), so they are built the first time the lab is used, as
// `lambdalab layer build PROGRAM --from-machine` builds them.
var programLayers = map[string]map[string]string{
	"transcode": {"ffmpeg.zip": "ffmpeg"},
}

// LayerRef is a layer a lab file's function names by path.
type LayerRef struct {
	Function string
	Ref      string // as the lab file writes it
	Path     string // resolved against the lab file's folder
}

// PrepareLayers makes sure the layers a lab names by path are there before
// the lab deploys its functions. lab and dir are the lab's Name and Dir. A
// shipped lab's zip made from a program of this machine is built when
// missing (the lab must run as shipped, and the build is the same every
// time), and the report says what was built; any other missing layer is an
// error naming the command that builds one.
func PrepareLayers(lab, dir string, refs []LayerRef) (report string, err error) {
	var b strings.Builder
	for _, r := range refs {
		if _, err := os.Stat(r.Path); !errors.Is(err, fs.ErrNotExist) {
			continue // there, or a problem deploying will name
		}
		program, ok := shippedProgram(lab, dir, r.Ref)
		if !ok {
			return b.String(), missingLayer(r)
		}
		rep, err := layers.BuildProgram(program, r.Path)
		if err != nil {
			return b.String(), fmt.Errorf("lab %s: layer %s: %w", lab, r.Ref, err)
		}
		fmt.Fprintf(&b, "lab %s: built its layer %s from this machine's %s, once: %s (lambdalab layer build %s --from-machine does the same for your own labs)\n",
			lab, r.Ref, program, rep.Summary(), program)
	}
	return b.String(), nil
}

// shippedProgram tells which program builds ref, when lab is a shipped lab
// as LoadLab extracts it (its code folder, dir/NAME, beside the lab's
// paths) and ref one of its program layers.
func shippedProgram(lab, dir, ref string) (string, bool) {
	program, ok := programLayers[lab][filepath.Clean(ref)]
	if !ok || dir == "" {
		return "", false
	}
	if fi, err := os.Stat(filepath.Join(dir, lab)); err != nil || !fi.IsDir() {
		return "", false
	}
	return program, true
}

// missingLayer says which command makes the layer a lab file names.
func missingLayer(r LayerRef) error {
	name := strings.TrimSuffix(filepath.Base(r.Path), ".zip")
	return fmt.Errorf("function %s: layer %s: there is no %s; build it first: lambdalab layer build %s --from-machine --out %s (a program of this machine, such as ffmpeg), or lambdalab layer build %s --python PKG --out %s (Python packages)",
		r.Function, r.Ref, r.Path, name, r.Path, name, r.Path)
}
