package python

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A site directory of made-up distributions exercises what Debian's (whose
// metadata lists no dependencies) cannot: the dependency walk, RECORD and
// top_level.txt, markers and extras.
func TestMachineCopyClosure(t *testing.T) {
	site := t.TempDir()
	w := func(rel, content string) { writeFile(t, filepath.Join(site, rel), content) }
	w("App-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: App\nVersion: 1.0\n"+
		"Requires-Dist: lib-a (>=1)\nRequires-Dist: lib_b\nRequires-Dist: lib-c ; extra == \"x\"\n"+
		"Requires-Dist: old-backport ; python_version < \"3\"\nRequires-Dist: missing-dep\n\nRequires-Dist: in-the-body\n")
	w("App-1.0.dist-info/RECORD", "app.py,sha256=x,1\nApp-1.0.dist-info/METADATA,,\nApp-1.0.dist-info/RECORD,,\n../../bin/app,,\n__pycache__/app.cpython-311.pyc,,\n")
	w("app.py", "")
	w("__pycache__/app.cpython-311.pyc", "")
	w("lib_a-2.0.dist-info/METADATA", "Name: lib-a\nVersion: 2.0\nRequires-Dist: App\n")
	w("lib_a-2.0.dist-info/RECORD", "lib_a/__init__.py,,\n\"lib_a/with,comma.py\",,\n")
	w("lib_a/__init__.py", "")
	w("lib_a/with,comma.py", "")
	w("lib_b-3.1.egg-info/PKG-INFO", "Metadata-Version: 1.1\nName: lib_b\nVersion: 3.1\n")
	w("lib_b-3.1.egg-info/top_level.txt", "lib_b\n")
	w("lib_b-3.1.egg-info/requires.txt", "\n[socks]\nPySocks\n")
	w("lib_b.py", "")
	w("lib_b.cpython-311-x86_64-linux-gnu.so", "")
	w("lib_b_other.py", "") // another module, not lib_b's
	w("lib_c-1.0.dist-info/METADATA", "Name: lib-c\nVersion: 1.0\n")

	c := &machineCopy{sites: []string{site}, seen: map[string]bool{}, queue: []wanted{{req: "app==2.0", top: true}}}
	for len(c.queue) > 0 {
		next := c.queue[0]
		c.queue = c.queue[1:]
		if err := c.add(next); err != nil {
			t.Fatal(err)
		}
	}
	var pkgs []string
	for _, p := range c.pkgs {
		pkgs = append(pkgs, p.Name+" "+p.Version)
	}
	if got := strings.Join(pkgs, ", "); got != "App 1.0, lib-a 2.0, lib_b 3.1" {
		t.Errorf("packages %s", got)
	}
	var names []string
	for _, e := range c.entries {
		names = append(names, e.name)
	}
	sort.Strings(names)
	want := []string{
		"python/App-1.0.dist-info/METADATA", "python/App-1.0.dist-info/RECORD", "python/app.py",
		"python/lib_a/__init__.py", "python/lib_a/with,comma.py",
		"python/lib_b-3.1.egg-info/PKG-INFO", "python/lib_b-3.1.egg-info/requires.txt", "python/lib_b-3.1.egg-info/top_level.txt",
		"python/lib_b.cpython-311-x86_64-linux-gnu.so", "python/lib_b.py",
	}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	wantNotes := []string{"asked for app==2.0; this machine has 1.0", "dependency missing-dep is not on this machine; left out"}
	if strings.Join(c.notes, "|") != strings.Join(wantNotes, "|") {
		t.Errorf("notes %q, want %q", c.notes, wantNotes)
	}
}
