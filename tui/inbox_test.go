package tui

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// gatedHTTP holds a PUT's body after its first read until release closes:
// an upload caught in the middle, its progress still to be sent.
type gatedHTTP struct {
	inner    s3.HTTPClient
	entered  chan struct{}
	release  chan struct{}
	enterOne sync.Once
}

type gatedBody struct {
	io.ReadCloser
	g    *gatedHTTP
	read bool
}

func (b *gatedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if !b.read {
		b.read = true
		b.g.enterOne.Do(func() { close(b.g.entered) })
		<-b.g.release
	}
	return n, err
}

func (g *gatedHTTP) Do(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && r.Body != nil {
		r.Body = &gatedBody{ReadCloser: r.Body, g: g}
	}
	return g.inner.Do(r)
}

// TestQuitDuringUpload quits (q) while an upload is half sent, with the
// bus forwarder and the upload both sending into the inbox, then lets the
// upload go on: nothing sends on a closed channel (the S3 handler reported
// such a panic as the upload's error, and the upload's last report crashed
// the program), the forwarder returns, and the upload stops.
func TestQuitDuringUpload(t *testing.T) {
	lab := labtest.Start(t, studentLab)
	g := &gatedHTTP{entered: make(chan struct{}), release: make(chan struct{})}
	client := s3.New(lab.RootClient().Options(), func(o *s3.Options) { g.inner, o.HTTPClient = o.HTTPClient, g })
	inbox := NewInbox()
	sub := lab.Bus().Subscribe()
	forwarded := make(chan struct{})
	go func() { Forward(sub, inbox); close(forwarded) }()
	src := NewSource(lab.Lab, lab.Endpoint)
	src.Clients.S3 = client
	m := New(src, inbox)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(m.c.Src.loadLab()())

	path := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(path, make([]byte, 4<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, k := range append([]string{"u"}, strings.Split(path, "")...) {
		m.Update(keyPress(k))
	}
	_, upload := m.Update(keyPress("enter"))
	if upload == nil {
		t.Fatal("enter in the upload dialog started nothing")
	}
	result := make(chan tea.Msg, 1)
	go func() { result <- upload() }()
	<-g.entered

	// The UI reads its inbox until a progress report arrives: the upload is
	// sending into it.
	for {
		msg := inbox.wait()()
		if _, ok := msg.(progressMsg); ok {
			break
		}
	}
	_, cmd := m.Update(keyPress("q"))
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q did not quit")
	}
	sub.Close() // as Run does once the program ends
	<-forwarded
	close(g.release)

	select {
	case msg := <-result:
		r, _ := msg.(resultMsg)
		if r.err == nil || !strings.Contains(r.err.Error(), context.Canceled.Error()) || strings.Contains(r.err.Error(), "panic") {
			t.Fatalf("the upload ended with %v, want it cancelled by the quit", r.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the upload did not stop after the quit")
	}
	if msg := inbox.wait()(); msg != nil {
		t.Errorf("a closed inbox delivered %T", msg)
	}
}
