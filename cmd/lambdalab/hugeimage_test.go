package main

import (
	"bytes"
	"context"
	bin "encoding/binary"
	"hash/crc32"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// pngHeader returns a PNG that declares w×h RGBA pixels: the signature, a
// valid IHDR and a tiny IDAT, nothing near the pixels it promises.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.Write([]byte("\x89PNG\r\n\x1a\n"))
	chunk := func(typ string, data []byte) {
		bin.Write(&b, bin.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		bin.Write(&b, bin.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	bin.BigEndian.PutUint32(ihdr[0:], w)
	bin.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// peakRSS is a process's peak resident set (VmHWM) in MB.
func peakRSS(t *testing.T, pid int) int {
	t.Helper()
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatalf("reading the peak RSS: %v", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				t.Fatalf("VmHWM %q: %v", rest, err)
			}
			return kb >> 10
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// TestHugePNGHeader: a 50,000 × 50,000 PNG (a few bytes that promise 10 GB
// of pixels) fails its invocation with a message saying why, and lambdalab's
// peak RSS stays under 300 MB.
func TestHugePNGHeader(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	client := labtest.Client(s.endpoint, "test", "test")
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("cis-examples"),
		Key: aws.String("huge.png"), Body: bytes.NewReader(pngHeader(50000, 50000))})
	if err != nil {
		t.Fatal(err)
	}
	want := "png image of 50000x50000 pixels needs about"
	s.waitOutput(t, want)
	if !strings.Contains(s.out.String(), "raise its memory size or upload a smaller image") {
		t.Errorf("the error does not say what to do:\n%s", s.out)
	}
	// The lab is unharmed: it still answers.
	if _, err := client.ListBuckets(context.Background(), &s3.ListBucketsInput{}); err != nil {
		t.Errorf("ListBuckets after the huge image: %v", err)
	}
	if rss := peakRSS(t, s.cmd.Process.Pid); rss >= 300 {
		t.Errorf("peak RSS %d MB, want < 300 MB", rss)
	} else {
		t.Logf("peak RSS of lambdalab: %d MB", rss)
	}
}
