// Package labs holds the lab files shipped with lambdalab, the default lab
// among them.
package labs

import "embed"

// Files are the shipped lab files, by name (default.yaml, ...).
//
//go:embed *.yaml
var Files embed.FS
