package tui

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// sourceFields are a function's runtime, handler and code, as the Lambda
// console's Code tab shows them. A built-in handler has just its name.
func (d *detailPane) sourceFields(cfgHandler string) []string {
	src, ok := d.c.Src.Lab.Source(d.function)
	if !ok || src.Runtime == "" {
		return d.field("Handler", cfgHandler+" (built-in)")
	}
	var out []string
	out = append(out, d.field("Runtime", src.Runtime)...)
	if src.Handler != "" {
		out = append(out, d.field("Handler", src.Handler)...)
	}
	out = append(out, d.field("Code", homeRelative(src.Code))...)
	if changed, ok := lastChange(src.Code); ok {
		out = append(out, d.field("Changed", changed.Local().Format("2006-01-02 15:04:05"))...)
	} else {
		out = append(out, d.field("Changed", "— (the code is not there)")...)
	}
	return out
}

// layerSection is what a function's runtime said once (another Python
// version, a stand-in layer) and its layers; nothing for a built-in
// handler.
func (d *detailPane) layerSection() []string {
	src, ok := d.c.Src.Lab.Source(d.function)
	if !ok || src.Runtime == "" {
		return nil
	}
	st := d.c.Styles
	layers := d.heading(fmt.Sprintf("Layers (%d of 5)", len(src.Layers)))
	if len(src.Layers) == 0 {
		layers = append(layers, st.Dim.Render("  none (l adds one)"))
	}
	said := map[string]bool{} // what the layers' lines say already
	for i, ly := range src.Layers {
		lines, desc := d.layerLines(i+1, ly)
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

// layerLines describe one layer: a path as it is, an ARN with what the
// registry holds for it, a stand-in said to be one. desc is the
// description shown.
func (d *detailPane) layerLines(n int, layer string) (lines []string, desc string) {
	st := d.c.Styles
	out := d.wrap(fmt.Sprintf("%d %s", n, homeRelative(layer)), 2)
	if !strings.HasPrefix(layer, "arn:") {
		return out, ""
	}
	reg, err := d.c.Src.Lab.Layers()
	if err != nil {
		return append(out, d.wrapStyled(err.Error(), st.MessageErr, 4)...), ""
	}
	v, err := reg.Resolve(layer)
	switch {
	case err != nil:
		return append(out, d.wrapStyled(errorText(err), st.MessageErr, 4)...), ""
	case v.StandInFor != "":
		return append(out, d.wrapStyled(v.Description, st.Warning, 4)...), v.Description
	case v.Description != "":
		return append(out, d.wrapStyled(v.Description, st.Dim, 4)...), v.Description
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
