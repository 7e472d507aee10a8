package python

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// errorRecord is the JSON body of an error POST.
type errorRecord struct {
	ErrorMessage string   `json:"errorMessage"`
	ErrorType    string   `json:"errorType"`
	RequestID    *string  `json:"requestId"`
	StackTrace   []string `json:"stackTrace"`
}

func decodeError(t *testing.T, o outcome) errorRecord {
	t.Helper()
	var rec errorRecord
	if err := json.Unmarshal(o.body, &rec); err != nil {
		t.Fatalf("error body %q: %v", o.body, err)
	}
	if rec.StackTrace == nil || rec.RequestID == nil {
		t.Fatalf("error body %s lacks stackTrace or requestId", o.body)
	}
	return rec
}

// warningLine is awslambdaric's LAMBDA_WARNING before an init error's record.
var warningLine = regexp.MustCompile(`^\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t\tLAMBDA_WARNING: Unhandled exception\. The most likely cause is an issue in the function code\. .*runtimes-update\.html\r$`)

func TestInitErrors(t *testing.T) {
	root := func(dir string) string { p, _ := filepath.Abs(filepath.Join("testdata", dir)); return p }
	cases := []struct {
		name, dir, handler string
		errorType, message string
		trace              []string
	}{
		{
			name: "import failure", dir: "importpil",
			errorType: "Runtime.ImportModuleError",
			message:   "Unable to import module 'lambda_function': No module named 'PIL'",
			trace:     []string{},
		},
		{
			name: "no such module", dir: "ok", handler: "missing.lambda_handler",
			errorType: "Runtime.ImportModuleError",
			message:   "Unable to import module 'missing': No module named 'missing'",
			trace:     []string{},
		},
		{
			name: "syntax error", dir: "syntax",
			errorType: "Runtime.UserCodeSyntaxError",
			message:   "Syntax error in module 'lambda_function': invalid syntax (lambda_function.py, line 3)",
			trace:     []string{"  File \"" + root("syntax") + "/lambda_function.py\" Line 3\n        y = = x\n"},
		},
		{
			name: "handler missing", dir: "nohandler",
			errorType: "Runtime.HandlerNotFound",
			message:   "Handler 'lambda_handler' missing on module 'lambda_function'",
			trace:     []string{},
		},
		{
			name: "malformed handler", dir: "ok", handler: "lambda_function",
			errorType: "Runtime.MalformedHandlerName",
			message:   "Bad handler 'lambda_function': not enough values to unpack (expected 2, got 1)",
			trace:     []string{},
		},
		{
			name: "built-in module", dir: "ok", handler: "sys.lambda_handler",
			errorType: "Runtime.BuiltInModuleConflict",
			message:   "Cannot use built-in module sys as a handler module",
			trace:     []string{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := startFunction(t, fnConfig{root: root(tc.dir), handler: tc.handler})
			checkInitError(t, f, tc.errorType, tc.message, tc.trace)
		})
	}
}

// checkInitError checks the init error POST, its log lines, and that the
// process exits with status 1 without asking for an event, as awslambdaric
// does.
func checkInitError(t *testing.T, f *fn, errorType, message string, trace []string) {
	t.Helper()
	o := f.wait(t)
	if o.kind != "init/error" {
		t.Fatalf("posted %s, want init/error", o.kind)
	}
	rec := decodeError(t, o)
	if rec.ErrorType != errorType || rec.ErrorMessage != message || *rec.RequestID != "" {
		t.Errorf("error = %+v, want %s %q", rec, errorType, message)
	}
	if strings.Join(rec.StackTrace, "|") != strings.Join(trace, "|") || len(rec.StackTrace) != len(trace) {
		t.Errorf("stackTrace = %q, want %q", rec.StackTrace, trace)
	}
	if got := o.header.Get("Lambda-Runtime-Function-Error-Type"); got != errorType {
		t.Errorf("Lambda-Runtime-Function-Error-Type = %q", got)
	}
	// The log: the warning, then "[ERROR] Type: message" and the traceback,
	// one stdout line joined by CRs.
	lines := strings.Split(o.log, "\n")
	if len(lines) != 3 || lines[2] != "" || !warningLine.MatchString(lines[0]) {
		t.Fatalf("log = %q", o.log)
	}
	want := "[ERROR] " + errorType + ": " + message + "\rTraceback (most recent call last):"
	for _, el := range trace {
		for _, l := range strings.Split(strings.TrimSuffix(el, "\n"), "\n") {
			want += "\r" + nbspIndent(l)
		}
	}
	if lines[1] != want {
		t.Errorf("error log line = %q, want %q", lines[1], want)
	}
	if code := f.exit(t); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if n := len(f.api.nexts); n != 0 {
		t.Errorf("%d GET next after an init error, want none", n)
	}
}

// nbspIndent turns a traceback line's leading spaces into no-break spaces,
// as Lambda's Python runtime logs them.
func nbspIndent(l string) string {
	trimmed := strings.TrimLeft(l, " ")
	return strings.Repeat("\u00a0", len(l)-len(trimmed)) + trimmed
}

// A module that raises at import reports the exception's own type, with a
// traceback that runs through importlib into the function's file.
func TestInitErrorAtModuleLevel(t *testing.T) {
	root, _ := filepath.Abs("testdata/moderror")
	f := startFunction(t, fnConfig{root: root})
	o := f.wait(t)
	rec := decodeError(t, o)
	if o.kind != "init/error" || rec.ErrorType != "KeyError" || rec.ErrorMessage != "'BUCKET'" {
		t.Fatalf("%s: %+v", o.kind, rec)
	}
	n := len(rec.StackTrace)
	if n < 3 || !strings.Contains(rec.StackTrace[0], "importlib") {
		t.Fatalf("stackTrace = %q, want it to start in importlib", rec.StackTrace)
	}
	last := "  File \"" + root + "/lambda_function.py\", line 3, in <module>\n    BUCKET = os.environ['BUCKET']\n"
	// then os's own frame, where the KeyError is raised
	if rec.StackTrace[n-2] != last || !strings.Contains(rec.StackTrace[n-1], "in __getitem__") {
		t.Errorf("last frames = %q, want %q then os.environ's", rec.StackTrace[n-2:], last)
	}
	for _, fr := range rec.StackTrace {
		if strings.Contains(fr, "lambdalab_runtime") || strings.Contains(fr, "bootstrap.py\"") {
			t.Errorf("the runtime's own frame %q is in the trace", fr)
		}
	}
	if !strings.Contains(o.log, "\n[ERROR] KeyError: 'BUCKET'\rTraceback (most recent call last):\r") {
		t.Errorf("log = %q", o.log)
	}
	if code := f.exit(t); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
}

// Handlers in packages: module path split at the last dot, with dots or
// slashes between packages.
func TestNestedHandler(t *testing.T) {
	for _, h := range []string{"pkg.sub.mod.handler", "pkg/sub/mod.handler"} {
		t.Run(h, func(t *testing.T) {
			f := startFunction(t, fnConfig{root: "testdata/nested", handler: h})
			o := f.invoke(t, event{})
			if o.kind != "response" || string(o.body) != `"pkg.sub.mod"` {
				t.Errorf("%s %s", o.kind, o.body)
			}
		})
	}
}
