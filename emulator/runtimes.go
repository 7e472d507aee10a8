package emulator

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime/python"
	"github.com/lambdalab/lambdalab/handler/builtin"
)

// KlayersPillow is the seed exercise's Pillow layer. lambdalab cannot
// download it offline, so it resolves to a stand-in built from this
// machine's Pillow.
const KlayersPillow = "arn:aws:lambda:us-east-1:770693421928:layer:Klayers-p310-Pillow:2"

// WithCacheDir keeps what the lab prepares for functions of their own code
// (built Go bootstraps, unzipped code, merged layers, published layers)
// under dir instead of the user's cache directory.
func WithCacheDir(dir string) Option { return func(s *settings) { s.cacheDir = dir } }

// WithBuiltinProcesses runs built-in handlers as processes too, each a
// re-exec of bootstrap (lambdalab's own binary and its __bootstrap
// argument) followed by the handler's name: a timed-out or runaway handler
// is then killed, and its memory is measured, as Lambda does. Replays (a
// virtual clock) keep them in-process, where they are deterministic.
func WithBuiltinProcesses(bootstrap ...string) Option {
	return func(s *settings) { s.builtinBootstrap = bootstrap }
}

// processes is what runs functions as processes: one runtime manager and
// one layer registry per lab, made on first use.
type processes struct {
	dir     string
	region  string
	once    sync.Once
	err     error
	manager *runtime.Manager
	layers  *layers.Registry
}

func (p *processes) init() error {
	p.once.Do(func() {
		p.manager = runtime.NewManager(runtime.WithCacheDir(filepath.Join(p.dir, "runtime")), runtime.WithPython(pythonHook()))
		p.layers, p.err = layers.Open(filepath.Join(p.dir, "layers"), p.region, labfile.DefaultAccount)
		if p.err == nil {
			p.layers.AddStandIn(KlayersPillow, pillowStandIn)
		}
	})
	return p.err
}

func (p *processes) close() {
	if p.manager != nil {
		p.manager.Close()
	}
}

// pythonHook lets the runtime engine start Python functions through our
// Python runtime client.
func pythonHook() runtime.Python {
	return runtime.Python{
		Find: func(r string) (runtime.Interpreter, error) {
			i, err := python.Find(r)
			return runtime.Interpreter(i), err
		},
		Prepare: func(dir string, in runtime.Interpreter) (string, error) {
			return python.Prepare(dir, python.Interpreter(in))
		},
		Command: func(in runtime.Interpreter, rtDir, optDir string) []string {
			return python.Command(python.Interpreter(in), rtDir, optDir)
		},
	}
}

// pillowStandIn builds the Klayers Pillow stand-in from this machine's
// Pillow (pip cannot reach an index offline).
func pillowStandIn(out string) (string, error) {
	in, err := python.Find("python3.10")
	if err != nil {
		return "", err
	}
	rep, err := python.BuildLayer(out, []string{"Pillow"}, in)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, p := range rep.Packages {
		parts = append(parts, p.String())
	}
	return strings.Join(parts, ", "), nil
}

// builtinRuntime runs a built-in handler: as a process (a re-exec of
// lambdalab) when the lab runs on the wall clock with WithBuiltinProcesses,
// otherwise in the lab's process with an S3 client signed by the role's
// session.
func (l *Lab) builtinRuntime(function, handler, role string) (lambda.Runtime, error) {
	b, ok := builtin.Lookup(handler)
	if !ok {
		return nil, fmt.Errorf("unknown handler %q: the built-in handlers are %s", handler, strings.Join(builtin.Names(), ", "))
	}
	if len(l.builtinBootstrap) > 0 && !l.virtual() {
		argv := append(append([]string{}, l.builtinBootstrap...), handler)
		rs := runtime.Spec{Function: function, Runtime: runtime.ProvidedAL2023, Handler: handler, Command: argv}
		return lambda.Processes(l.procs.manager, rs, nil)
	}
	creds := l.creds.issue(role, function)
	return lambda.InProcess(func(getenv func(string) string) (awslambda.Handler, error) {
		h, err := b.New(builtin.Init{Getenv: getenv, S3: l.ClientFor(creds)})
		if err != nil {
			return nil, err
		}
		return awslambda.NewHandler(h), nil
	}), nil
}

// notice publishes what a user should know once about a function's
// runtime (a stand-in layer, another Python version).
func (l *Lab) notice(function string) func(string) {
	return func(msg string) {
		l.bus.Publish(bus.RuntimeNotice{Header: l.stamp(), Function: function, Message: msg})
	}
}

// Layers is the lab's layer registry (nil until a function of its own code
// needed it, or an error).
func (l *Lab) Layers() (*layers.Registry, error) {
	if err := l.procs.init(); err != nil {
		return nil, err
	}
	return l.procs.layers, nil
}
