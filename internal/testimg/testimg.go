// Package testimg draws deterministic photo-like test pictures for tests and
// benchmarks: smooth gradients, hard edges, fine texture and noise, so that
// both blurring and aliasing show, and so that JPEG encodes them at the
// bitrate of a real photograph.
package testimg

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"

	"golang.org/x/image/draw"
)

// Photo returns a w×h picture; the same size always gives the same pixels.
func Photo(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	cw, ch := max(1, w/12), max(1, h/8)
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r := 128 + 100*math.Sin(6*fx+3*fy)
			g := 128 + 90*math.Cos(5*fy-2*fx)
			b := 128 + 60*math.Sin(40*fx*fy)
			if (x/cw+y/ch)%2 == 0 { // a checkerboard of hard edges
				r, g = g, r
			}
			stripe := 30 * math.Sin(float64(x)*0.7) // texture finer than a thumbnail
			n := rng.Float64()*20 - 10
			img.SetNRGBA(x, y, color.NRGBA{clamp(r + stripe + n), clamp(g + n), clamp(b - stripe + n), 255})
		}
	}
	return img
}

func clamp(v float64) uint8 { return uint8(max(0, min(255, math.Round(v)))) }

// JPEG encodes img at quality 90, as a camera or phone would.
func JPEG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err) // encoding to memory does not fail
	}
	return buf.Bytes()
}

// PSNR compares two images of the same size over RGB, in dB (higher is
// closer).
func PSNR(a, b *image.NRGBA) float64 {
	var se float64
	for i := range a.Pix {
		if i%4 == 3 {
			continue
		}
		d := float64(a.Pix[i]) - float64(b.Pix[i])
		se += d * d
	}
	return 10 * math.Log10(255*255/(se/float64(len(a.Pix)/4*3)))
}

// lanczos3 is the windowed sinc with three lobes, the usual reference for
// resampling quality (Pillow's ANTIALIAS); x/image/draw has no Lanczos of
// its own.
var lanczos3 = &draw.Kernel{Support: 3, At: func(t float64) float64 {
	if t == 0 {
		return 1
	}
	x := math.Pi * t
	return 3 * math.Sin(x) * math.Sin(x/3) / (x * x)
}}

// Reference resizes img to w×h with a Lanczos-3 filter in floating point:
// the high-quality resize thumbnails are measured against.
func Reference(img image.Image, w, h int) *image.NRGBA {
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	lanczos3.Scale(dst, dst.Rect, img, img.Bounds(), draw.Src, nil)
	return dst
}

// NRGBA returns a copy of img as non-premultiplied RGBA starting at the
// origin, the form PSNR compares.
func NRGBA(img image.Image) *image.NRGBA {
	b := img.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, img, b.Min, draw.Src)
	return dst
}
