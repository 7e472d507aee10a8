package runtime

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// openZip opens a function's or layer's zip with Lambda's wording for one
// that is not a zip at all.
func openZip(file string) (*zip.ReadCloser, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (%v)", file, &ParameterError{Type: "InvalidParameterValueException",
			Message: "Could not unzip uploaded file. Please check your file, then try to upload again."}, err)
	}
	return zr, nil
}

// zipSize is what the zip says it holds unzipped. Go's zip reader refuses an
// entry that inflates past its declared size, so this is also an upper
// bound on what extraction writes.
func zipSize(file string) (int64, error) {
	zr, err := openZip(file)
	if err != nil {
		return 0, err
	}
	defer zr.Close()
	var n uint64
	for _, f := range zr.File {
		n += f.UncompressedSize64
		if n > 1<<62 {
			break
		}
	}
	return int64(min(n, 1<<62)), nil
}

// unzip writes the zip's entries into the tree, keeping their permission
// bits (a bootstrap stays executable) and their symlinks.
func (t *tree) unzip(file string) error {
	zr, err := openZip(file)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if err := t.unzipEntry(f); err != nil {
			return err
		}
	}
	return nil
}

func (t *tree) unzipEntry(f *zip.File) error {
	mode := f.Mode()
	switch {
	case mode.IsDir() || strings.HasSuffix(f.Name, "/"):
		return t.dir(f.Name)
	case mode&fs.ModeSymlink != 0:
		target, err := readSmall(f, 4096)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", t.origin, f.Name, err)
		}
		return t.symlink(f.Name, target)
	case mode.IsRegular():
		r, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s: %s: %w", t.origin, f.Name, err)
		}
		defer r.Close()
		perm := mode.Perm()
		if perm == 0 {
			perm = 0o644
		}
		return t.file(f.Name, perm, r)
	}
	return nil // devices and pipes have no place in a function's code
}

func readSmall(f *zip.File, limit int64) (string, error) {
	r, err := f.Open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > limit {
		return "", fmt.Errorf("symlink target longer than %d bytes", limit)
	}
	return string(b), nil
}
