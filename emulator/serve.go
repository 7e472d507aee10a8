package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"
)

// AddrInUseError says the endpoint's address is taken.
type AddrInUseError struct {
	Addr string
	Err  error
}

func (e *AddrInUseError) Error() string {
	return fmt.Sprintf("address %s is already in use", e.Addr)
}

func (e *AddrInUseError) Unwrap() error { return e.Err }

type httpServer struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// Serve starts the S3 endpoint on addr (host:port) and returns the
// endpoint URL. Port 0 picks a free port.
func (l *Lab) Serve(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return "", &AddrInUseError{Addr: addr, Err: err}
		}
		return "", err
	}
	hs := l.serveOn(ln)
	l.serveMu.Lock()
	l.server = hs
	l.serveMu.Unlock()
	return "http://" + ln.Addr().String(), nil
}

func (l *Lab) serveOn(ln net.Listener) *httpServer {
	hs := &httpServer{
		srv:  &http.Server{Handler: l.Handler(), ReadHeaderTimeout: 30 * time.Second},
		ln:   ln,
		done: make(chan struct{}),
	}
	go func() {
		defer close(hs.done)
		_ = hs.srv.Serve(ln)
	}()
	return hs
}

// Endpoint is the URL the lab serves on ("" when not serving).
func (l *Lab) Endpoint() string {
	l.serveMu.Lock()
	defer l.serveMu.Unlock()
	if l.server == nil {
		return ""
	}
	return "http://" + l.server.ln.Addr().String()
}

// functionEndpoint is the URL functions' processes reach the lab at: the
// endpoint it serves, or, when it serves none (a replay), a loopback port
// of its own.
func (l *Lab) functionEndpoint() string {
	if e := l.Endpoint(); e != "" {
		return e
	}
	l.serveMu.Lock()
	defer l.serveMu.Unlock()
	if l.internal == nil {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "http://127.0.0.1:1" // nothing listens: the function's calls fail, and say so
		}
		l.internal = l.serveOn(ln)
	}
	return "http://" + l.internal.ln.Addr().String()
}

// close lets requests in progress finish for a moment, then closes every
// connection. (Shutdown alone waits 5 s for connections a client opened
// but never used.)
func (h *httpServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err != nil {
		_ = h.srv.Close()
	}
	<-h.done
}
