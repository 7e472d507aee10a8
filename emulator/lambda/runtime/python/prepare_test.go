package python

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestFind(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // a user's PATH has no say
	dirs := filepath.SplitList(SafePath)
	machine := lookIn(dirs, "python3")
	if machine == "" {
		t.Fatal("the Python tests need python3 (sudo apt-get install python3)")
	}
	version, err := probeVersion(machine)
	if err != nil {
		t.Fatal(err)
	}
	mm := majorMinor(version)

	in, err := Find("python" + mm)
	if err != nil || in.Version != version || in.Notice != "" || !contains(dirs, filepath.Dir(in.Path)) {
		t.Errorf("Find(python%s) = %+v, %v; want Python %s from %s", mm, in, err, version, SafePath)
	}
	// A runtime this machine lacks runs on its python3, with a notice.
	for minor := 9; minor <= 14; minor++ {
		rt := "python3." + itoa(minor)
		if "3."+itoa(minor) == mm || lookIn(dirs, rt) != "" {
			continue
		}
		in, err := Find(rt)
		want := rt + " requested; this machine runs Python " + version
		if err != nil || in.Path != machine || in.Notice != want {
			t.Errorf("Find(%s) = %+v, %v; want %s with notice %q", rt, in, err, machine, want)
		}
		break
	}
	for _, bad := range []string{"nodejs20.x", "python2.7", "python3", "python3.x"} {
		if _, err := Find(bad); err == nil || !strings.Contains(err.Error(), "is not a Python runtime (python3.X)") {
			t.Errorf("Find(%q) = %v", bad, err)
		}
	}
	empty := t.TempDir()
	_, err = find("python3.12", []string{empty})
	if want := "python3.12 requested, but there is no python3 in " + empty + ": install Python 3 (Debian/Ubuntu: sudo apt-get install python3"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("no python: %v", err)
	}
}

func TestPrepare(t *testing.T) {
	requireModule(t, "boto3", "python3-boto3")
	requireModule(t, "PIL", "python3-pil")
	in, _ := testRuntime(t)
	cache := t.TempDir()
	dir, err := Prepare(cache, in)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := Prepare(cache, in); err != nil || again != dir {
		t.Errorf("Prepare again = %q, %v; want %q", again, err, dir)
	}
	for _, f := range []string{"bootstrap.py", "lambdalab_runtime/loop.py", "lambdalab_runtime/__init__.py"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("runtime dir lacks %s", f)
		}
	}
	sites, _ := sitePackages(in)
	for _, mod := range []string{"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3"} {
		target, err := os.Readlink(filepath.Join(dir, mod))
		if err != nil || target != findModule(sites, mod) {
			t.Errorf("%s → %q (%v), want the machine's %s", mod, target, err, findModule(sites, mod))
		}
	}
	// Only the runtime's libraries: the machine's PIL and pip stay out.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, "PIL") || strings.HasPrefix(strings.ToLower(name), "pillow") || strings.HasPrefix(name, "pip") {
			t.Errorf("runtime dir exposes %s", name)
		}
	}
	if hint := Boto3Hint(dir); hint != "" {
		t.Errorf("Boto3Hint = %q with boto3 present", hint)
	}
}

// Concurrent preparations of the same directory all succeed and leave one
// complete directory.
func TestPrepareConcurrent(t *testing.T) {
	in, _ := testRuntime(t)
	sites, _ := sitePackages(in)
	links := findLibraries(sites)
	dir := filepath.Join(t.TempDir(), "python-runtime", contentKey(in, links))
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = build(dir, links, in)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("build %d: %v", i, err)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("left %d entries beside the runtime dir", len(entries))
	}
	if _, err := os.Stat(filepath.Join(dir, "lambdalab_runtime", "api.py")); err != nil {
		t.Error(err)
	}
}

// Without boto3 on the machine the runtime still starts; the function's
// import fails as it would on a runtime without the SDK, and Boto3Hint says
// what to install.
func TestWithoutBoto3(t *testing.T) {
	// A python whose site-packages hold nothing: it answers the one
	// question Prepare asks with an empty list.
	fake := filepath.Join(t.TempDir(), "python3")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho '[]'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := Prepare(t.TempDir(), Interpreter{Path: fake, Version: "3.11.0"})
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("runtime dir has %d entries, want bootstrap.py and lambdalab_runtime", len(entries))
	}
	if hint := Boto3Hint(dir); !strings.Contains(hint, "sudo apt-get install python3-boto3") {
		t.Errorf("Boto3Hint = %q", hint)
	}
	f := startFunction(t, fnConfig{root: "testdata/boto", runtimeDir: dir})
	rec := decodeError(t, f.wait(t))
	if rec.ErrorType != "Runtime.ImportModuleError" || rec.ErrorMessage != "Unable to import module 'lambda_function': No module named 'boto3'" {
		t.Errorf("%+v", rec)
	}
}

func TestCommand(t *testing.T) {
	in := Interpreter{Path: "/usr/bin/python3.12", Version: "3.12.1"}
	got := strings.Join(Command(in, "/cache/rt", "/env/opt"), " ")
	if want := "/usr/bin/python3.12 -I -S -B /cache/rt/bootstrap.py /env/opt"; got != want {
		t.Errorf("Command = %q, want %q", got, want)
	}
}
