package emulator_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/iam"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// The hostile corpus (hostile_cases_test.go) sends the lab what a broken or
// malicious client might: each input with the answer S3 gives it. After
// every one the lab must still answer ListBuckets, hold exactly the objects
// it held (a canary keeps its bytes), keep its trigger, and have emitted no
// event for a write it refused.

// answer is what the lab said: the HTTP status and the S3 error, if any.
// Status 0 means no response (the client hung up first).
type answer struct {
	status        int
	code, message string
	fields        map[string]string // the other elements of the <Error>
}

// hostileCase is one hostile input and S3's answer to it.
type hostileCase struct {
	name    string
	send    func(t *testing.T, h *hostileLab) answer
	status  int
	code    string
	message string            // AWS's exact message, where it is fixed
	fields  map[string]string // elements the <Error> must carry
	// stores is "bucket/key" for an input S3 accepts and stores literally;
	// "" for one it refuses (nothing may be stored, no event emitted).
	stores string
}

const (
	inBucket  = "cis-examples"        // has the resize trigger: a slipped write would emit an event
	outBucket = "cis-examples-output" // no trigger: accepted hostile keys go here
	canaryKey = "canary.png"
)

// hostileLab is the lab under attack and what it must still hold.
type hostileLab struct {
	*labtest.Lab
	canary []byte
	held   map[string]bool // bucket/key of every object
}

func TestHostileRequests(t *testing.T) {
	t.Parallel()
	// A short idle timeout, for the bodies that stop arriving; the others
	// are sent whole.
	lab := labtest.Start(t, "", emulator.WithBodyTimeout(3*time.Second))
	h := &hostileLab{Lab: lab, canary: labtest.Image(t, 32, 32, "png"), held: map[string]bool{}}
	lab.Put(t, outBucket, canaryKey, h.canary, "image/png")
	h.held[outBucket+"/"+canaryKey] = true
	lab.WaitIdle(t)
	cases := hostileCorpus()
	if len(cases) < 150 {
		t.Fatalf("the corpus has %d inputs; the issue asks for at least 150", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(lab.Events.All())
			got := tc.send(t, h)
			if got.status != tc.status || got.code != tc.code || (tc.message != "" && got.message != tc.message) {
				t.Errorf("answered %d %s %q, want %d %s %q", got.status, got.code, got.message, tc.status, tc.code, tc.message)
			}
			for name, want := range tc.fields {
				if got.fields[name] != want {
					t.Errorf("<%s> is %q, want %q (all: %v)", name, got.fields[name], want, got.fields)
				}
			}
			if tc.stores != "" {
				h.held[tc.stores] = true
			}
			h.stillServing(t, tc, before)
		})
	}
}

// stillServing checks the lab after a hostile input: it answers
// ListBuckets, holds the same objects (the canary byte for byte), keeps
// its trigger, and emitted events only for an accepted write.
func (h *hostileLab) stillServing(t *testing.T, tc hostileCase, before int) {
	t.Helper()
	h.WaitIdle(t)
	ctx := context.Background()
	lb, err := h.Client.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets after the input: %v", err)
	}
	var names []string
	for _, b := range lb.Buckets {
		names = append(names, aws.ToString(b.Name))
	}
	if strings.Join(names, " ") != inBucket+" "+outBucket {
		t.Errorf("buckets are now %v", names)
	}
	if _, got := h.Get(t, outBucket, canaryKey); !bytes.Equal(got, h.canary) {
		t.Errorf("the canary changed: %d bytes", len(got))
	}
	var held []string
	for _, b := range []string{inBucket, outBucket} {
		for _, k := range listKeys(t, h.Client, b) {
			held = append(held, b+"/"+k)
		}
	}
	var want []string
	for k := range h.held {
		want = append(want, k)
	}
	sort.Strings(held)
	sort.Strings(want)
	if strings.Join(held, "\n") != strings.Join(want, "\n") {
		t.Errorf("objects held:\n%q\nwant:\n%q", held, want)
	}
	nc, err := h.Client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(inBucket)})
	if err != nil || len(nc.LambdaFunctionConfigurations) != 1 {
		t.Errorf("the trigger on %s is gone: %v", inBucket, err)
	}
	var changed []string
	for _, ev := range h.Events.All()[before:] {
		switch e := ev.(type) {
		case bus.ObjectChanged:
			changed = append(changed, e.Bucket+"/"+e.Key)
		case bus.EventEmitted:
			t.Errorf("an event was emitted to %s for %s", e.Function, e.Key)
		}
	}
	if tc.stores == "" && len(changed) > 0 {
		t.Errorf("a refused write changed %v", changed)
	}
	if tc.stores != "" && (len(changed) != 1 || changed[0] != tc.stores) {
		t.Errorf("an accepted write changed %v, want %s", changed, tc.stores)
	}
}

// listKeys lists a bucket with encoding-type=url, so that every key comes
// back exactly as stored, whatever characters it holds.
func listKeys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), EncodingType: types.EncodingTypeUrl})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list %s: %v", bucket, err)
		}
		for _, o := range page.Contents {
			k, err := url.QueryUnescape(aws.ToString(o.Key))
			if err != nil {
				t.Fatalf("listed key %q does not decode: %v", aws.ToString(o.Key), err)
			}
			keys = append(keys, k)
		}
	}
	return keys
}

// raw sends a request the SDK would refuse to build: path is appended to
// the endpoint as written (percent-escapes and all).
func (h *hostileLab) raw(t *testing.T, method, path string, header map[string]string, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, h.Endpoint+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("build %s %s: %v", method, path, err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return parseAnswer(resp.StatusCode, b)
}

// tcp writes request bytes on a connection of its own, then half-closes
// it (hangUp false) or drops it (hangUp true), and reads the answer. The
// write runs beside the read: the server may answer before it has read
// everything.
func (h *hostileLab) tcp(t *testing.T, request string, hangUp bool) answer {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.Endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	go func() {
		_, _ = io.WriteString(conn, request)
		if hangUp {
			conn.Close()
		} else {
			conn.(*net.TCPConn).CloseWrite()
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return answer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return parseAnswer(resp.StatusCode, b)
}

// parseAnswer reads an S3 error document (if the body is one).
func parseAnswer(status int, body []byte) answer {
	a := answer{status: status, fields: map[string]string{}}
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
		Other   []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	}
	if status >= 300 && xml.Unmarshal(body, &doc) == nil {
		a.code, a.message = doc.Code, doc.Message
		for _, f := range doc.Other {
			a.fields[f.XMLName.Local] = f.Value
		}
	}
	return a
}

// sdk turns the outcome of an SDK call into an answer.
func sdk(err error) answer {
	if err == nil {
		return answer{status: 200}
	}
	a := answer{}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		a.status = re.HTTPStatusCode()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		a.code, a.message = ae.ErrorCode(), ae.ErrorMessage()
	}
	return a
}

// policyAnswer turns SetRolePolicy's error into an answer: IAM's code, and
// the position of the mistake ("line:column") as the message.
func policyAnswer(err error) answer {
	var se *iam.SyntaxError
	if !errors.As(err, &se) {
		return answer{message: "not a MalformedPolicyDocument: " + strings.TrimSpace(errString(err))}
	}
	return answer{code: "MalformedPolicyDocument", message: strconv.Itoa(se.Line) + ":" + strconv.Itoa(se.Col)}
}

func errString(err error) string {
	if err == nil {
		return "accepted"
	}
	return err.Error()
}

// TestListingKeepsEveryKey: a listing gives back every key as stored. With
// encoding-type=url (what boto3 and the aws CLI always ask for) every key
// survives; without it, a key holding a character XML 1.0 cannot carry is
// written as a character reference, as S3 writes it, and the SDK refuses the
// page as it does on AWS, rather than the lab quietly listing another key.
func TestListingKeepsEveryKey(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	ctx := context.Background()
	keys := []string{"a b.png", "a+b.png", "100%.png", "ümlaut/é.png", "x&<y>'\".png", "tab\tnew\nline\r.png",
		"dir//double", "../up", "~tilde*star"}
	for _, k := range keys {
		lab.Put(t, outBucket, k, []byte(k), "")
	}
	want := append([]string(nil), keys...)
	sort.Strings(want)
	if got := listKeys(t, lab.Client, outBucket); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("encoding-type=url listed %q, want %q", got, want)
	}
	// Pages of one key, continuation tokens and all.
	var paged []string
	p := s3.NewListObjectsV2Paginator(lab.Client, &s3.ListObjectsV2Input{Bucket: aws.String(outBucket), MaxKeys: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			paged = append(paged, aws.ToString(o.Key))
		}
	}
	if strings.Join(paged, "|") != strings.Join(want, "|") {
		t.Errorf("plain listing, one key a page: %q", paged)
	}
	// V1 with a delimiter: common prefixes are encoded too.
	v1, err := lab.Client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(outBucket), Delimiter: aws.String("/"),
		Prefix: aws.String("ü"), EncodingType: types.EncodingTypeUrl})
	if err != nil || len(v1.CommonPrefixes) != 1 || aws.ToString(v1.CommonPrefixes[0].Prefix) != "%C3%BCmlaut/" ||
		aws.ToString(v1.Prefix) != "%C3%BC" || v1.EncodingType != types.EncodingTypeUrl {
		t.Errorf("V1 listing with a delimiter: %v %+v", err, v1)
	}

	// A key with control characters.
	lab.Put(t, outBucket, "bell\a.png", []byte("ding"), "")
	if got := listKeys(t, lab.Client, outBucket); len(got) != len(keys)+1 || got[0] != "../up" || !containsKey(got, "bell\a.png") {
		t.Errorf("encoding-type=url lost the control character: %q", got)
	}
	r := rawRequest(t, http.MethodGet, lab.Endpoint+"/"+outBucket+"?list-type=2&prefix=bell", "", "")
	if !strings.Contains(r.body, "<Key>bell&#x7;.png</Key>") {
		t.Errorf("plain listing of a control character:\n%s", r.body)
	}
	if _, err := lab.Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(outBucket)}); err == nil {
		t.Error("the SDK parsed a listing holding &#x7; (AWS sends that too, and the SDK refuses it)")
	}
	// The object itself is there under its own name.
	if _, got := lab.Get(t, outBucket, "bell\a.png"); string(got) != "ding" {
		t.Errorf("GET bell\\a.png: %q", got)
	}
}

func containsKey(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}
