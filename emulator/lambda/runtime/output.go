package runtime

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
)

// LineSink receives each line an environment's process writes to stdout or
// stderr, without its newline, in the order written. Calls come from one
// goroutine at a time.
type LineSink interface{ Line(s string) }

// MaxLineBytes is where a line without a newline is split, as Lambda splits
// long log lines.
const MaxLineBytes = 256 * 1024

// output reads the pipe a process's stdout and stderr share and cuts it into
// lines. drain makes "everything written so far has reached the sink"
// deterministic: it writes a token into the same pipe through lambdalab's
// own write end and waits for the reader to come across it. A pipe is FIFO,
// so every byte the process wrote before it posted its response (the HTTP
// request arrived, so those writes had returned) is ahead of the token.
type output struct {
	r, w  *os.File
	sink  LineSink
	token []byte

	wmu  sync.Mutex // one token write at a time, tickets in pipe order
	mu   sync.Mutex
	cond *sync.Cond
	sent uint64 // tokens written
	seen uint64 // tokens the reader came across
	eof  bool

	line []byte // the line being assembled; reader goroutine only
	done chan struct{}
}

func newOutput(sink LineSink) (*output, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	var nonce [12]byte
	rand.Read(nonce[:])
	o := &output{r: r, w: w, sink: sink, done: make(chan struct{}),
		token: []byte("\x00lambdalab-drain-" + hex.EncodeToString(nonce[:]) + "\x00")}
	o.cond = sync.NewCond(&o.mu)
	go o.read()
	return o, nil
}

func (o *output) read() {
	defer close(o.done)
	buf := make([]byte, 64*1024)
	var carry []byte
	for {
		n, err := o.r.Read(buf)
		if n > 0 {
			carry = o.scan(append(carry, buf[:n]...))
		}
		if err != nil {
			o.emit(carry)
			o.flush()
			o.mu.Lock()
			o.eof = true
			o.cond.Broadcast()
			o.mu.Unlock()
			return
		}
	}
}

// scan passes data on to the lines, minus the tokens in it, and returns the
// tail that may be the start of a token cut by the read.
func (o *output) scan(data []byte) []byte {
	for {
		i := bytes.Index(data, o.token)
		if i < 0 {
			break
		}
		o.emit(data[:i])
		o.flush()
		data = data[i+len(o.token):]
		o.mu.Lock()
		o.seen++
		o.cond.Broadcast()
		o.mu.Unlock()
	}
	keep := 0
	for k := min(len(data), len(o.token)-1); k > 0; k-- {
		if bytes.HasPrefix(o.token, data[len(data)-k:]) {
			keep = k
			break
		}
	}
	o.emit(data[:len(data)-keep])
	return bytes.Clone(data[len(data)-keep:])
}

func (o *output) emit(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			o.line = append(o.line, b...)
			for len(o.line) >= MaxLineBytes {
				o.deliver(o.line[:MaxLineBytes])
				o.line = append(o.line[:0], o.line[MaxLineBytes:]...)
			}
			return
		}
		o.line = append(o.line, b[:i]...)
		b = b[i+1:]
		for len(o.line) > MaxLineBytes {
			o.deliver(o.line[:MaxLineBytes])
			o.line = o.line[MaxLineBytes:]
		}
		o.deliver(o.line)
		o.line = o.line[:0]
	}
}

// flush delivers a partial last line.
func (o *output) flush() {
	if len(o.line) > 0 {
		o.deliver(o.line)
		o.line = o.line[:0]
	}
}

func (o *output) deliver(b []byte) {
	if o.sink != nil {
		o.sink.Line(string(b))
	}
}

// drain returns once every byte written to the pipe before the call has
// reached the sink (a partial last line included).
func (o *output) drain() {
	o.wmu.Lock()
	o.mu.Lock()
	if o.eof || o.w == nil {
		o.mu.Unlock()
		o.wmu.Unlock()
		return
	}
	o.sent++
	ticket := o.sent
	w := o.w
	o.mu.Unlock()
	_, err := w.Write(o.token)
	o.wmu.Unlock()
	if err != nil {
		return
	}
	o.mu.Lock()
	for o.seen < ticket && !o.eof {
		o.cond.Wait()
	}
	o.mu.Unlock()
}

// close drains, then ends the reader even if a process that left the
// process group still holds the pipe.
func (o *output) close() {
	o.drain()
	o.wmu.Lock()
	o.mu.Lock()
	w := o.w
	o.w = nil
	o.mu.Unlock()
	o.wmu.Unlock()
	if w != nil {
		w.Close()
	}
	o.r.Close()
	<-o.done
}
