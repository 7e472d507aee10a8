package control

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime"
)

// CreateFunction creates a function, as Lambda's CreateFunction does: it
// answers at once with State Pending; the code is prepared in the
// background, and the function turns Active (or Failed, with the reason).
// Publish is accepted and ignored: lambdalab keeps only $LATEST.
func (c *Control) CreateFunction(ctx context.Context, in CreateFunctionInput) (FunctionConfiguration, error) {
	f, src, err := c.draft(ctx, in)
	if err != nil {
		return FunctionConfiguration{}, err
	}
	c.mu.Lock()
	if _, ok := c.functions[f.conf.FunctionName]; ok {
		c.mu.Unlock()
		return FunctionConfiguration{}, errorf(ErrResourceConflict, "Function already exist: %s", f.conf.FunctionName)
	}
	if err := c.checkReservation(f.conf.FunctionName, f.reserved); err != nil {
		c.mu.Unlock()
		return FunctionConfiguration{}, err
	}
	ref, kerr := c.keep(f.conf.FunctionName, src)
	if kerr != nil {
		c.mu.Unlock()
		return FunctionConfiguration{}, errUnknown("keep the deployment package", kerr)
	}
	f.code = ref
	c.functions[f.conf.FunctionName] = f
	out := f.view()
	start := c.begin(f, true)
	c.mu.Unlock()
	c.notify(Change{Op: "CreateFunction", Function: out.FunctionName})
	start()
	return out, nil
}

// draft checks a CreateFunction request and makes the function's record,
// Pending, without keeping anything yet.
func (c *Control) draft(ctx context.Context, in CreateFunctionInput) (*function, source, *Error) {
	if err := checkPackageType(in.PackageType); err != nil {
		return nil, source{}, err
	}
	if !in.Code.Builtin {
		if in.Runtime == "" || in.Handler == "" {
			// *unverified*: AWS's wording for a Zip function without them.
			return nil, source{}, invalid("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
		}
		if err := runtime.ValidateRuntime(in.Runtime); err != nil {
			return nil, source{}, AsError(err)
		}
	}
	if err := runtime.ValidateHandler(in.Handler); err != nil {
		return nil, source{}, AsError(err)
	}
	arch, err := architectures(in.Architectures)
	if err != nil {
		return nil, source{}, err
	}
	conf := FunctionConfiguration{
		FunctionName: in.FunctionName, FunctionArn: c.FunctionARN(in.FunctionName), Runtime: in.Runtime, Role: in.Role, Handler: in.Handler,
		Description: in.Description, Timeout: intOr(in.Timeout, 3), MemorySize: intOr(in.MemorySize, lambda.DefaultMemory),
		Version: arn.Latest, TracingConfig: TracingConfig{Mode: "PassThrough"}, PackageType: "Zip",
		Architectures: arch, EphemeralStorage: EphemeralStorage{Size: 512},
		LoggingConfig: LoggingConfig{LogFormat: "Text", LogGroup: lambda.LogGroupName(in.FunctionName)},
		State:         StatePending, StateReason: reasonBeingMade, StateReasonCode: reasonCreating,
	}
	if in.TracingConfig != nil && in.TracingConfig.Mode != "" {
		conf.TracingConfig.Mode = in.TracingConfig.Mode
	}
	if in.Environment != nil {
		conf.Environment = &EnvironmentResponse{Variables: maps.Clone(in.Environment.Variables)}
	}
	f := &function{conf: conf, recursion: lambda.RecursiveLoopTerminate}
	if err := c.checkConfig(f); err != nil {
		return nil, source{}, err
	}
	if err := c.checkRole(in.Role); err != nil {
		return nil, source{}, err
	}
	vs, err := c.resolveLayers(in.Layers)
	if err != nil {
		return nil, source{}, err
	}
	src, err := c.loadCode(ctx, in.Code)
	if err != nil {
		return nil, source{}, err
	}
	if err := checkSizes(src.unzipped, vs); err != nil {
		return nil, source{}, err
	}
	f.setLayers(vs)
	f.conf.CodeSha256, f.conf.CodeSize = src.sha256, src.size
	f.conf.LastModified = c.stamp()
	f.conf.RevisionId = c.revision()
	return f, src, nil
}

func (c *Control) stamp() string {
	_, s := c.now()
	return s
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func checkPackageType(t string) *Error {
	switch t {
	case "", "Zip":
		return nil
	case "Image":
		return invalid("lambdalab runs functions from .zip deployment packages only (PackageType Zip), not container images.")
	}
	return errorf(ErrValidation, "1 validation error detected: Value '%s' at 'packageType' failed to satisfy constraint: Member must satisfy enum value set: [Image, Zip]", t)
}

// architectures checks the request's list, as in AWS's snapshot-tested
// wording, and fills in x86_64.
func architectures(in []string) ([]string, *Error) {
	if len(in) == 0 {
		return []string{"x86_64"}, nil
	}
	if len(in) > 1 {
		return nil, errorf(ErrValidation, "1 validation error detected: Value '[%s]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1", joinComma(in))
	}
	if in[0] != "x86_64" && in[0] != "arm64" {
		return nil, errorf(ErrValidation, "1 validation error detected: Value '[%s]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]", joinComma(in))
	}
	return slices.Clone(in), nil
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// checkConfig applies Lambda's limits to the function's configuration:
// the execution service's own checks (name, memory, timeout, variables),
// and the size of the variables.
func (c *Control) checkConfig(f *function) *Error {
	// The service's Validate sees defaults where the request has zeros.
	switch {
	case f.conf.Timeout < 1:
		return limit(f.conf.Timeout, "timeout", "greater than or equal to", 1)
	case f.conf.Timeout > 900:
		return limit(f.conf.Timeout, "timeout", "less than or equal to", 900)
	case f.conf.MemorySize < lambda.MinMemory:
		return limit(f.conf.MemorySize, "memorySize", "greater than or equal to", lambda.MinMemory)
	}
	if err := f.serviceConfig().Validate(c.svc.AccountConcurrency()); err != nil {
		return AsError(err)
	}
	if f.conf.Environment != nil && len(f.conf.Environment.Variables) > 0 {
		b, _ := json.Marshal(f.conf.Environment.Variables)
		if len(b) > maxEnvironmentBytes {
			return invalid("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %s", b)
		}
	}
	return nil
}

func limit(v int, member, rel string, bound int) *Error {
	return errorf(ErrValidation, "1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value %s %d", v, member, rel, bound)
}

// roleShape is the role member's pattern in AWS's validation message.
const roleShape = `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`

// checkRole checks the role's ARN and asks the lab whether Lambda may
// assume it.
func (c *Control) checkRole(role string) *Error {
	if role == "" {
		return errorf(ErrValidation, "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null")
	}
	if _, err := arn.ParseRole(role); err != nil {
		return errorf(ErrValidation, "1 validation error detected: Value '%s' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", role, roleShape)
	}
	if c.deps.CheckRole != nil && c.deps.CheckRole(role) != nil {
		return invalid("The role defined for the function cannot be assumed by Lambda.")
	}
	return nil
}

// resolveLayers finds the versions a function's layer ARNs name, through
// the registry (public layers resolve to stand-ins).
func (c *Control) resolveLayers(arns []string) ([]layers.Version, *Error) {
	if len(arns) > runtime.MaxLayers {
		return nil, invalid("Cannot reference more than %d layers.", runtime.MaxLayers)
	}
	if len(arns) > 0 && c.deps.Layers == nil {
		return nil, invalid("lambdalab has no layer registry to resolve %s.", arns[0])
	}
	var out []layers.Version
	seen := map[string]string{}
	for _, a := range arns {
		l, err := arn.ParseLayer(a)
		if err != nil {
			return nil, errorf(ErrValidation, "1 validation error detected: Value '[%s]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 2048, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+), Member must not be null]", a)
		}
		base := a[:len(a)-len(fmt.Sprint(l.Version))-1]
		if prev, ok := seen[base]; ok {
			return nil, invalid("Two different versions of the same layer are not allowed to be referenced in the same function. %s and %s are versions of the same layer.", prev, a)
		}
		seen[base] = a
		if l.Region != c.deps.Region {
			return nil, invalid("Layers are not in the same region as the function. Layers are expected to be in region %s.", c.deps.Region)
		}
		v, rerr := c.deps.Layers.Resolve(a)
		if rerr != nil {
			e := AsError(rerr)
			if e.Type == ErrResourceNotFound { // a function's request names it: a bad parameter
				e = invalid("%s", e.Message)
			}
			return nil, e
		}
		v.ARN = a // the function lists the ARN it asked for, not a stand-in's
		out = append(out, v)
	}
	return out, nil
}

// setLayers records the resolved layers in the configuration.
func (f *function) setLayers(vs []layers.Version) {
	f.layers = vs
	f.conf.Layers = nil
	for _, v := range vs {
		f.conf.Layers = append(f.conf.Layers, Layer{Arn: v.ARN, CodeSize: v.CodeSize})
	}
}

// checkReservation keeps the reservations within the account: Lambda's
// rule, with the lab's account limit and no minimum left unreserved. The
// caller holds c.mu.
func (c *Control) checkReservation(name string, reserved *int) *Error {
	if reserved == nil {
		return nil
	}
	total := *reserved
	for n, f := range c.functions {
		if n != name && f.reserved != nil {
			total += *f.reserved
		}
	}
	if total > c.svc.AccountConcurrency() {
		return invalid("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [0].")
	}
	return nil
}
