package s3

import (
	"bytes"
	"crypto/md5"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// Request bodies are read in full by the lab before it takes a key's lock
// and before gofakes3 sees them. A client declaring 5 GiB and sending 100
// bytes then costs 100 bytes (gofakes3's backends allocate the declared
// size up front), and a client that stalls halfway holds up nobody else
// writing the key: S3 never lets one upload block another.

// DefaultBodyTimeout is how long the lab waits for the next bytes of a
// request body before answering RequestTimeout, as S3 closes a connection
// idle for about 20 seconds.
const DefaultBodyTimeout = 20 * time.Second

// spoolMemory is how much of a body is kept in memory; the rest goes to a
// temporary file.
const spoolMemory = 4 << 20

// WithBodyTimeout sets how long a request body may stay idle (no bytes
// arriving) before the request is answered RequestTimeout.
func WithBodyTimeout(d time.Duration) Option { return func(s *Server) { s.bodyTimeout = d } }

// WithSpoolDir sets the directory of the temporary files holding large
// request bodies (default: the system's temporary directory). The files are
// unlinked as soon as they are created, so nothing is left behind, even
// after a crash.
func WithSpoolDir(dir string) Option { return func(s *Server) { s.spoolDir = dir } }

// msgRequestTimeout is S3's message for a body that stopped arriving.
const msgRequestTimeout = "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."

// idleBody is a request body whose reads time out when no byte arrives
// for idle: each read moves the connection's read deadline.
type idleBody struct {
	body     io.ReadCloser
	rc       *http.ResponseController
	idle     time.Duration
	timedOut bool
}

// watchBody puts r's body behind an idle timeout. Bodies that do not come
// from a connection (the in-process transport) have no deadline to move and
// are read as they are.
func (s *Server) watchBody(w http.ResponseWriter, r *http.Request) *idleBody {
	b := &idleBody{body: r.Body, idle: s.bodyTimeout}
	if b.idle > 0 && r.Body != nil && r.Body != http.NoBody {
		b.rc = http.NewResponseController(w)
	}
	if r.Body != nil {
		r.Body = b
	}
	return b
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.rc != nil {
		if err := b.rc.SetReadDeadline(time.Now().Add(b.idle)); err != nil {
			b.rc = nil // not a connection of ours: nothing to time out
		}
	}
	n, err := b.body.Read(p)
	if err != nil && isTimeout(err) {
		b.timedOut = true
		return n, NewError("RequestTimeout", msgRequestTimeout)
	}
	return n, err
}

// Close clears the deadline, so that the connection's next request starts
// afresh.
func (b *idleBody) Close() error {
	if b.rc != nil {
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return b.body.Close()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// spool is a request body read ahead: in memory up to spoolMemory bytes,
// beyond that in an unlinked temporary file. It is read back as the body.
type spool struct {
	mem  bytes.Buffer
	file *os.File
	dir  string
	size int64
	md5  []byte
	read io.Reader
}

// newSpool reads src to its end, or to limit+1 bytes. A failure to read
// src is answered as bodyError says; a failure to keep the bytes is the
// lab's own (InternalError).
func newSpool(src io.Reader, limit int64, dir string) (*spool, error) {
	sp := &spool{dir: dir}
	h := md5.New()
	in := &readErr{r: io.LimitReader(src, limit+1)}
	_, err := io.Copy(io.MultiWriter(sp, h), in)
	if err != nil {
		sp.Close()
		if in.err != nil {
			return nil, bodyError(in.err)
		}
		return nil, err
	}
	sp.md5 = h.Sum(nil)
	if sp.file != nil {
		if _, err := sp.file.Seek(0, io.SeekStart); err != nil {
			sp.Close()
			return nil, err
		}
		sp.read = sp.file
	} else {
		sp.read = bytes.NewReader(sp.mem.Bytes())
	}
	return sp, nil
}

// Write keeps p in memory while the body is small, in the file after.
func (sp *spool) Write(p []byte) (int, error) {
	sp.size += int64(len(p))
	if sp.file == nil && sp.mem.Len()+len(p) <= spoolMemory {
		return sp.mem.Write(p)
	}
	if sp.file == nil {
		f, err := os.CreateTemp(sp.dir, "lambdalab-body-*")
		if err != nil {
			return 0, err
		}
		_ = os.Remove(f.Name()) // the open descriptor keeps the bytes
		sp.file = f
		if _, err := f.Write(sp.mem.Bytes()); err != nil {
			return 0, err
		}
		sp.mem = bytes.Buffer{}
	}
	return sp.file.Write(p)
}

// Read reads the spooled body back.
func (sp *spool) Read(p []byte) (int, error) { return sp.read.Read(p) }

// Close releases the memory or the file.
func (sp *spool) Close() error {
	sp.mem = bytes.Buffer{}
	if sp.file != nil {
		err := sp.file.Close()
		sp.file = nil
		return err
	}
	return nil
}

// readErr remembers the error its reader returned.
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// bodyError turns a failure to read a body into S3's answer: the client
// went quiet (RequestTimeout), sent a body the lab refuses (its own
// error: BadDigest, a malformed aws-chunked body), or sent fewer bytes than
// it declared or hung up (IncompleteBody).
func bodyError(err error) error {
	if e := asError(err); e.Code != "InternalError" {
		return e
	}
	return NewError("IncompleteBody", "")
}
