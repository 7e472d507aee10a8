package control

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
	"github.com/lambdalab/lambdalab/emulator/lambda/runtime"
)

// Lambda's limits on deployment packages.
const (
	// MaxZippedBytes is the largest zip CreateFunction and
	// UpdateFunctionCode take.
	MaxZippedBytes = 52428800
	// MaxCreateRequestBytes is the largest CreateFunction request (the
	// zip, base64, in JSON).
	MaxCreateRequestBytes = 70167211
	// TotalCodeSize is the account's storage for packages (75 GB).
	TotalCodeSize = 80530636800
	// maxEnvironmentBytes bounds a function's variables, as JSON.
	maxEnvironmentBytes = 4096
)

// source is a function's code, read and checked, before it is kept.
type source struct {
	zip      []byte // a deployment package to keep under CodeDir
	ref      StoredCode
	sha256   string // base64, as CodeSha256
	size     int64  // CodeSize
	unzipped int64
}

// loadCode reads and checks the code a request names: a zip in the
// request, an object in S3, a hot-reload folder, or the lab's own path or
// built-in handler.
func (c *Control) loadCode(ctx context.Context, code FunctionCode) (source, *Error) {
	switch {
	case code.Builtin:
		sum := sha256.Sum256([]byte("builtin:" + code.Path))
		return source{ref: StoredCode{Kind: codeBuiltin}, sha256: base64.StdEncoding.EncodeToString(sum[:])}, nil
	case code.Path != "":
		return c.folderCode(code.Path)
	case code.ImageUri != "":
		return source{}, invalid("lambdalab runs functions from .zip deployment packages only (PackageType Zip); it cannot run the container image %s.", code.ImageUri)
	case code.S3Bucket == HotReloadBucket:
		if !filepath.IsAbs(code.S3Key) {
			return source{}, invalid("hot reload needs S3Key to be an absolute path on this machine, not %q.", code.S3Key)
		}
		return c.folderCode(code.S3Key)
	case code.S3Bucket != "" || code.S3Key != "":
		data, err := c.fetch(ctx, code)
		if err != nil {
			return source{}, err
		}
		return zipSource(data)
	case code.ZipFile != nil:
		return zipSource(code.ZipFile)
	}
	// *unverified*: AWS's wording for a Code with no source.
	return source{}, invalid("Please provide a source for function code.")
}

// fetch reads a package from S3 as Lambda does, with its wording for S3's
// errors.
func (c *Control) fetch(ctx context.Context, code FunctionCode) ([]byte, *Error) {
	if code.S3Bucket == "" || code.S3Key == "" {
		// *unverified*: AWS's wording when only one of the two is given.
		return nil, invalid("Please provide both S3Bucket and S3Key for function code in S3.")
	}
	if c.deps.FetchObject == nil {
		return nil, invalid("lambdalab has no S3 to read s3://%s/%s from.", code.S3Bucket, code.S3Key)
	}
	data, err := c.deps.FetchObject(ctx, code.S3Bucket, code.S3Key, code.S3ObjectVersion)
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return nil, invalid("Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", ae.ErrorCode(), ae.ErrorMessage())
		}
		return nil, invalid("Error occurred while GetObject. %v", err)
	}
	return data, nil
}

// zipSource checks a deployment package: a zip, within Lambda's sizes.
func zipSource(data []byte) (source, *Error) {
	if len(data) > MaxZippedBytes {
		return source{}, errorf(ErrRequestEntityTooLarge, "Zipped size must be smaller than %d bytes", MaxZippedBytes)
	}
	unzipped, err := unzippedSize(data)
	if err != nil {
		return source{}, err
	}
	sum := sha256.Sum256(data)
	return source{zip: data, sha256: base64.StdEncoding.EncodeToString(sum[:]), size: int64(len(data)), unzipped: unzipped}, nil
}

// unzippedSize is what the zip says it holds, checked against Lambda's
// limit (the runtime package refuses an entry that inflates past its
// declared size, so the declared sizes bound what is written).
func unzippedSize(data []byte) (int64, *Error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	var n uint64
	for _, f := range zr.File {
		n += f.UncompressedSize64
		if n > runtime.MaxUnzippedBytes {
			return 0, invalid("Unzipped size must be smaller than %d bytes", runtime.MaxUnzippedBytes)
		}
	}
	return int64(n), nil
}

// folderCode is code that stays where it is on this machine.
func (c *Control) folderCode(path string) (source, *Error) {
	fi, err := os.Stat(path)
	if err != nil {
		return source{}, invalid("The code at %s cannot be read: %v", path, err)
	}
	size := fi.Size()
	if fi.IsDir() {
		size = 0
		_ = filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if info, err := d.Info(); err == nil {
					size += info.Size()
				}
			}
			return nil
		})
	}
	// A live folder has no fixed package: its CodeSha256 names the path.
	sum := sha256.Sum256([]byte("folder:" + path))
	return source{ref: StoredCode{Kind: codeFolder, Path: path}, sha256: base64.StdEncoding.EncodeToString(sum[:]), size: size, unzipped: size}, nil
}

// checkSizes applies Lambda's limit on code and layers together, with the
// runtime package's wording.
func checkSizes(code int64, vs []layers.Version) *Error {
	var ly int64
	for _, v := range vs {
		data, err := os.ReadFile(v.Zip)
		if err != nil {
			continue // the runtime reports it when it prepares the layer
		}
		n, zerr := unzippedSize(data)
		if zerr != nil {
			return zerr
		}
		ly += n
	}
	switch {
	case ly > runtime.MaxUnzippedBytes:
		return invalid("Layers consume more than the available size of %d bytes", runtime.MaxUnzippedBytes)
	case code+ly > runtime.MaxUnzippedBytes:
		return invalid("Function code combined with layers exceeds the maximum allowed size of %d bytes. The actual size is %d bytes.",
			runtime.MaxUnzippedBytes, code+ly)
	}
	return nil
}

// keep writes a deployment package under CodeDir/NAME/<sha256>.zip; other
// sources stay where they are.
func (c *Control) keep(name string, src source) (StoredCode, error) {
	if src.zip == nil {
		return src.ref, nil
	}
	if c.deps.CodeDir == "" {
		return StoredCode{}, fmt.Errorf("lambdalab has no folder to keep deployment packages in")
	}
	sum := sha256.Sum256(src.zip)
	dir := filepath.Join(c.deps.CodeDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return StoredCode{}, err
	}
	path := filepath.Join(dir, hex.EncodeToString(sum[:])+".zip")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, src.zip, 0o644); err != nil {
		return StoredCode{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return StoredCode{}, err
	}
	return StoredCode{Kind: codeZip, Path: path}, nil
}

// pruneCode removes the packages of a function that it no longer runs.
// The caller holds c.mu.
func (c *Control) pruneCode(f *function) {
	if c.deps.CodeDir == "" {
		return
	}
	dir := filepath.Join(c.deps.CodeDir, f.conf.FunctionName)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if p != f.code.Path {
			os.Remove(p)
		}
	}
}

// dropCode removes a deleted function's packages.
func (c *Control) dropCode(name string) {
	if c.deps.CodeDir != "" && validName(name) {
		os.RemoveAll(filepath.Join(c.deps.CodeDir, name))
	}
}

// location is GetFunction's Code.Location: the lab's own, or an URL shaped
// like the presigned one Lambda gives (valid for 10 minutes there; here it
// leads nowhere: the package is in CodeDir). It is made from the package's
// hash, not from the id source, so that reading a function changes no
// replay's ids.
func (c *Control) location(name, sha string) string {
	if c.deps.CodeLocation != nil {
		return c.deps.CodeLocation(name, sha)
	}
	t := c.deps.Clock.Now().UTC()
	sig := sha256.Sum256([]byte(name + sha + t.Format(time.RFC3339)))
	return fmt.Sprintf("https://awslambda-%s-tasks.s3.%s.amazonaws.com/snapshots/%s/%s-%x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=%s&X-Amz-SignedHeaders=host&X-Amz-Expires=600&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%%2F%s%%2F%s%%2Fs3%%2Faws4_request&X-Amz-Signature=%x",
		c.deps.Region, c.deps.Region, c.deps.Account, name, sig[:8], t.Format("20060102T150405Z"),
		t.Format("20060102"), c.deps.Region, sig)
}
