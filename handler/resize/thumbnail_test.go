package resize

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"golang.org/x/image/draw"

	"github.com/lambdalab/lambdalab/internal/testimg"
)

func photo(w, h int) *image.NRGBA { return testimg.Photo(w, h) }

// psnr compares two images of the same size over RGB.
func psnr(a, b *image.NRGBA) float64 { return testimg.PSNR(a, b) }

func jpegOf(t testing.TB, img image.Image) image.Image {
	out, err := jpeg.Decode(bytes.NewReader(testimg.JPEG(img)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestThumbnailQuality: against a high-quality reference (Lanczos over the
// whole original, in floating point, before any JPEG compression), the fast
// path is within 3 dB of the plain bicubic resize of the whole image it
// replaces, and above 40 dB PSNR (visually lossless) on uncompressed
// input. JPEG input carries the compression's own loss; there the fast path
// interpolates the chroma planes where the plain resize repeats chroma
// samples, so either may come out ahead.
func TestThumbnailQuality(t *testing.T) {
	for _, size := range []image.Point{{1920, 1080}, {4000, 3000}, {640, 480}, {301, 299}} {
		src := photo(size.X, size.Y)
		ref := testimg.Reference(src, 300, 300)
		for name, img := range map[string]image.Image{"rgb": src, "jpeg": jpegOf(t, src)} {
			fast := Thumbnail(img, 300, 300)
			plain := image.NewNRGBA(image.Rect(0, 0, 300, 300))
			draw.CatmullRom.Scale(plain, plain.Rect, img, img.Bounds(), draw.Src, nil)
			pf, pp := psnr(fast, ref), psnr(plain, ref)
			t.Logf("%dx%d %s: fast %.1f dB, plain bicubic %.1f dB", size.X, size.Y, name, pf, pp)
			if pf < pp-3 || (name == "rgb" && pf < 40) {
				t.Errorf("%dx%d %s: %.1f dB against the reference (plain bicubic: %.1f dB)", size.X, size.Y, name, pf, pp)
			}
		}
	}
}

func TestThumbnailShapes(t *testing.T) {
	for _, c := range []struct{ sw, sh, w, h int }{{1, 1, 300, 300}, {10, 7, 300, 300}, {5000, 20, 300, 300}, {300, 300, 300, 300}, {1920, 1080, 64, 32}} {
		img := photo(max(c.sw, 12), max(c.sh, 8)).SubImage(image.Rect(0, 0, c.sw, c.sh))
		out := Thumbnail(img, c.w, c.h)
		if out.Rect.Dx() != c.w || out.Rect.Dy() != c.h {
			t.Errorf("%dx%d → %v", c.sw, c.sh, out.Rect)
		}
	}
	// A flat colour stays that colour (unity gain, no ringing at the edges).
	flat := image.NewNRGBA(image.Rect(0, 0, 1000, 800))
	for i := range flat.Pix {
		flat.Pix[i] = []uint8{200, 30, 90, 255}[i%4]
	}
	out := Thumbnail(flat, 300, 300)
	for i := 0; i < len(out.Pix); i += 4 {
		if p := out.Pix[i : i+4]; p[0] != 200 || p[1] != 30 || p[2] != 90 || p[3] != 255 {
			t.Fatalf("flat colour became %v at %d", p, i/4)
		}
	}
}

// TestThumbnailKeepsTransparency: a transparent background stays
// transparent, and transparent pixels do not darken the edges they border.
func TestThumbnailKeepsTransparency(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 600, 600))
	for y := range 600 {
		for x := range 600 {
			if x >= 150 && x < 450 && y >= 150 && y < 450 {
				img.SetNRGBA(x, y, color.NRGBA{250, 250, 250, 255})
			} // elsewhere transparent black
		}
	}
	out := Thumbnail(img, 300, 300)
	if a := out.NRGBAAt(10, 10).A; a != 0 {
		t.Errorf("corner alpha %d, want 0", a)
	}
	if c := out.NRGBAAt(150, 150); c.A != 255 || c.R < 245 {
		t.Errorf("centre %v", c)
	}
	if c := out.NRGBAAt(75, 150); c.A != 0 && c.R < 240 {
		t.Errorf("edge pixel %v darkened by the transparent black around it", c)
	}
}

// TestWeightsAtTheEdges: every output sample gets at least one tap inside
// the input, and unity gain, whatever the scale.
func TestWeightsAtTheEdges(t *testing.T) {
	for _, c := range []struct {
		src, dst int
		s        float64
	}{{540, 300, 3.6}, {1, 300, 1.0 / 300}, {300, 1, 300}, {7, 3, 2.4}, {1000, 300, 3.34}} {
		for j, tp := range weights(c.src, c.dst, c.s) {
			var sum int32
			for _, w := range tp.w {
				sum += w
			}
			if len(tp.w) == 0 || tp.start < 0 || tp.start+len(tp.w) > c.src || sum != 1<<weightBits {
				t.Fatalf("%d→%d at %.3f: output %d has taps %d+%d summing to %d", c.src, c.dst, c.s, j, tp.start, len(tp.w), sum)
			}
		}
	}
}
