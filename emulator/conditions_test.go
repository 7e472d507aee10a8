package emulator_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// TestConditionalWrites: PutObject and CompleteMultipartUpload with
// If-None-Match: * and If-Match, answered as S3 answers them; a refused
// write changes nothing and sends no event.
func TestConditionalWrites(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	ctx := context.Background()
	c := lab.Client
	first := lab.Put(t, outBucket, "cond.txt", []byte("first"), "")
	etag := aws.ToString(first.ETag)
	put := func(key, body string, in func(*s3.PutObjectInput)) answer {
		p := &s3.PutObjectInput{Bucket: aws.String(outBucket), Key: aws.String(key), Body: strings.NewReader(body)}
		in(p)
		_, err := c.PutObject(ctx, p)
		return sdk(err)
	}
	before := len(labtest.Of[bus.ObjectChanged](lab.Events))
	refused := []struct {
		name   string
		key    string
		in     func(*s3.PutObjectInput)
		status int
		code   string
	}{
		{"If-None-Match: * of an existing key", "cond.txt", func(p *s3.PutObjectInput) { p.IfNoneMatch = aws.String("*") }, 412, "PreconditionFailed"},
		{"If-None-Match: the current ETag", "cond.txt", func(p *s3.PutObjectInput) { p.IfNoneMatch = aws.String(etag) }, 501, "NotImplemented"},
		{"If-Match: another ETag", "cond.txt", func(p *s3.PutObjectInput) { p.IfMatch = aws.String(`"0123456789abcdef0123456789abcdef"`) }, 412, "PreconditionFailed"},
		{"If-Match of a missing key", "missing.txt", func(p *s3.PutObjectInput) { p.IfMatch = aws.String(etag) }, 404, "NoSuchKey"},
	}
	for _, tc := range refused {
		if a := put(tc.key, "overwritten", tc.in); a.status != tc.status || a.code != tc.code {
			t.Errorf("%s: answered %d %s, want %d %s", tc.name, a.status, a.code, tc.status, tc.code)
		}
	}
	if _, got := lab.Get(t, outBucket, "cond.txt"); string(got) != "first" {
		t.Errorf("a refused conditional write changed the object: %q", got)
	}
	if n := len(labtest.Of[bus.ObjectChanged](lab.Events)); n != before {
		t.Errorf("refused conditional writes committed %d changes", n-before)
	}
	if a := put("cond.txt", "second", func(p *s3.PutObjectInput) { p.IfMatch = aws.String(etag) }); a.status != 200 {
		t.Errorf("If-Match: the current ETag: %+v", a)
	}
	if a := put("new.txt", "new", func(p *s3.PutObjectInput) { p.IfNoneMatch = aws.String("*") }); a.status != 200 {
		t.Errorf("If-None-Match: * of a new key: %+v", a)
	}
}

// TestConditionalCompletion: CompleteMultipartUpload with If-None-Match: *
// of a key that appeared while the upload ran is refused, and the upload
// is kept.
func TestConditionalCompletion(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	ctx := context.Background()
	c := lab.Client
	lab.Put(t, outBucket, "cond.txt", []byte("first"), "")
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(outBucket), Key: aws.String("cond.txt")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(outBucket), Key: aws.String("cond.txt"), UploadId: mp.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("only part")})
	if err != nil {
		t.Fatal(err)
	}
	complete := completeInput(outBucket, "cond.txt", mp.UploadId, []s3types{{1, aws.ToString(part.ETag)}})
	complete.IfNoneMatch = aws.String("*")
	if _, err := c.CompleteMultipartUpload(ctx, complete); sdk(err).code != "PreconditionFailed" {
		t.Errorf("CompleteMultipartUpload If-None-Match: * of an existing key: %v", err)
	}
	complete.IfNoneMatch = nil
	if _, err := c.CompleteMultipartUpload(ctx, complete); err != nil {
		t.Errorf("the upload is still there after the refused completion: %v", err)
	}
}

// TestConditionalWritesRace: of many If-None-Match: * writes of one new key
// at once, exactly one succeeds and the others are 412: the check and the
// write are one, under the key's lock.
func TestConditionalWritesRace(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	const n = 12
	var wg sync.WaitGroup
	answers := make([]answer, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := lab.Client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(outBucket), Key: aws.String("race.txt"),
				Body: strings.NewReader(strings.Repeat("w", i+1)), IfNoneMatch: aws.String("*")})
			answers[i] = sdk(err)
		}()
	}
	wg.Wait()
	won := -1
	for i, a := range answers {
		switch {
		case a.status == 200 && won < 0:
			won = i
		case a.status == 200:
			t.Errorf("writers %d and %d both created race.txt", won, i)
		case a.code != "PreconditionFailed":
			t.Errorf("writer %d: %+v", i, a)
		}
	}
	if won < 0 {
		t.Fatal("no writer created race.txt")
	}
	if _, got := lab.Get(t, outBucket, "race.txt"); len(got) != won+1 {
		t.Errorf("race.txt holds %d bytes, the winner wrote %d", len(got), won+1)
	}
}

// TestConditionalWriteConflict: the key an If-Match upload names is
// deleted while its body arrives: S3 answers 409 ConditionalRequestConflict.
func TestConditionalWriteConflict(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	etag := aws.ToString(lab.Put(t, outBucket, "busy.txt", []byte("v1"), "").ETag)
	stalled := stallPut(t, lab.Endpoint, "/"+outBucket+"/busy.txt", map[string]string{"If-Match": etag}, 10, "12345")
	if _, err := lab.Client.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(outBucket), Key: aws.String("busy.txt")}); err != nil {
		t.Fatal(err)
	}
	stalled.conn.Write([]byte("67890"))
	a := stalled.answer(t)
	if a.status != 409 || a.code != "ConditionalRequestConflict" ||
		a.message != "A conflicting conditional operation is currently in progress against this resource. Please try again." {
		t.Errorf("answered %d %s %q", a.status, a.code, a.message)
	}
	if _, err := lab.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(outBucket), Key: aws.String("busy.txt")}); err == nil {
		t.Error("the conflicting write stored its object")
	}
}

// TestConditionalReads: GET and HEAD with If-Match, If-None-Match,
// If-Modified-Since and If-Unmodified-Since, in RFC 9110's order, as S3
// applies it (If-Match wins over If-Unmodified-Since, If-None-Match over
// If-Modified-Since, and a failed precondition over a Range).
func TestConditionalReads(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	out := lab.Put(t, outBucket, "read.txt", []byte("0123456789"), "text/plain")
	etag := aws.ToString(out.ETag)
	head, err := lab.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(outBucket), Key: aws.String("read.txt")})
	if err != nil {
		t.Fatal(err)
	}
	modified := aws.ToTime(head.LastModified)
	date := func(d time.Duration) string { return modified.Add(d).UTC().Format(http.TimeFormat) }
	other := `"ffffffffffffffffffffffffffffffff"`
	cases := []struct {
		name   string
		header map[string]string
		status int
		code   string
	}{
		{"If-Match: the ETag", map[string]string{"If-Match": etag}, 200, ""},
		{"If-Match: another ETag", map[string]string{"If-Match": other}, 412, "PreconditionFailed"},
		{"If-Match: a list holding the ETag", map[string]string{"If-Match": other + ", " + etag}, 200, ""},
		{"If-Match: *", map[string]string{"If-Match": "*"}, 200, ""},
		{"If-Unmodified-Since an hour before", map[string]string{"If-Unmodified-Since": date(-time.Hour)}, 412, "PreconditionFailed"},
		{"If-Unmodified-Since an hour before, If-Match the ETag", map[string]string{"If-Unmodified-Since": date(-time.Hour), "If-Match": etag}, 200, ""},
		{"If-None-Match: the ETag", map[string]string{"If-None-Match": etag}, 304, ""},
		{"If-None-Match: the weak ETag", map[string]string{"If-None-Match": "W/" + etag}, 304, ""},
		{"If-None-Match: another ETag", map[string]string{"If-None-Match": other}, 200, ""},
		{"If-Modified-Since the modification", map[string]string{"If-Modified-Since": date(0)}, 304, ""},
		{"If-Modified-Since an hour before", map[string]string{"If-Modified-Since": date(-time.Hour)}, 200, ""},
		{"If-Modified-Since that is not a date", map[string]string{"If-Modified-Since": "yesterday"}, 200, ""},
		{"If-None-Match another ETag wins over If-Modified-Since", map[string]string{"If-None-Match": other, "If-Modified-Since": date(0)}, 200, ""},
		{"If-Match fails before a Range beyond the object", map[string]string{"If-Match": other, "Range": "bytes=500-600"}, 412, "PreconditionFailed"},
		{"If-Match holds with a Range", map[string]string{"If-Match": etag, "Range": "bytes=2-3"}, 206, ""},
	}
	for _, tc := range cases {
		for _, m := range []string{"GET", "HEAD"} {
			a, resp := rawAnswer(t, m, lab.Endpoint+"/"+outBucket+"/read.txt", tc.header)
			code := tc.code
			if m == "HEAD" {
				code = "" // no error document
			}
			if a.status != tc.status || a.code != code {
				t.Errorf("%s %s: answered %d %s, want %d %s", m, tc.name, a.status, a.code, tc.status, code)
			}
			if tc.status == 304 && resp.Header.Get("ETag") != etag {
				t.Errorf("%s %s: 304 without the ETag (%q)", m, tc.name, resp.Header.Get("ETag"))
			}
		}
	}
	// The SDK sees S3's errors.
	_, err = lab.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(outBucket), Key: aws.String("read.txt"), IfMatch: aws.String(other)})
	if a := sdk(err); a.status != 412 || a.code != "PreconditionFailed" {
		t.Errorf("SDK GetObject If-Match: %+v", a)
	}
	_, err = lab.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(outBucket), Key: aws.String("read.txt"), IfNoneMatch: aws.String(etag)})
	if a := sdk(err); a.status != 304 {
		t.Errorf("SDK HeadObject If-None-Match: %+v", a)
	}
}

// rawAnswer sends a request with headers and returns the answer and the
// response (its body read).
func rawAnswer(t *testing.T, method, url string, header map[string]string) (answer, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	return parseAnswer(resp.StatusCode, body.Bytes()), resp
}
