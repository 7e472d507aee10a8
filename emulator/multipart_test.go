package emulator_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// startUpload creates an upload of outBucket/key and uploads parts; it
// returns the upload id and the parts' ETags.
func startUpload(t *testing.T, c *s3.Client, key string, parts ...[]byte) (string, []string) {
	t.Helper()
	ctx := context.Background()
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(outBucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	var etags []string
	for i, p := range parts {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(outBucket), Key: aws.String(key), UploadId: mp.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		etags = append(etags, aws.ToString(out.ETag))
	}
	return aws.ToString(mp.UploadId), etags
}

// TestCompleteMultipartUploadChecksParts: a completion's part list is
// checked as S3 checks it — out of order or a part twice (InvalidPartOrder),
// empty (MalformedXML), an unknown part or a wrong ETag (InvalidPart), a
// part but the last under 5 MiB (EntityTooSmall) — and a refused completion
// stores nothing, sends no event and leaves the upload to complete.
func TestCompleteMultipartUploadChecksParts(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	ctx := context.Background()
	big, tail := bytes.Repeat([]byte("a"), 5<<20), []byte("the tail")
	id, etags := startUpload(t, lab.Client, "mp.bin", big, tail)
	smallID, small := startUpload(t, lab.Client, "small.bin", []byte("one"), []byte("two"))
	before := len(labtest.Of[bus.ObjectChanged](lab.Events))
	cases := []struct {
		name  string
		key   string
		id    string
		parts []s3types
		code  string
	}{
		{"parts 2, 1", "mp.bin", id, []s3types{{2, etags[1]}, {1, etags[0]}}, "InvalidPartOrder"},
		{"part 1 twice", "mp.bin", id, []s3types{{1, etags[0]}, {1, etags[0]}}, "InvalidPartOrder"},
		{"a part never uploaded", "mp.bin", id, []s3types{{1, etags[0]}, {3, etags[1]}}, "InvalidPart"},
		{"part 2 with part 1's ETag", "mp.bin", id, []s3types{{1, etags[0]}, {2, etags[0]}}, "InvalidPart"},
		{"a first part of 3 bytes", "small.bin", smallID, []s3types{{1, small[0]}, {2, small[1]}}, "EntityTooSmall"},
	}
	for _, tc := range cases {
		_, err := lab.Client.CompleteMultipartUpload(ctx, completeInput(outBucket, tc.key, aws.String(tc.id), tc.parts))
		if a := sdk(err); a.status != 400 || a.code != tc.code {
			t.Errorf("%s: answered %d %s, want 400 %s", tc.name, a.status, a.code, tc.code)
		}
	}
	h := &hostileLab{Lab: lab}
	for _, body := range []string{"<CompleteMultipartUpload/>", "<CompleteMultipartUpload></CompleteMultipartUpload>", "not xml"} {
		a := h.raw(t, "POST", "/"+outBucket+"/mp.bin?uploadId="+id, nil, body)
		if a.status != 400 || a.code != "MalformedXML" {
			t.Errorf("completion %q: answered %d %s", body, a.status, a.code)
		}
	}
	for _, key := range []string{"mp.bin", "small.bin"} {
		if _, err := lab.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(outBucket), Key: aws.String(key)}); err == nil {
			t.Errorf("a refused completion stored %s", key)
		}
	}
	if n := len(labtest.Of[bus.ObjectChanged](lab.Events)); n != before {
		t.Errorf("refused completions committed %d changes", n-before)
	}
	// The upload is still there, and completes.
	if _, err := lab.Client.CompleteMultipartUpload(ctx, completeInput(outBucket, "mp.bin", aws.String(id), []s3types{{1, etags[0]}, {2, etags[1]}})); err != nil {
		t.Fatal(err)
	}
	if _, got := lab.Get(t, outBucket, "mp.bin"); !bytes.Equal(got, append(append([]byte(nil), big...), tail...)) {
		t.Errorf("the object is %d bytes, want the parts in order", len(got))
	}
	// A single part under 5 MiB is fine: it is the last.
	oneID, one := startUpload(t, lab.Client, "one.bin", []byte("just one"))
	if _, err := lab.Client.CompleteMultipartUpload(ctx, completeInput(outBucket, "one.bin", aws.String(oneID), []s3types{{1, one[0]}})); err != nil {
		t.Errorf("one small part: %v", err)
	}
}

// TestUploadIDsAreRandom: upload ids are not a counter (gofakes3 numbered
// them 1, 2, 3 and started again at 1 after a restart, so a client resuming
// an old id could land in someone else's upload).
func TestUploadIDsAreRandom(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	seen := map[string]bool{}
	for range 5 {
		id, _ := startUpload(t, lab.Client, "ids.bin")
		if len(id) < 32 || strings.Trim(id, "0123456789") == "" || seen[id] {
			t.Errorf("upload id %q", id)
		}
		seen[id] = true
	}
	// Another key's upload id does not reach this one.
	other, _ := startUpload(t, lab.Client, "other.bin")
	_, err := lab.Client.ListParts(context.Background(), &s3.ListPartsInput{Bucket: aws.String(outBucket), Key: aws.String("ids.bin"), UploadId: aws.String(other)})
	if a := sdk(err); a.code != "NoSuchUpload" {
		t.Errorf("ListParts with another key's upload id: %+v", a)
	}
}

// TestListMultipartUploads: uploads are listed by key, with prefix,
// delimiter and pages.
func TestListMultipartUploads(t *testing.T) {
	t.Parallel()
	lab := labtest.Start(t, "")
	for _, k := range []string{"b/2", "a", "b/1", "c"} {
		startUpload(t, lab.Client, k)
	}
	ctx := context.Background()
	out, err := lab.Client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(outBucket), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, aws.ToString(u.Key))
	}
	if strings.Join(keys, " ") != "a c" || len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "b/" {
		t.Errorf("listed %v and %d prefixes", keys, len(out.CommonPrefixes))
	}
	var paged []string
	p := s3.NewListMultipartUploadsPaginator(lab.Client, &s3.ListMultipartUploadsInput{Bucket: aws.String(outBucket), MaxUploads: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Uploads {
			paged = append(paged, aws.ToString(u.Key))
		}
	}
	if strings.Join(paged, " ") != "a b/1 b/2 c" {
		t.Errorf("one upload a page: %v", paged)
	}
}
