package tui

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// sourceFields are a function's runtime, handler and code, as the Lambda
// console's Code tab shows them, with the folder the lab file keeps the
// code in. A built-in handler has just its name.
func (d *detailPane) sourceFields(info *functionInfo) []string {
	cfg := info.conf
	if cfg.Runtime == "" {
		return d.field("Handler", aws.ToString(cfg.Handler)+" (built-in)")
	}
	var out []string
	out = append(out, d.field("Runtime", string(cfg.Runtime))...)
	out = append(out, d.field("Handler", aws.ToString(cfg.Handler))...)
	path, ok := d.c.Src.labCode(d.function)
	if !ok {
		// Code Lambda keeps: its deployment package.
		return append(out, d.field("Code", humanSize(cfg.CodeSize)+" package")...)
	}
	out = append(out, d.field("Code", homeRelative(path))...)
	if changed, ok := lastChange(path); ok {
		return append(out, d.field("Changed", changed.Local().Format("2006-01-02 15:04:05"))...)
	}
	return append(out, d.field("Changed", "— (the code is not there)")...)
}

// layerSection is what a function's runtime said once (another Python
// version, a stand-in layer) and its layers; nothing for a built-in
// handler.
func (d *detailPane) layerSection(info *functionInfo) []string {
	if info.conf.Runtime == "" {
		return nil
	}
	st := d.c.Styles
	layers := d.heading(fmt.Sprintf("Layers (%d of 5)", len(info.conf.Layers)))
	if len(info.conf.Layers) == 0 {
		layers = append(layers, st.Dim.Render("  none (l adds one)"))
	}
	said := map[string]bool{} // what the layers' lines say already
	for i, ly := range info.conf.Layers {
		layerARN := aws.ToString(ly.Arn)
		lines, desc := d.layerLines(i+1, layerARN, info.layers[layerARN])
		layers, said[desc] = append(layers, lines...), true
	}
	var out []string
	for _, n := range d.c.State.Notices[d.function] {
		if said[n] {
			continue
		}
		if out == nil {
			out = d.heading("Runtime notes")
		}
		out = append(out, d.wrapStyled("! "+n, st.Warning, 2)...)
	}
	return append(out, layers...)
}

// layerLines describe one layer as GetLayerVersionByArn does: what it
// holds, a stand-in said to be one. desc is the description shown.
func (d *detailPane) layerLines(n int, layerARN string, ly layerInfo) (lines []string, desc string) {
	st := d.c.Styles
	out := d.wrap(fmt.Sprintf("%d %s", n, layerARN), 2)
	switch {
	case ly.err != "":
		return append(out, d.wrapStyled(ly.err, st.MessageErr, 4)...), ""
	case ly.standIn:
		return append(out, d.wrapStyled(ly.description, st.Warning, 4)...), ly.description
	case ly.description != "":
		return append(out, d.wrapStyled(ly.description, st.Dim, 4)...), ly.description
	}
	return out, ""
}

// lastChange is when the code last changed: the newest modification time
// of its files (a folder's, at most a few thousand of them) or the file's.
func lastChange(path string) (time.Time, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}, false
	}
	if !fi.IsDir() {
		return fi.ModTime(), true
	}
	var newest time.Time
	seen := 0
	filepath.WalkDir(path, func(_ string, e fs.DirEntry, err error) error {
		if err != nil || seen > 5000 {
			return fs.SkipAll
		}
		seen++
		if info, err := e.Info(); err == nil && !e.IsDir() && info.ModTime().After(newest) {
			newest = info.ModTime()
		}
		return nil
	})
	return newest, !newest.IsZero()
}

// homeRelative writes a path under the home folder with ~.
func homeRelative(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == "/" {
		return path
	}
	if rest, ok := strings.CutPrefix(path, home+string(filepath.Separator)); ok {
		return "~" + string(filepath.Separator) + rest
	}
	return path
}
