package python

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// Layers: python/lib/python3.X/site-packages comes before python/, both
// before the runtime's libraries.
func TestLayerSearchOrder(t *testing.T) {
	opt := t.TempDir()
	site := filepath.Join(opt, "python", "lib", "python3.12", "site-packages") // the runtime's, not the machine's
	writeFile(t, filepath.Join(site, "both.py"), "")
	writeFile(t, filepath.Join(opt, "python", "both.py"), "")
	writeFile(t, filepath.Join(opt, "python", "only_python.py"), "")
	writeFile(t, filepath.Join(opt, "python", "six.py"), "")
	f := startFunction(t, fnConfig{root: "testdata/ok", opt: opt})
	for module, want := range map[string]string{
		"both":        filepath.Join(site, "both.py"),
		"only_python": filepath.Join(opt, "python", "only_python.py"),
		"six":         filepath.Join(opt, "python", "six.py"),
	} {
		o := f.invoke(t, event{body: `{"action": "module_file", "module": "` + module + `"}`})
		if o.kind != "response" || string(o.body) != `"`+want+`"` {
			t.Errorf("import %s: %s %s, want %s", module, o.kind, o.body, want)
		}
	}
}

// A layer's .pth files extend sys.path as on Lambda; no /opt at all ("")
// leaves just the task root and the runtime before the standard library.
func TestSearchPathEdges(t *testing.T) {
	opt := t.TempDir()
	writeFile(t, filepath.Join(opt, "python", "extra.pth"), "vendored\n")
	writeFile(t, filepath.Join(opt, "python", "vendored", "from_pth.py"), "")
	f := startFunction(t, fnConfig{root: "testdata/ok", opt: opt})
	o := f.invoke(t, event{body: `{"action": "module_file", "module": "from_pth"}`})
	if want := `"` + filepath.Join(opt, "python", "vendored", "from_pth.py") + `"`; string(o.body) != want {
		t.Errorf("import via .pth: %s %s, want %s", o.kind, o.body, want)
	}

	_, runtimeDir := testRuntime(t)
	root, _ := filepath.Abs("testdata/ok")
	g := startFunction(t, fnConfig{root: root, noOpt: true})
	o = g.invoke(t, event{body: `{"action": "env"}`})
	var got struct{ Path []string }
	if json.Unmarshal(o.body, &got) != nil || len(got.Path) < 3 || got.Path[0] != root || got.Path[1] != runtimeDir ||
		strings.HasPrefix(got.Path[2], root) {
		t.Errorf("sys.path without /opt: %s", o.body)
	}
}
