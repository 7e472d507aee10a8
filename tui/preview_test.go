package tui

import (
	"bytes"
	"go/parser"
	"go/token"
	"image"
	"image/color"
	"image/gif"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

func gifBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White})
	img.SetColorIndex(1, 1, 1)
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPreviewSniffsPNGJPEGGIFOnly opens objects in Detail, with key presses:
// the bytes decide what is drawn, not the key or the Content-Type. A TIFF
// named holiday.png and a BMP are not decoded (the TIFF decoder has
// published advisories, and imaging linked it in); a PNG named notes.txt and
// a GIF named anim.jpg are drawn as what they are.
func TestPreviewSniffsPNGJPEGGIFOnly(t *testing.T) {
	h := newHarness(t, studentLab, 120, 40)
	objects := []struct {
		key, contentType string
		body             []byte
		format           string // "" when nothing may be decoded
		w, h             int
	}{
		{"anim.jpg", "image/jpeg", gifBytes(t, 5, 4), "gif", 5, 4},
		{"holiday.png", "image/png", tiffRGB(6, 4), "", 0, 0},
		{"notes.txt", "text/plain", labtest.Image(t, 7, 3, "png"), "png", 7, 3},
		{"photo.jpeg", "image/jpeg", labtest.Image(t, 40, 30, "jpeg"), "jpeg", 40, 30},
		{"scan.bmp", "", bmp24(4, 4), "", 0, 0},
	}
	for _, o := range objects {
		h.lab.Put(t, "thumbnails-out", o.key, o.body, o.contentType)
	}
	h.settle()
	h.keys("tab")
	for i, o := range objects {
		if i > 0 {
			h.keys("esc", "j")
		}
		h.keys("enter")
		d := h.m.detail.object
		if d.key != o.key {
			t.Fatalf("enter opened %q, want %q", d.key, o.key)
		}
		if d.format != o.format || d.width != o.w || d.height != o.h || (d.img != nil) != (o.format != "") {
			t.Errorf("%s: format %q %d×%d (drawn %v), want %q %d×%d", o.key, d.format, d.width, d.height, d.img != nil, o.format, o.w, o.h)
		}
		if o.format == "" {
			if !strings.Contains(d.unpreviewed, "PNG, JPEG and GIF") {
				t.Errorf("%s: Preview says %q", o.key, d.unpreviewed)
			}
			h.mustSee("Preview", "not drawn")
			if s := h.screen(); strings.Contains(s, "tiff") || strings.Contains(s, "bmp,") {
				t.Errorf("%s: the screen names a decoded format:\n%s", o.key, s)
			}
		} else {
			h.mustSee("Image", o.format+", "+strconv.Itoa(o.w)+" × "+strconv.Itoa(o.h))
		}
	}
}

func TestSniffImage(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want string
	}{
		{"png", []byte("\x89PNG\r\n\x1a\nrest"), "png"},
		{"jpeg", []byte("\xff\xd8\xff\xe0JFIF"), "jpeg"},
		{"gif87a", []byte("GIF87a..."), "gif"},
		{"gif89a", []byte("GIF89a..."), "gif"},
		{"tiff little-endian", []byte("II*\x00\x08\x00\x00\x00"), ""},
		{"tiff big-endian", []byte("MM\x00*\x00\x00\x00\x08"), ""},
		{"bmp", []byte("BM6\x00\x00\x00"), ""},
		{"webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), ""},
		{"truncated png signature", []byte("\x89PNG\r\n"), ""},
		{"text", []byte("hello"), ""},
		{"empty", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := sniffImage(tc.head)
			if ok != (tc.want != "") || f.name != tc.want {
				t.Errorf("sniffImage = %q, %v; want %q", f.name, ok, tc.want)
			}
		})
	}
}

// TestNoOtherImageDecoders: package tui links no image decoder beyond
// PNG, JPEG and GIF (a blank import registers one with image.Decode for the
// whole program) and does not use imaging.
func TestNoOtherImageDecoders(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	allowed := map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "golang.org/x/image/draw": true}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			codec := strings.HasPrefix(path, "image/") && path != "image/color" && path != "image/draw" ||
				strings.HasPrefix(path, "golang.org/x/image/") || strings.Contains(path, "imaging")
			if codec && !allowed[path] {
				t.Errorf("%s imports %s", name, path)
			}
			if imp.Name != nil && imp.Name.Name == "_" && strings.Contains(path, "image") {
				t.Errorf("%s blank-imports %s: call the decoder by name", name, path)
			}
		}
	}
}
