package emulator_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// stalledUpload is a PUT whose client sent its headers and part of its
// body, then went quiet.
type stalledUpload struct {
	conn net.Conn
	r    *bufio.Reader
}

// stallPut sends a PUT of path declaring length bytes, waits for the lab's
// 100 Continue (the lab has started reading the body), sends sent and
// stops there.
func stallPut(t *testing.T, endpoint, path string, header map[string]string, length int, sent string) *stalledUpload {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(60 * time.Second)) // a failure bound, not a measurement
	var head strings.Builder
	head.WriteString("PUT " + path + " HTTP/1.1\r\nHost: lab\r\nExpect: 100-continue\r\n")
	for k, v := range header {
		head.WriteString(k + ": " + v + "\r\n")
	}
	head.WriteString("Content-Length: " + strconv.Itoa(length) + "\r\n\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	s := &stalledUpload{conn: conn, r: bufio.NewReader(conn)}
	line, err := s.r.ReadString('\n')
	if err != nil || !strings.Contains(line, "100 Continue") {
		t.Fatalf("waiting for 100 Continue: %q %v", line, err)
	}
	if _, err := s.r.ReadString('\n'); err != nil { // the blank line after it
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, sent); err != nil {
		t.Fatal(err)
	}
	return s
}

// answer reads the lab's answer to the stalled upload.
func (s *stalledUpload) answer(t *testing.T) answer {
	t.Helper()
	resp, err := http.ReadResponse(s.r, nil)
	if err != nil {
		t.Fatalf("no answer to the stalled upload: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return parseAnswer(resp.StatusCode, b)
}

// TestStalledUploadBlocksNobody: a client that sends half a body and goes
// quiet does not hold the key: another client's PUT and DELETE of the same
// key go through meanwhile (before, the key's lock was held while the body
// was read, and they waited for as long as the stalled client lived).
func TestStalledUploadBlocksNobody(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	stalled := stallPut(t, lab.Endpoint, "/"+outBucket+"/shared.txt", nil, 1000, strings.Repeat("s", 500))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a failure bound
	defer cancel()
	if _, err := lab.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(outBucket), Key: aws.String("shared.txt"),
		Body: strings.NewReader("second")}); err != nil {
		t.Fatalf("a second PUT of the key waited for the stalled one: %v", err)
	}
	if _, err := lab.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(outBucket), Key: aws.String("shared.txt")}); err != nil {
		t.Fatalf("a DELETE of the key waited for the stalled PUT: %v", err)
	}
	if _, err := lab.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(outBucket), Key: aws.String("shared.txt"),
		Body: strings.NewReader("third")}); err != nil {
		t.Fatal(err)
	}
	// The stalled client hangs up: its upload is not stored.
	stalled.conn.(*net.TCPConn).CloseWrite()
	if a := stalled.answer(t); a.status != 400 || a.code != "IncompleteBody" {
		t.Errorf("the stalled upload was answered %d %s", a.status, a.code)
	}
	if _, got := lab.Get(t, outBucket, "shared.txt"); string(got) != "third" {
		t.Errorf("shared.txt holds %q", got)
	}
}

// TestIdleBodyTimesOut: a body that stops arriving is answered as S3
// answers it, 400 RequestTimeout, once the lab's idle timeout passes;
// nothing is stored and the lab goes on.
func TestIdleBodyTimesOut(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "", emulator.WithBodyTimeout(time.Second))
	for _, path := range []string{"/" + inBucket + "/idle.png", "/" + outBucket + "/idle.txt?partNumber=1&uploadId=none"} {
		stalled := stallPut(t, lab.Endpoint, path, nil, 1000, "only part of it")
		a := stalled.answer(t)
		if a.status != 400 || a.code != "RequestTimeout" ||
			a.message != "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed." {
			t.Errorf("%s: answered %d %s %q", path, a.status, a.code, a.message)
		}
	}
	if _, err := lab.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(inBucket), Key: aws.String("idle.png")}); err == nil {
		t.Error("the timed-out upload was stored")
	}
	lab.Put(t, outBucket, "after.txt", []byte("fine"), "")
}

// TestDeclaredLengthCostsNothing: a PUT declaring 5 GiB (S3's largest) and
// sending 100 bytes is IncompleteBody, and the lab holds only what arrived
// (the prlimit test in cmd/lambdalab runs it under a 1 GiB address space).
func TestDeclaredLengthCostsNothing(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	h := &hostileLab{Lab: lab}
	a := h.tcp(t, putHead(outBucket+"/declared.bin", "5368709120")+strings.Repeat("x", 100), false)
	if a.status != 400 || a.code != "IncompleteBody" {
		t.Errorf("answered %d %s", a.status, a.code)
	}
	lab.Put(t, outBucket, "after.bin", bytes.Repeat([]byte("y"), 10), "")
}
