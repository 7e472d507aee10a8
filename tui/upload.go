package tui

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// expandPaths turns what the user typed — a file, a directory, or a glob —
// into files and the keys they get (a directory's files keep their paths
// below it).
func expandPaths(input string) (files, keys []string, err error) {
	input = expandHome(strings.TrimSpace(input))
	if input == "" {
		return nil, nil, fmt.Errorf("type a file, a folder or a pattern such as ~/Pictures/*.png")
	}
	matches := []string{input}
	if _, err := os.Stat(input); err != nil {
		// Not a path as typed: a pattern, then.
		if matches, err = filepath.Glob(input); err != nil {
			return nil, nil, fmt.Errorf("bad pattern %q: %v", input, err)
		}
	}
	if len(matches) == 0 {
		return nil, nil, fmt.Errorf("no such file: %s", input)
	}
	for _, m := range matches {
		st, err := os.Stat(m)
		if err != nil {
			return nil, nil, err
		}
		if !st.IsDir() {
			files, keys = append(files, m), append(keys, filepath.Base(m))
			continue
		}
		err = filepath.WalkDir(m, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(m, p)
			files, keys = append(files, p), append(keys, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return files, keys, nil
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}

// completePath completes the last path element of input: the longest
// common prefix of the matches, and the matches themselves to show.
func completePath(input string) (string, []string) {
	expanded := expandHome(input)
	dir, base := filepath.Split(expanded)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return input, nil
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), base) && (strings.HasPrefix(base, ".") || !strings.HasPrefix(e.Name(), ".")) {
			n := e.Name()
			if e.IsDir() {
				n += string(filepath.Separator)
			}
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return input, nil
	}
	common := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, common) {
			common = common[:len(common)-1]
		}
	}
	prefix := input[:len(input)-len(base)]
	return prefix + common, names
}

// progressReader reports how far a file has been read.
type progressReader struct {
	f      *os.File
	file   string
	total  int64
	pos    int64
	shown  int64
	report func(progressMsg)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.f.Read(b)
	p.pos += int64(n)
	// The SDK reads a body more than once (checksum, signature): report
	// the furthest point, in steps of 1%.
	if p.pos > p.shown && (p.pos-p.shown)*100 >= p.total || p.pos == p.total {
		p.shown = max(p.shown, p.pos)
		p.report(progressMsg{file: p.file, done: p.shown, total: p.total})
	}
	return n, err
}

func (p *progressReader) Seek(off int64, whence int) (int64, error) {
	pos, err := p.f.Seek(off, whence)
	p.pos = pos
	return pos, err
}

// upload puts files under prefix into bucket, reporting progress into
// inbox; closing the inbox (quitting) cancels it.
func (src *Source) upload(bucket, prefix string, files, keys []string, inbox *Inbox) tea.Cmd {
	send := func(m progressMsg) { inbox.offer(m) }
	return func() tea.Msg {
		c, cancel := context.WithTimeout(inbox.Context(), timeout)
		defer cancel()
		for i, path := range files {
			f, err := os.Open(path)
			if err != nil {
				return resultMsg{err: err}
			}
			st, err := f.Stat()
			if err != nil {
				f.Close()
				return resultMsg{err: err}
			}
			key := prefix + keys[i]
			ct := mime.TypeByExtension(strings.ToLower(filepath.Ext(path)))
			if ct == "" {
				ct = "application/octet-stream"
			}
			body := &progressReader{f: f, file: key, total: st.Size(), report: send}
			_, err = src.Clients.S3.PutObject(c, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
				Body: io.ReadSeeker(body), ContentLength: aws.Int64(st.Size()), ContentType: aws.String(ct)})
			f.Close()
			if err != nil {
				return resultMsg{err: fmt.Errorf("upload %s: %s", key, apiMessage(err))}
			}
		}
		send(progressMsg{finished: true})
		return src.after(resultMsg{text: fmt.Sprintf("uploaded %d file(s) to %s", len(files), bucket)})
	}
}
