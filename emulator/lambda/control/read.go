package control

import (
	"sort"
	"strconv"
)

// GetFunctionConfiguration returns a function's configuration.
func (c *Control) GetFunctionConfiguration(name, qualifier string) (FunctionConfiguration, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.find(name, qualifier)
	if err != nil {
		return FunctionConfiguration{}, err
	}
	return f.view(), nil
}

// GetFunction returns a function's configuration, where its package can be
// downloaded, and its reserved concurrency.
func (c *Control) GetFunction(name, qualifier string) (GetFunctionOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.find(name, qualifier)
	if err != nil {
		return GetFunctionOutput{}, err
	}
	out := GetFunctionOutput{Configuration: f.view(),
		Code: FunctionCodeLocation{RepositoryType: "S3", Location: c.location(f.conf.FunctionName, f.conf.CodeSha256)}}
	if f.reserved != nil {
		n := *f.reserved
		out.Concurrency = &Concurrency{ReservedConcurrentExecutions: &n}
	}
	return out, nil
}

// ListFunctions returns a page of the functions, sorted by name. marker
// is the NextMarker of the page before; maxItems 0 means 50.
func (c *Control) ListFunctions(marker string, maxItems int) (ListFunctionsOutput, error) {
	if maxItems < 0 || maxItems > 10000 {
		return ListFunctionsOutput{}, errorf(ErrValidation, "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value %s", maxItems,
			map[bool]string{true: "greater than or equal to 1", false: "less than or equal to 10000"}[maxItems < 0])
	}
	if maxItems == 0 {
		maxItems = 50
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	names := c.sortedNames()
	from := 0
	if marker != "" {
		from = sort.SearchStrings(names, marker)
	}
	out := ListFunctionsOutput{Functions: []FunctionConfiguration{}}
	for i := from; i < len(names); i++ {
		if len(out.Functions) == maxItems {
			out.NextMarker = names[i]
			break
		}
		out.Functions = append(out.Functions, c.functions[names[i]].view())
	}
	return out, nil
}

// DeleteFunction deletes a function, as Lambda does: its resource policy,
// asynchronous-invocation and concurrency settings go with it; events
// still queued are lost and environments end (see lambda.DeleteFunction).
// S3 notification configurations that name it stay on their buckets (they
// are S3's, not Lambda's): later events for it are undeliverable.
func (c *Control) DeleteFunction(name, qualifier string) error {
	c.mu.Lock()
	r, err := c.parseName(name, qualifier)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	if r.Qualifier == "$LATEST" {
		c.mu.Unlock()
		return invalid("$LATEST version cannot be deleted without deleting the function.")
	}
	f, err := c.lookup(r)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	delete(c.functions, r.Name)
	if f.inService {
		if derr := c.svc.DeleteFunction(r.Name); derr != nil {
			c.mu.Unlock()
			return AsError(derr)
		}
	}
	c.dropCode(r.Name)
	c.mu.Unlock()
	c.notify(Change{Op: "DeleteFunction", Function: r.Name})
	return nil
}

// ParseMaxItems reads a MaxItems query value ("" is 0, the default).
func ParseMaxItems(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errorf(ErrValidation, "1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must be a number", s) // *unverified*
	}
	return n, nil
}
