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
	hs := &httpServer{
		srv:  &http.Server{Handler: l.s3, ReadHeaderTimeout: 30 * time.Second},
		ln:   ln,
		done: make(chan struct{}),
	}
	go func() {
		defer close(hs.done)
		_ = hs.srv.Serve(ln)
	}()
	l.server = hs
	return "http://" + ln.Addr().String(), nil
}

// Endpoint is the URL the lab serves on ("" when not serving).
func (l *Lab) Endpoint() string {
	if l.server == nil {
		return ""
	}
	return "http://" + l.server.ln.Addr().String()
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
