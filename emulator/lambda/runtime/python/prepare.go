package python

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// client is lambdalab's own Python runtime client (bootstrap.py and the
// lambdalab_runtime package); all: because __init__.py starts with '_'.
//
//go:embed all:client
var client embed.FS

// library is one top-level module of the runtime's own libraries and the
// distribution whose metadata goes with it; unless names a module that,
// when present, makes this one unnecessary.
type library struct{ module, dist, unless string }

// runtimeLibraries is what Lambda's Python runtime has besides the standard
// library: the AWS SDK and its dependencies.
var runtimeLibraries = []library{
	{"boto3", "boto3", ""},
	{"botocore", "botocore", ""},
	{"s3transfer", "s3transfer", ""},
	{"jmespath", "jmespath", ""},
	{"dateutil", "python_dateutil", ""},
	{"urllib3", "urllib3", ""},
	{"six", "six", ""},
}

// requestsLibraries are exposed only where the machine's botocore imports
// requests (Debian unvendors it); Lambda's botocore does not, so elsewhere
// `import requests` fails as it does on AWS.
var requestsLibraries = []library{
	{"requests", "requests", ""},
	{"idna", "idna", ""},
	{"charset_normalizer", "charset_normalizer", ""},
	// requests imports every detector it finds; one is enough, and chardet
	// is the slower to import.
	{"chardet", "chardet", "charset_normalizer"},
	{"certifi", "certifi", ""},
}

// Command is the argv that starts one execution environment: -I ignores
// PYTHON* variables and the user's site-packages, -S the host's
// site-packages and their .pth files, -B keeps the task root free of
// __pycache__; bootstrap.py then builds sys.path itself.
func Command(in Interpreter, runtimeDir, optDir string) []string {
	return []string{in.Path, "-I", "-S", "-B", filepath.Join(runtimeDir, "bootstrap.py"), optDir}
}

var (
	prepared   = map[string]string{} // cacheDir + interpreter → runtime dir
	preparedMu sync.Mutex
)

// Prepare writes the runtime directory (LAMBDA_RUNTIME_DIR) for an
// interpreter under cacheDir and returns its path: the embedded runtime
// client, and links to the machine's boto3 and the libraries it needs, and
// to nothing else. The directory is named by its contents, so a new
// lambdalab or a newly installed boto3 gets a new one; preparing again
// returns the existing one, and concurrent calls (in this or other
// processes) agree on it.
func Prepare(cacheDir string, in Interpreter) (string, error) {
	memo := cacheDir + "\x00" + in.Path + "\x00" + in.Version
	preparedMu.Lock()
	defer preparedMu.Unlock()
	if dir, ok := prepared[memo]; ok {
		if _, err := os.Stat(filepath.Join(dir, "bootstrap.py")); err == nil {
			return dir, nil
		}
	}
	sites, err := sitePackages(in)
	if err != nil {
		return "", fmt.Errorf("prepare python runtime: %w", err)
	}
	links := findLibraries(sites)
	dir := filepath.Join(cacheDir, "python-runtime", contentKey(in, links))
	if _, err := os.Stat(dir); err != nil {
		if err := build(dir, links, in); err != nil {
			return "", fmt.Errorf("prepare python runtime: %w", err)
		}
	}
	prepared[memo] = dir
	return dir, nil
}

// Boto3Hint says how to give functions boto3 when the machine's Python has
// none ("" when runtimeDir has it): without it, a function's `import boto3`
// fails with Runtime.ImportModuleError as on a runtime without the SDK.
func Boto3Hint(runtimeDir string) string {
	if _, err := os.Lstat(filepath.Join(runtimeDir, "boto3")); err == nil {
		return ""
	}
	return "this machine's Python has no boto3, so functions that import it fail with Runtime.ImportModuleError; " +
		"install it (Debian/Ubuntu: sudo apt-get install python3-boto3) and start lambdalab again"
}

// sitePackages lists the interpreter's site directories, in its order.
func sitePackages(in Interpreter) ([]string, error) {
	out, err := runPython(in.Path, "-c", "import json, site; print(json.dumps(site.getsitepackages()))")
	if err != nil {
		return nil, fmt.Errorf("list %s's site-packages: %w", in.Path, err)
	}
	var dirs []string
	if err := json.Unmarshal(out, &dirs); err != nil {
		return nil, fmt.Errorf("list %s's site-packages: %w", in.Path, err)
	}
	return dirs, nil
}

// link is one entry of the runtime directory pointing into site-packages.
type link struct{ Name, Target string }

// findLibraries locates the runtime's libraries (package or module, plus
// metadata) in the site directories; what is missing is simply left out.
func findLibraries(sites []string) []link {
	libs := runtimeLibraries
	var links []link
	for i := 0; i < len(libs); i++ {
		lib := libs[i]
		target := findModule(sites, lib.module)
		if target == "" || (lib.unless != "" && findModule(sites, lib.unless) != "") {
			continue
		}
		links = append(links, link{filepath.Base(target), target})
		if meta := findMetadata(filepath.Dir(target), lib.dist); meta != "" {
			links = append(links, link{filepath.Base(meta), meta})
		}
		if lib.module == "botocore" && importsRequests(target) {
			libs = append(libs[:len(libs):len(libs)], requestsLibraries...)
		}
	}
	return links
}

func findModule(sites []string, module string) string {
	for _, site := range sites {
		for _, p := range []string{filepath.Join(site, module), filepath.Join(site, module+".py")} {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	return ""
}

// findMetadata finds a distribution's .dist-info or .egg-info directory,
// matching names the way packaging normalises them.
func findMetadata(site, dist string) string {
	entries, err := os.ReadDir(site)
	if err != nil {
		return ""
	}
	want := normalizeDist(dist)
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		if ext != ".dist-info" && ext != ".egg-info" {
			continue
		}
		base, _, _ := strings.Cut(strings.TrimSuffix(name, ext), "-")
		if normalizeDist(base) == want {
			return filepath.Join(site, name)
		}
	}
	return ""
}

func normalizeDist(s string) string {
	return strings.NewReplacer("-", "_", ".", "_").Replace(strings.ToLower(s))
}

func importsRequests(botocoreDir string) bool {
	b, err := os.ReadFile(filepath.Join(botocoreDir, "exceptions.py"))
	return err == nil && strings.Contains(string(b), "\nimport requests")
}

// contentKey names a runtime directory by everything that goes into it.
func contentKey(in Interpreter, links []link) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", in.Path, in.Version)
	for _, l := range links {
		fmt.Fprintf(h, "link %s %s\x00", l.Name, l.Target)
	}
	_ = fs.WalkDir(client, "client", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := client.ReadFile(p)
		fmt.Fprintf(h, "file %s %d\x00", p, len(b))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// build writes the runtime directory next to its final place and renames it
// there, so that a directory under its final name is always complete.
func build(dir string, links []link, in Interpreter) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".build-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := writeClient(tmp); err != nil {
		return err
	}
	// Bytecode for our client, compiled once here: the runtime starts
	// with -B (it never writes .pyc into a function's folders) but reads
	// what is there, so a cold start does not compile the client again.
	// Tracebacks name the final directory, not this temporary one.
	if _, err := runPython(in.Path, "-m", "compileall", "-q", "-d", dir, tmp); err != nil {
		return fmt.Errorf("compile the runtime client: %w", err)
	}
	for _, l := range links {
		if err := os.Symlink(l.Target, filepath.Join(tmp, l.Name)); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another caller finished first: its directory has the same contents.
		if _, statErr := os.Stat(filepath.Join(dir, "bootstrap.py")); statErr == nil {
			return nil
		}
		return err
	}
	return nil
}

func writeClient(dst string) error {
	return fs.WalkDir(client, "client", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == "__pycache__" {
			return fs.SkipDir
		}
		rel, _ := filepath.Rel("client", filepath.FromSlash(p))
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := client.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
