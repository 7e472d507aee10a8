package control

import (
	"context"
	"maps"
	"os"

	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime"
)

// UpdateFunctionConfiguration changes a function's settings, as Lambda
// does: it answers with LastUpdateStatus InProgress; new execution
// environments use the new configuration once the update is Successful
// (a change of runtime, handler, role or layers prepares the code again).
// A function still Pending, or with an update in progress, is refused.
func (c *Control) UpdateFunctionConfiguration(ctx context.Context, in UpdateFunctionConfigurationInput) (FunctionConfiguration, error) {
	c.mu.Lock()
	f, err := c.find(in.FunctionName, "")
	if err == nil {
		err = c.precheck(f, in.RevisionId, "GetFunction/GetAlias")
	}
	if err != nil {
		c.mu.Unlock()
		return FunctionConfiguration{}, err
	}
	next := *f
	next.conf = f.view()
	c.mu.Unlock()

	rebuild, err := c.edit(&next, in)
	if err != nil {
		return FunctionConfiguration{}, err
	}
	c.mu.Lock()
	if c.functions[next.conf.FunctionName] != f {
		c.mu.Unlock()
		return FunctionConfiguration{}, functionNotFound(c.FunctionARN(next.conf.FunctionName))
	}
	if err := c.precheck(f, in.RevisionId, "GetFunction/GetAlias"); err != nil {
		c.mu.Unlock()
		return FunctionConfiguration{}, err
	}
	f.conf, f.layers = next.conf, next.layers
	c.markUpdating(f)
	out := f.view()
	start := c.begin(f, rebuild)
	c.mu.Unlock()
	c.notify(Change{Op: "UpdateFunctionConfiguration", Function: out.FunctionName})
	start()
	return out, nil
}

// precheck refuses a change to a busy function or one whose RevisionId
// moved on. The caller holds c.mu.
func (c *Control) precheck(f *function, revision, api string) *Error {
	if err := c.busy(f); err != nil {
		return err
	}
	if revision != "" && revision != f.conf.RevisionId {
		return revisionMismatch(api)
	}
	return nil
}

// markUpdating starts an update: InProgress, a new RevisionId and
// LastModified. The caller holds c.mu.
func (c *Control) markUpdating(f *function) {
	f.conf.LastUpdateStatus = UpdateInProgress
	f.conf.LastUpdateStatusReason, f.conf.LastUpdateStatusReasonCode = reasonBeingMade, reasonCreating
	f.conf.LastModified = c.stamp()
	f.conf.RevisionId = c.revision()
}

// edit applies the request to a copy of the function's record and checks
// the result; it reports whether the code must be prepared again.
func (c *Control) edit(f *function, in UpdateFunctionConfigurationInput) (rebuild bool, err *Error) {
	if in.Runtime != nil && *in.Runtime != f.conf.Runtime {
		if err := runtime.ValidateRuntime(*in.Runtime); err != nil {
			return false, AsError(err)
		}
		f.conf.Runtime, rebuild = *in.Runtime, true
	}
	if in.Handler != nil && *in.Handler != f.conf.Handler {
		if err := runtime.ValidateHandler(*in.Handler); err != nil {
			return false, AsError(err)
		}
		f.conf.Handler, rebuild = *in.Handler, true
	}
	if in.Role != nil && *in.Role != f.conf.Role {
		if err := c.checkRole(*in.Role); err != nil {
			return false, err
		}
		f.conf.Role, rebuild = *in.Role, true
	}
	if in.Description != nil {
		f.conf.Description = *in.Description
	}
	if in.Timeout != nil {
		f.conf.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		f.conf.MemorySize = *in.MemorySize
	}
	if in.Environment != nil {
		f.conf.Environment = &EnvironmentResponse{Variables: maps.Clone(in.Environment.Variables)}
		if f.conf.Environment.Variables == nil {
			f.conf.Environment.Variables = map[string]string{}
		}
	}
	if err := c.checkConfig(f); err != nil {
		return false, err
	}
	if in.Layers != nil {
		vs, err := c.resolveLayers(*in.Layers)
		if err != nil {
			return false, err
		}
		if err := c.checkCodeWith(f, vs); err != nil {
			return false, err
		}
		f.setLayers(vs)
		rebuild = true
	}
	return rebuild, nil
}

// checkCodeWith checks the function's code with new layers against
// Lambda's size limit.
func (c *Control) checkCodeWith(f *function, vs []layers.Version) *Error {
	code := f.conf.CodeSize
	if f.code.Kind == codeZip {
		if data, err := os.ReadFile(f.code.Path); err == nil {
			if n, zerr := unzippedSize(data); zerr == nil {
				code = n
			}
		}
	}
	return checkSizes(code, vs)
}

// UpdateFunctionCode replaces a function's code with a zip, an S3 object,
// a hot-reload folder, or the lab's own source. Publish is ignored
// (lambdalab keeps only $LATEST); DryRun checks and changes nothing.
func (c *Control) UpdateFunctionCode(ctx context.Context, in UpdateFunctionCodeInput) (FunctionConfiguration, error) {
	c.mu.Lock()
	f, err := c.find(in.FunctionName, "")
	if err == nil {
		err = c.precheck(f, in.RevisionId, "GetFunction/GetAlias")
	}
	if err != nil {
		c.mu.Unlock()
		return FunctionConfiguration{}, err
	}
	name, layersNow := f.conf.FunctionName, f.layers
	c.mu.Unlock()
	if _, aerr := architectures(in.Architectures); aerr != nil {
		return FunctionConfiguration{}, aerr
	}
	src, err := c.loadCode(ctx, in.code())
	if err != nil {
		return FunctionConfiguration{}, err
	}
	if err := checkSizes(src.unzipped, layersNow); err != nil {
		return FunctionConfiguration{}, err
	}
	c.mu.Lock()
	if c.functions[name] != f {
		c.mu.Unlock()
		return FunctionConfiguration{}, functionNotFound(c.FunctionARN(name))
	}
	if err := c.precheck(f, in.RevisionId, "GetFunction/GetAlias"); err != nil {
		c.mu.Unlock()
		return FunctionConfiguration{}, err
	}
	if in.DryRun {
		out := f.view()
		c.mu.Unlock()
		return out, nil
	}
	ref, kerr := c.keep(f.conf.FunctionName, src)
	if kerr != nil {
		c.mu.Unlock()
		return FunctionConfiguration{}, errUnknown("keep the deployment package", kerr)
	}
	f.code = ref
	f.conf.CodeSha256, f.conf.CodeSize = src.sha256, src.size
	c.markUpdating(f)
	out := f.view()
	start := c.begin(f, true)
	c.mu.Unlock()
	c.notify(Change{Op: "UpdateFunctionCode", Function: out.FunctionName})
	start()
	return out, nil
}
