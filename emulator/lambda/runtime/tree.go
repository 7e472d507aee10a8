package runtime

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// tree writes files into a directory it owns (a task root, or the merged
// /opt of a function's layers) and refuses anything that would land
// outside it: names that climb out, absolute names, writes through a
// symlink that leaves the tree, and symlinks that point out of it. Layers
// are written one after the other into the same tree, so a later layer's
// file replaces an earlier one's.
type tree struct {
	root   string
	origin string // the zip or folder being written, for error messages
	budget *budget
	links  []string // symlinks written, checked once everything is in place
}

// budget counts the bytes a Package writes against Lambda's unzipped limit,
// whatever the zip headers claim.
type budget struct {
	limit, used int64
}

var errEscape = errors.New("leaves the folder")

// place returns where the entry name goes, following symlinks already in
// the tree for its parent folders; name uses '/' as zips do.
func (t *tree) place(name string) (string, error) {
	if path.IsAbs(name) || filepath.IsAbs(name) {
		return "", fmt.Errorf("%s: entry %q is an absolute path; Lambda unzips code relative to its folder", t.origin, name)
	}
	clean := path.Clean(name)
	if !filepath.IsLocal(clean) {
		return "", fmt.Errorf("%s: entry %q would be written outside the folder it unzips to", t.origin, name)
	}
	dir, err := t.resolve(path.Dir(clean))
	if err != nil {
		return "", fmt.Errorf("%s: entry %q goes through a symlink that %w", t.origin, name, err)
	}
	return filepath.Join(t.root, dir, path.Base(clean)), nil
}

// resolve expands the symlinks in rel (relative to the root) and returns the
// real relative path, or errEscape if it would climb out of the root.
func (t *tree) resolve(rel string) (string, error) {
	var done []string
	todo := strings.Split(rel, "/")
	for hops := 0; len(todo) > 0; {
		part := todo[0]
		todo = todo[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			if len(done) == 0 {
				return "", errEscape
			}
			done = done[:len(done)-1]
			continue
		}
		cur := filepath.Join(t.root, filepath.Join(done...), part)
		fi, err := os.Lstat(cur)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			done = append(done, part)
			continue
		}
		if hops++; hops > 40 {
			return "", errors.New("loops (too many levels of symbolic links)")
		}
		target, err := os.Readlink(cur)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(target) {
			return "", errEscape
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return filepath.Join(done...), nil
}

// dir makes the folder name (and its parents).
func (t *tree) dir(name string) error {
	p, err := t.place(name)
	if err != nil {
		return err
	}
	if fi, err := os.Lstat(p); err == nil && !fi.IsDir() {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	return os.MkdirAll(p, 0o755)
}

// file writes r as the file name with mode's permission bits, replacing
// whatever an earlier layer had there.
func (t *tree) file(name string, mode fs.FileMode, r io.Reader) error {
	p, err := t.place(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if fi, err := os.Lstat(p); err == nil && !fi.Mode().IsRegular() {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	left := t.budget.limit - t.budget.used
	n, err := io.Copy(f, io.LimitReader(r, left+1))
	t.budget.used += n
	if err == nil && n > left {
		err = &ParameterError{Type: "InvalidParameterValueException", Message: fmt.Sprintf(
			"Unzipped size must be smaller than %d bytes", MaxUnzippedBytes)}
	}
	if err == nil {
		err = f.Chmod(mode.Perm() | 0o600)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %s: %w", t.origin, name, err)
	}
	return nil
}

// symlink makes name a symlink to target; check verifies it stays inside.
func (t *tree) symlink(name, target string) error {
	if filepath.IsAbs(target) {
		return fmt.Errorf("%s: symlink %q -> %q points outside the function's folder (absolute target)", t.origin, name, target)
	}
	p, err := t.place(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.RemoveAll(p); err != nil {
		return err
	}
	if err := os.Symlink(target, p); err != nil {
		return err
	}
	rel, _ := filepath.Rel(t.root, p)
	t.links = append(t.links, filepath.ToSlash(rel))
	return nil
}

// check verifies every symlink written so far resolves inside the tree, now
// that all of its targets are in place.
func (t *tree) check() error {
	for _, rel := range t.links {
		target, err := os.Readlink(filepath.Join(t.root, rel))
		if err != nil {
			continue // replaced by a later entry
		}
		// not path.Join: cleaning "d/.." lexically would skip the link d
		if _, err := t.resolve(path.Dir(rel) + "/" + target); err != nil {
			return fmt.Errorf("%s: symlink %q -> %q points outside the function's folder", t.origin, rel, target)
		}
	}
	return nil
}

// copyFolder writes the folder src into the tree. Version-control folders
// (.git) are left out: they are not part of what a student deploys.
func (t *tree) copyFolder(src string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == "." {
			return nil
		}
		name := filepath.ToSlash(rel)
		switch {
		case d.IsDir() && d.Name() == ".git":
			return filepath.SkipDir
		case d.IsDir():
			return t.dir(name)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return t.symlink(name, target)
		case d.Type().IsRegular():
			return t.copyFile(name, p)
		}
		return nil // sockets, devices and pipes are not code
	})
}

func (t *tree) copyFile(name, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return t.file(name, fi.Mode(), f)
}

// folderSize adds up the regular files copyFolder would write.
func folderSize(src string) (int64, error) {
	var n int64
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	return n, err
}
