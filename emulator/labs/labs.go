// Package labs holds the lab files shipped with lambdalab, the default lab
// among them, and the code of the labs whose functions are their own code
// (a folder named like the lab).
package labs

import "embed"

// Files are the shipped lab files, by name (default.yaml, ...), and their
// functions' code folders (python/, ...).
//
//go:embed *.yaml python transcode
var Files embed.FS
