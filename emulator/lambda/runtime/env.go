package runtime

import (
	"maps"
	"path/filepath"
	"slices"
)

// environ is the environment of an environment's process: Lambda's, never
// the host's. fn holds the function-level variables the service sets (name,
// region, credentials, _HANDLER, the endpoint, the function's own); the
// process-level ones come from the Package and the Runtime API address.
//
// PATH and LD_LIBRARY_PATH follow AWS's order with the private folders in
// place of /var/task, /var/runtime and /opt. Like LANG, they are defaults a
// function's own variables may replace; the others are reserved.
func (p *Package) environ(fn map[string]string, api string) []string {
	opt, task, rt := p.optDir, p.taskRoot, p.runtimeDir
	path := "/usr/local/bin:/usr/bin/:/bin:" + filepath.Join(opt, "bin")
	if IsPython(p.spec.Runtime) && p.interp.Path != "" {
		// where AWS puts /var/lang/bin: the interpreter's own folder
		path = filepath.Dir(p.interp.Path) + ":" + path
	}
	env := map[string]string{
		"LANG": "en_US.UTF-8",
		"PATH": path,
		"LD_LIBRARY_PATH": "/lib64:/usr/lib64:" + rt + ":" + filepath.Join(rt, "lib") + ":" +
			task + ":" + filepath.Join(task, "lib") + ":" + filepath.Join(opt, "lib"),
	}
	maps.Copy(env, fn)
	env["AWS_LAMBDA_RUNTIME_API"] = api
	env["LAMBDA_TASK_ROOT"] = task
	env["LAMBDA_RUNTIME_DIR"] = rt
	env["TZ"] = ":UTC"
	if h := p.spec.Handler; h != "" {
		env["_HANDLER"] = h
	}
	delete(env, "AWS_EXECUTION_ENV")
	if IsPython(p.spec.Runtime) {
		// not set for the OS-only runtimes (provided.*)
		env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + p.spec.Runtime
	}
	out := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}
