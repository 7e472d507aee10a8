package jpegscale

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/lambdalab/lambdalab/internal/testimg"
)

// decodeAt decodes at given scale denominators, across and down.
func decodeAt(data []byte, dx, dy int) (image.Image, error) { return Decode(data, dx, dy) }

// plane is one image plane: w×h samples, rows stride apart.
type plane struct {
	w, h, stride int
	pix          []uint8
}

// at reads a sample, clamping the position to what pix holds (a decoder's
// planes hold whole blocks, so this only matters at their very end).
func (p plane) at(x, y int) uint8 {
	rows := (len(p.pix) + p.stride - 1) / p.stride
	y = min(y, rows-1)
	x = min(x, p.stride-1)
	i := min(y*p.stride+x, len(p.pix)-1)
	return p.pix[i]
}

// chromaSize is the size of the chroma planes of a w×h YCbCr image.
func chromaSize(w, h int, r image.YCbCrSubsampleRatio) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	}
	return w, h
}

// planesOf returns an image's planes, at the sizes its Rect implies.
func planesOf(t testing.TB, img image.Image) []plane {
	t.Helper()
	switch m := img.(type) {
	case *image.Gray:
		return []plane{{m.Rect.Dx(), m.Rect.Dy(), m.Stride, m.Pix}}
	case *image.YCbCr:
		w, h := m.Rect.Dx(), m.Rect.Dy()
		cw, ch := chromaSize(w, h, m.SubsampleRatio)
		return []plane{{w, h, m.YStride, m.Y}, {cw, ch, m.CStride, m.Cb}, {cw, ch, m.CStride, m.Cr}}
	}
	t.Fatalf("unexpected image type %T", img)
	return nil
}

// checkPlanes fails unless every plane's pix holds its w×h samples.
func checkPlanes(t testing.TB, ps []plane) {
	t.Helper()
	for i, p := range ps {
		if p.w <= 0 || p.h <= 0 || p.stride < p.w || len(p.pix) < (p.h-1)*p.stride+p.w {
			t.Fatalf("plane %d: %d×%d, stride %d, %d bytes: too small", i, p.w, p.h, p.stride, len(p.pix))
		}
	}
}

// boxReduce averages dx×dy blocks of p (reading into the padding past its
// w×h that image/jpeg decodes too) into a w×h plane.
func boxReduce(p plane, dx, dy, w, h int) plane {
	out := plane{w: w, h: h, stride: w, pix: make([]uint8, w*h)}
	n := dx * dy
	for y := range h {
		for x := range w {
			s := 0
			for j := range dy {
				for i := range dx {
					s += int(p.at(x*dx+i, y*dy+j))
				}
			}
			out.pix[y*w+x] = uint8((s + n/2) / n)
		}
	}
	return out
}

// compare returns the largest difference and the PSNR (dB, capped at 99)
// of got against ref over ref's w×h.
func compare(ref, got plane) (int, float64) {
	maxDiff, sq := 0, 0.0
	for y := range ref.h {
		for x := range ref.w {
			diff := int(ref.pix[y*ref.stride+x]) - int(got.pix[y*got.stride+x])
			maxDiff = max(maxDiff, diff, -diff)
			sq += float64(diff * diff)
		}
	}
	mse := sq / float64(ref.w*ref.h)
	if mse == 0 {
		return maxDiff, 99
	}
	return maxDiff, min(99, 10*math.Log10(255*255/mse))
}

// stdDecode decodes with image/jpeg.
func stdDecode(t testing.TB, data []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("image/jpeg: %v", err)
	}
	return img
}

// fixture reads a file of testdata/ (see testdata/gen.py).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// grayJPEG encodes a w×h grayscale photo with image/jpeg.
func grayJPEG(w, h int) []byte {
	src := testimg.Photo(w, h)
	g := image.NewGray(src.Rect)
	for y := range h {
		for x := range w {
			g.Set(x, y, color.GrayModel.Convert(src.At(x, y)))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, g, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
