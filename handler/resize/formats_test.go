package resize

import (
	"bytes"
	"context"
	"image"
	"image/gif"
	"os"
	"strings"
	"testing"

	// Registered for image.Decode, as any package linked into lambdalab may
	// register them, but not in cmd/resize-lambda's: the handler must not care.
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"

	"github.com/lambdalab/lambdalab/internal/testimg"
)

// TestFormatsOtherThanPNGJPEGGIFAreRefused: with BMP and TIFF decoders
// registered in this binary, image.Decode reads the fixtures, and the
// handler still refuses them as it does on AWS (cmd/resize-lambda's test
// checks the same message in a binary without them).
func TestFormatsOtherThanPNGJPEGGIFAreRefused(t *testing.T) {
	for _, tc := range []struct{ file, format, want string }{
		{"photo.bmp", "bmp", "not a PNG, JPEG or GIF image: it is a BMP image (convert it to PNG or JPEG first)"},
		{"photo.tiff", "tiff", "not a PNG, JPEG or GIF image: it is a TIFF image (convert it to PNG or JPEG first)"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if _, format, err := image.Decode(bytes.NewReader(data)); err != nil || format != tc.format {
				t.Fatalf("image.Decode in this binary: %q, %v; the fixture should decode as %s", format, err, tc.format)
			}
			fake := serve(map[string][]byte{tc.file: data})
			h := New(fake, Config{OutputBucket: "out", Width: 300, Height: 300, MemoryMB: 128})
			if _, _, _, err := h.Render(data); err == nil || err.Error() != tc.want {
				t.Errorf("Render: %v\nwant %s", err, tc.want)
			}
			err = h.Handle(context.Background(), event("in", tc.file))
			if want := "s3://in/" + tc.file + ": " + tc.want; err == nil || err.Error() != want {
				t.Errorf("Handle: %v\nwant %s", err, want)
			}
			if len(fake.puts) != 0 {
				t.Errorf("wrote output for a %s", tc.format)
			}
		})
	}
}

// TestFormatsTheHandlerReads: PNG, JPEG and GIF, whatever else is
// registered.
func TestFormatsTheHandlerReads(t *testing.T) {
	var g bytes.Buffer
	if err := gif.Encode(&g, testimg.Photo(64, 48), nil); err != nil {
		t.Fatal(err)
	}
	for format, data := range map[string][]byte{"png": pngOf(64, 48), "jpeg": testimg.JPEG(testimg.Photo(64, 48)), "gif": g.Bytes()} {
		h := New(nil, Config{Width: 30, Height: 20, MemoryMB: 128})
		_, got, size, err := h.Render(data)
		if err != nil || got != format || size != image.Pt(64, 48) {
			t.Errorf("%s: %s %v %v", format, got, size, err)
		}
	}
}

// TestOtherFormatsAreNamed: the error says what the file is when it is a
// common image format, and shows its first bytes otherwise.
func TestOtherFormatsAreNamed(t *testing.T) {
	for data, want := range map[string]string{
		"RIFF\x00\x00\x00\x00WEBPVP8 ":     "it is a WebP image",
		"\x00\x00\x00\x18ftypheic\x00\x00": "it is a HEIC image",
		"\x00\x00\x00\x1cftypavif\x00\x00": "it is an AVIF image",
		"MM\x00*\x00\x00\x00\x08":          "it is a TIFF image",
		"\x89PNG\r\n":                      "(it starts with 89 50 4e 47 0d 0a)",
		"hello, world":                     "(it starts with 68 65 6c 6c 6f 2c 20 77)",
	} {
		_, _, _, err := New(nil, Config{Width: 300, Height: 300, MemoryMB: 128}).Render([]byte(data))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), ErrNotImage.Error()) {
			t.Errorf("%q: %v, want %q", data, err, want)
		}
	}
}
