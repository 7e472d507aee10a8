package resize

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/internal/testimg"
)

// fakeS3 is a small fake with function fields, one per call.
type fakeS3 struct {
	GetObjectFunc func(*s3.GetObjectInput) (*s3.GetObjectOutput, error)
	puts          []*s3.PutObjectInput
	putBodies     [][]byte
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return f.GetObjectFunc(in)
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	b, _ := io.ReadAll(in.Body)
	f.puts = append(f.puts, in)
	f.putBodies = append(f.putBodies, b)
	return &s3.PutObjectOutput{}, nil
}

func serve(objects map[string][]byte) *fakeS3 {
	return &fakeS3{GetObjectFunc: func(in *s3.GetObjectInput) (*s3.GetObjectOutput, error) {
		b, ok := objects[aws.ToString(in.Key)]
		if !ok {
			return nil, errors.New("NoSuchKey: " + aws.ToString(in.Key))
		}
		return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
	}}
}

func pngOf(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.NRGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

func event(bucket, encodedKey string) events.S3Event {
	var ev events.S3Event
	rec := `{"Records":[{"s3":{"bucket":{"name":"` + bucket + `"},"object":{"key":"` + encodedKey + `"}}}]}`
	if err := json.Unmarshal([]byte(rec), &ev); err != nil {
		panic(err)
	}
	return ev
}

func TestResizeWritesPNGUnderTheSameKey(t *testing.T) {
	fake := serve(map[string][]byte{"my photo+1.png": pngOf(1024, 768)})
	h := New(fake, Config{OutputBucket: "out-bucket", Width: 300, Height: 300, MemoryMB: 128})
	if err := h.Handle(context.Background(), event("in-bucket", "my+photo%2B1.png")); err != nil {
		t.Fatal(err)
	}
	if len(fake.puts) != 1 {
		t.Fatalf("puts = %d", len(fake.puts))
	}
	put := fake.puts[0]
	if aws.ToString(put.Bucket) != "out-bucket" || aws.ToString(put.Key) != "my photo+1.png" || aws.ToString(put.ContentType) != "image/png" {
		t.Errorf("put %s/%s (%s)", aws.ToString(put.Bucket), aws.ToString(put.Key), aws.ToString(put.ContentType))
	}
	img, err := png.Decode(bytes.NewReader(fake.putBodies[0]))
	if err != nil || img.Bounds().Dx() != 300 || img.Bounds().Dy() != 300 {
		t.Errorf("output: %v %v", err, img.Bounds())
	}
}

func TestResizeRefusesBadImages(t *testing.T) {
	huge := pngHeader(50000, 50000, 8, 6)
	photo := testimg.JPEG(testimg.Photo(64, 48))
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":      {nil, "the object is empty (0 bytes)"},
		"pdf":        {[]byte("%PDF-1.7\n..."), "not a PNG, JPEG or GIF image"},
		"truncated":  {pngOf(64, 64)[:60], "corrupt or truncated png image"},
		"huge":       {huge, "png image of 50000x50000 pixels needs about 19079 MB to decode; the function's 128 MB of memory leave about 80 MB for it"},
		"bad header": {[]byte("\x89PNG\r\n\x1a\nxx"), "corrupt png header"},
		// Both decoders have a go at a JPEG: the scaled one gives up and
		// image/jpeg says what is wrong.
		"truncated jpeg":  {photo[:len(photo)/2], "corrupt or truncated jpeg image: invalid JPEG format: short Huffman data"},
		"jpeg bad header": {[]byte("\xff\xd8\xff\xdb\x00\x02"), "corrupt jpeg header"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			fake := serve(map[string][]byte{"x.png": tc.data})
			h := New(fake, Config{OutputBucket: "out", Width: 300, Height: 300, MemoryMB: 128})
			err := h.Handle(context.Background(), event("in", "x.png"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if len(fake.puts) != 0 {
				t.Errorf("wrote output for a bad image")
			}
		})
	}
}

// TestJPEGDenom: the reductions a JPEG's sides are decoded at leave 3×
// the thumbnail at 1/2, 6× at 1/4 and 12× at 1/8.
func TestJPEGDenom(t *testing.T) {
	for _, tc := range []struct{ size, target, want int }{
		{1920, 300, 2}, {1080, 300, 1}, {4000, 300, 2}, {3000, 300, 2},
		{1799, 300, 1}, {1800, 300, 2}, {7199, 300, 2}, {7200, 300, 4},
		{28800, 300, 8}, {50000, 300, 8}, {300, 300, 1}, {100, 300, 1},
	} {
		if got := jpegDenom(tc.size, tc.target); got != tc.want {
			t.Errorf("jpegDenom(%d, %d) = %d, want %d", tc.size, tc.target, got, tc.want)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if _, err := ConfigFromEnv(env(nil)); err == nil || !strings.Contains(err.Error(), "OUTPUT_BUCKET") {
		t.Errorf("missing OUTPUT_BUCKET: %v", err)
	}
	c, err := ConfigFromEnv(env(map[string]string{"OUTPUT_BUCKET": "o", "WIDTH": "640", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}))
	if err != nil || c.Width != 640 || c.Height != 300 || c.MemoryMB != 512 {
		t.Errorf("got %+v %v", c, err)
	}
	if _, err := ConfigFromEnv(env(map[string]string{"OUTPUT_BUCKET": "o", "HEIGHT": "tall"})); err == nil || !strings.Contains(err.Error(), `HEIGHT="tall"`) {
		t.Errorf("bad HEIGHT: %v", err)
	}
}

// TestRenderDecodesBaselineJPEGScaled: a 12-megapixel baseline JPEG, whose
// full decode would not fit a 128 MB function, is decoded straight at a
// fraction of its size and comes out as close to the original photo as
// from a full decode; the same file marked progressive (which the scaled
// decoder leaves to image/jpeg) is still refused for its size.
func TestRenderDecodesBaselineJPEGScaled(t *testing.T) {
	src := testimg.Photo(4000, 3000)
	data := testimg.JPEG(src)
	ref := testimg.Reference(src, 300, 300)
	small := New(nil, Config{Width: 300, Height: 300, MemoryMB: 128})
	out, format, size, err := small.Render(data)
	if err != nil || format != "jpeg" || size != image.Pt(4000, 3000) {
		t.Fatalf("Render: %v, %s, %v", err, format, size)
	}
	thumb, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	full := Thumbnail(jpegOf(t, src), 300, 300)
	scaled, direct := psnr(testimg.NRGBA(thumb), ref), psnr(full, ref)
	t.Logf("against the original: scaled decode %.1f dB, full decode %.1f dB", scaled, direct)
	if scaled < direct-0.5 {
		t.Errorf("scaled decode %.1f dB, full decode %.1f dB", scaled, direct)
	}

	// A 1920×1080 photo is decoded at half its width only (960 is still
	// 3× the thumbnail's 300; 540 would not be).
	hd := testimg.Photo(1920, 1080)
	img, _, _, err := small.decode(testimg.JPEG(hd))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, 960, 1080) {
		t.Errorf("1920x1080 decoded at %v, want 960x1080", img.Bounds())
	}

	progressive := bytes.Replace(data, []byte{0xff, 0xc0}, []byte{0xff, 0xc2}, 1)
	_, _, _, err = small.Render(progressive)
	if want := "jpeg image of 4000x3000 pixels needs about 95 MB to decode; the function's 128 MB of memory leave about 80 MB for it"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("progressive: %v, want %q", err, want)
	}
}
