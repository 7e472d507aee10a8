package s3

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// uploadDir keeps multipart uploads in a directory, one folder per upload:
// upload.json (bucket, key, metadata, initiation) and a file per part,
// part-N-ETAG. Every file is synced, and renamed into place, before the
// request that made it is answered: an acknowledged part survives kill -9.
// Folder names are the lab's own upload ids, never a client's input.
type uploadDir struct {
	dir string
}

// OpenUploads opens (creating it when needed) a directory of multipart
// uploads kept by an earlier run, for WithUploads.
func OpenUploads(dir string) (*Uploads, error) {
	d := &uploadDir{dir: dir}
	found, err := d.load()
	if err != nil {
		return nil, err
	}
	u := &Uploads{disk: d, byID: map[gofakes3.UploadID]*mpUpload{}}
	for _, up := range found {
		u.byID[up.ID] = up
	}
	return u, nil
}

// WithUploads keeps multipart uploads in u (see OpenUploads), so that they
// survive a restart; without it they are held in memory.
func WithUploads(u *Uploads) Option { return func(s *Server) { s.mpUploads = u } }

func (d *uploadDir) folder(id gofakes3.UploadID) string { return filepath.Join(d.dir, string(id)) }

// create writes an upload's folder and description.
func (d *uploadDir) create(up *mpUpload) error {
	folder := d.folder(up.ID)
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return err
	}
	body, err := json.Marshal(up)
	if err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(folder, "upload.json"), body); err != nil {
		return err
	}
	return syncDir(d.dir)
}

// writePart writes a part's bytes to a temporary file of its upload.
func (d *uploadDir) writePart(id gofakes3.UploadID, n int, in io.Reader) (string, int64, error) {
	f, err := os.CreateTemp(d.folder(id), "tmp-part-"+strconv.Itoa(n)+"-*")
	if err != nil {
		return "", 0, refuse("NoSuchUpload", Field{"UploadId", string(id)})
	}
	size, err := io.Copy(f, in)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", 0, err
	}
	return f.Name(), size, nil
}

// commitPart renames a written part into place as part-N-ETAG and removes
// the part it replaces.
func (d *uploadDir) commitPart(id gofakes3.UploadID, p *mpPart) error {
	folder := d.folder(id)
	final := filepath.Join(folder, "part-"+strconv.Itoa(p.number)+"-"+strings.Trim(p.etag, `"`))
	if err := os.Rename(p.path, final); err != nil {
		os.Remove(p.path)
		return err
	}
	p.path = final
	old, _ := filepath.Glob(filepath.Join(folder, "part-"+strconv.Itoa(p.number)+"-*"))
	for _, o := range old {
		if o != final {
			os.Remove(o)
		}
	}
	return syncDir(folder)
}

func (d *uploadDir) removeFile(path string) { os.Remove(path) }

// remove deletes an upload's folder.
func (d *uploadDir) remove(id gofakes3.UploadID) error {
	if err := os.RemoveAll(d.folder(id)); err != nil {
		return err
	}
	return syncDir(d.dir)
}

// load reads the uploads kept in the directory. Temporary files (parts
// whose upload was never acknowledged) are removed.
func (d *uploadDir) load() ([]*mpUpload, error) {
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, err
	}
	var out []*mpUpload
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		up, err := d.loadUpload(filepath.Join(d.dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("multipart upload %s: %w (remove the folder to drop the upload)", filepath.Join(d.dir, e.Name()), err)
		}
		if up != nil {
			out = append(out, up)
		}
	}
	return out, nil
}

func (d *uploadDir) loadUpload(folder string) (*mpUpload, error) {
	body, err := os.ReadFile(filepath.Join(folder, "upload.json"))
	if os.IsNotExist(err) {
		return nil, os.RemoveAll(folder) // created, never acknowledged
	}
	if err != nil {
		return nil, err
	}
	up := &mpUpload{parts: map[int]*mpPart{}}
	if err := json.Unmarshal(body, up); err != nil || string(up.ID) != filepath.Base(folder) {
		return nil, fmt.Errorf("upload.json is damaged")
	}
	files, err := os.ReadDir(folder)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := f.Name()
		if strings.HasPrefix(name, "tmp-") {
			os.Remove(filepath.Join(folder, name))
			continue
		}
		rest, ok := strings.CutPrefix(name, "part-")
		num, etag, ok2 := strings.Cut(rest, "-")
		n, err := strconv.Atoi(num)
		if !ok || !ok2 || err != nil {
			continue
		}
		info, err := f.Info()
		if err != nil {
			return nil, err
		}
		if p := up.parts[n]; p != nil && p.modified.After(info.ModTime()) {
			continue // a replacement that was never acknowledged
		}
		up.parts[n] = &mpPart{number: n, etag: `"` + etag + `"`, size: info.Size(), modified: info.ModTime(),
			path: filepath.Join(folder, name)}
	}
	return up, nil
}

func openPart(path string) (io.ReadCloser, error) { return os.Open(path) }

// writeSynced writes a file whole: a temporary file, synced, renamed into
// place.
func writeSynced(path string, body []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(body)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a directory's entries (files created, renamed, removed)
// durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
