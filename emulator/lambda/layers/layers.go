// Package layers keeps the lab's Lambda layers: versions published with
// `lambdalab layer publish` or PublishLayerVersion, each an immutable zip
// with an ARN, and stand-ins for well-known public layers that cannot be
// downloaded offline (built from what this machine has, and said so).
//
// A registry lives in a directory, DIR/NAME/VERSION/{content.zip,
// meta.json}, so every lab on the machine (and the CLI) sees the same
// layers. A version directory is created with one mkdir, which either
// succeeds or finds the number taken: two publishers never share a version.
package layers

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lambdalab/lambdalab/emulator/arn"
)

// MaxZipBytes is the largest layer zip PublishLayerVersion takes directly
// (Lambda's 50 MB limit on a zipped deployment package sent in the request).
const MaxZipBytes = 50 * 1024 * 1024

// Version is one published layer version.
type Version struct {
	Name               string    `json:"name"`
	Version            int64     `json:"version"`
	ARN                string    `json:"arn"`
	Description        string    `json:"description,omitempty"`
	CompatibleRuntimes []string  `json:"compatibleRuntimes,omitempty"`
	Created            time.Time `json:"created"`
	CodeSha256         string    `json:"codeSha256"`
	CodeSize           int64     `json:"codeSize"`
	// StandInFor is the public layer ARN this version stands in for.
	StandInFor string `json:"standInFor,omitempty"`
	// Zip is the layer's content on disk.
	Zip string `json:"-"`
}

// LayerARN is the version's layer ARN without the version number.
func (v Version) LayerARN() string { return v.ARN[:strings.LastIndexByte(v.ARN, ':')] }

// StandIn builds a stand-in for a public layer into out (a zip) and says
// what it holds, e.g. "Pillow 9.4.0 from this machine".
type StandIn func(out string) (description string, err error)

// Registry is a directory of layer versions.
type Registry struct {
	dir, region, account string
	now                  func() time.Time

	mu       sync.Mutex
	standIns map[string]StandIn // public layer ARN → builder
}

// Open returns the registry in dir (created if missing); published ARNs
// name region and account.
func Open(dir, region, account string) (*Registry, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("layers: %w", err)
	}
	return &Registry{dir: dir, region: region, account: account, now: time.Now, standIns: map[string]StandIn{}}, nil
}

// Dir is where the registry keeps its layers.
func (r *Registry) Dir() string { return r.dir }

// AddStandIn registers a builder for a public layer ARN that Resolve will
// use instead of downloading it.
func (r *Registry) AddStandIn(publicARN string, build StandIn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.standIns[publicARN] = build
}

// ParameterError is Lambda's answer to a bad layer request, with its type.
type ParameterError struct {
	Type    string
	Message string
}

func (e *ParameterError) Error() string { return e.Type + ": " + e.Message }

func invalid(format string, args ...any) error {
	return &ParameterError{Type: "InvalidParameterValueException", Message: fmt.Sprintf(format, args...)}
}

// Publish adds a new version of layer name with content (a zip) sent in
// the request, as `aws lambda publish-layer-version --zip-file` sends it:
// at most MaxZipBytes.
func (r *Registry) Publish(name string, content []byte, description string, runtimes []string) (Version, error) {
	if len(content) > MaxZipBytes {
		return Version{}, &ParameterError{Type: "RequestEntityTooLargeException",
			Message: fmt.Sprintf("Request must be smaller than %d bytes for the PublishLayerVersion operation", MaxZipBytes)}
	}
	return r.PublishFromS3(name, content, description, runtimes)
}

// PublishFromS3 adds a new version of layer name with content (a zip) that
// Lambda reads from S3, as SAM, CloudFormation and the console send a zip
// over 50 MB: no limit on the zip itself; the 250 MB limit on the unzipped
// layers applies when a function uses it.
func (r *Registry) PublishFromS3(name string, content []byte, description string, runtimes []string) (Version, error) {
	if err := checkName(name); err != nil {
		return Version{}, err
	}
	if _, err := zip.NewReader(bytes.NewReader(content), int64(len(content))); err != nil {
		return Version{}, invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	return r.store(name, content, Version{Description: description, CompatibleRuntimes: runtimes})
}

// store writes content as the next version of name.
func (r *Registry) store(name string, content []byte, v Version) (Version, error) {
	base := filepath.Join(r.dir, name)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return Version{}, err
	}
	n := r.latest(name) + 1
	for ; ; n++ {
		err := os.Mkdir(filepath.Join(base, strconv.FormatInt(n, 10)), 0o755)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) {
			return Version{}, err
		}
	}
	dir := filepath.Join(base, strconv.FormatInt(n, 10))
	sum := sha256.Sum256(content)
	v.Name, v.Version = name, n
	v.ARN = arn.Layer{Partition: "aws", Region: r.region, Account: r.account, Name: name, Version: n}.String()
	v.Created = r.now().UTC()
	v.CodeSha256 = base64.StdEncoding.EncodeToString(sum[:])
	v.CodeSize = int64(len(content))
	v.Zip = filepath.Join(dir, "content.zip")
	if err := os.WriteFile(v.Zip, content, 0o644); err != nil {
		return Version{}, err
	}
	meta, _ := json.MarshalIndent(v, "", "  ")
	// meta.json last: a version without it is an interrupted publish.
	if err := writeAtomic(filepath.Join(dir, "meta.json"), meta); err != nil {
		return Version{}, err
	}
	return v, nil
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// latest is the highest version number of name on disk (0 for none).
func (r *Registry) latest(name string) int64 {
	entries, _ := os.ReadDir(filepath.Join(r.dir, name))
	var n int64
	for _, e := range entries {
		if v, err := strconv.ParseInt(e.Name(), 10, 64); err == nil && v > n {
			n = v
		}
	}
	return n
}

// Get returns one version.
func (r *Registry) Get(name string, version int64) (Version, bool) {
	dir := filepath.Join(r.dir, name, strconv.FormatInt(version, 10))
	data, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil || checkName(name) != nil {
		return Version{}, false
	}
	var v Version
	if json.Unmarshal(data, &v) != nil {
		return Version{}, false
	}
	v.Zip = filepath.Join(dir, "content.zip")
	return v, true
}

// Versions lists a layer's versions, newest first (as ListLayerVersions).
func (r *Registry) Versions(name string) []Version {
	if checkName(name) != nil {
		return nil
	}
	entries, _ := os.ReadDir(filepath.Join(r.dir, name))
	var out []Version
	for _, e := range entries {
		if n, err := strconv.ParseInt(e.Name(), 10, 64); err == nil {
			if v, ok := r.Get(name, n); ok {
				out = append(out, v)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version > out[j].Version })
	return out
}

// Latest lists every layer's newest version, by name (as ListLayers).
func (r *Registry) Latest() []Version {
	entries, _ := os.ReadDir(r.dir)
	var out []Version
	for _, e := range entries {
		if vs := r.Versions(e.Name()); len(vs) > 0 {
			out = append(out, vs[0])
		}
	}
	return out
}

// Delete removes a version. Functions that use it keep their copy, as on
// Lambda. The empty version directory stays behind as a tombstone, so that
// the number is never given again.
func (r *Registry) Delete(name string, version int64) error {
	v, ok := r.Get(name, version)
	if !ok {
		return nil // Lambda answers DeleteLayerVersion for a missing one with success
	}
	dir := filepath.Dir(v.Zip)
	if err := os.Remove(filepath.Join(dir, "meta.json")); err != nil {
		return err
	}
	return os.Remove(v.Zip)
}

// Resolve finds the version a layer ARN names: one of the registry's, or
// a stand-in built (once) for a known public layer.
func (r *Registry) Resolve(layerARN string) (Version, error) {
	l, err := arn.ParseLayer(layerARN)
	if err != nil {
		return Version{}, invalid("%v", err)
	}
	if l.Account == r.account {
		if v, ok := r.Get(l.Name, l.Version); ok {
			return v, nil
		}
		return Version{}, notFound(layerARN)
	}
	r.mu.Lock()
	build, ok := r.standIns[layerARN]
	r.mu.Unlock()
	if !ok {
		return Version{}, &ParameterError{Type: "AccessDeniedException", Message: fmt.Sprintf(
			"lambdalab cannot download %s: it is offline. Publish the layer's zip with `lambdalab layer publish %s LAYER.zip` and use the ARN it gives",
			layerARN, l.Name)}
	}
	return r.standIn(layerARN, l, build)
}

func notFound(layerARN string) error {
	return &ParameterError{Type: "ResourceNotFoundException", Message: "Layer version " + layerARN + " does not exist."}
}

// standIn returns the stand-in for a public layer, building it once.
func (r *Registry) standIn(publicARN string, l arn.Layer, build StandIn) (Version, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := "standin-" + l.Account + "-" + l.Name + "-" + strconv.FormatInt(l.Version, 10)
	for _, v := range r.Versions(name) {
		if v.StandInFor == publicARN {
			return v, nil
		}
	}
	tmp, err := os.CreateTemp(r.dir, ".standin-*.zip")
	if err != nil {
		return Version{}, err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	desc, err := build(tmp.Name())
	if err != nil {
		return Version{}, fmt.Errorf("stand-in for %s:%d: %w", l.Name, l.Version, err)
	}
	content, err := os.ReadFile(tmp.Name())
	if err != nil {
		return Version{}, err
	}
	return r.store(name, content, Version{StandInFor: publicARN,
		Description: fmt.Sprintf("stand-in for %s:%d: %s", l.Name, l.Version, desc)})
}

// checkName applies Lambda's layer name rules.
func checkName(name string) error {
	if name == "" || len(name) > 140 {
		return invalid("Layer name must be 1 to 140 characters long: %q", name)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return &ParameterError{Type: "ValidationException", Message: fmt.Sprintf(
				"1 validation error detected: Value '%s' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+", name)}
		}
	}
	return nil
}

// ZipFolder writes the folder dir as a layer zip to w: its files under
// their paths relative to dir, with their modes, in a stable order.
func ZipFolder(w io.Writer, dir string) error {
	zw := zip.NewWriter(w)
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil || !info.Mode().IsRegular() {
			return err
		}
		hdr, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		hdr.Name, hdr.Method = filepath.ToSlash(rel), zip.Deflate
		hdr.Modified = time.Time{}
		f, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}
