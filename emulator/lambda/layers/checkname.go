package layers

// CheckName applies Lambda's layer name rules, with Lambda's error: what a
// tool that names a layer before publishing it (lambdalab layer build)
// checks first.
func CheckName(name string) error { return checkName(name) }
