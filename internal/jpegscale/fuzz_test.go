package jpegscale

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"github.com/lambdalab/lambdalab/internal/testimg"
)

// FuzzDecode checks that no input panics Decode or ReadFrame, that a
// decoded image's planes hold what its Rect says at every scale and its
// frame the size it was decoded at, and that where both decoders accept a
// file at full scale they agree on its size, kind and samples.
func FuzzDecode(f *testing.F) {
	seeds := [][]byte{
		testimg.JPEG(testimg.Photo(16, 16)),
		testimg.JPEG(testimg.Photo(7, 5)),
		testimg.JPEG(testimg.Photo(40, 24)),
		grayJPEG(9, 9),
	}
	for _, name := range []string{"p444.jpg", "p422.jpg", "p440.jpg", "p420_optimized.jpg", "sof1_q16.jpg", "restart_small.jpg", "progressive.jpg"} {
		seeds = append(seeds, fixture(f, name))
	}
	for i, s := range seeds {
		f.Add(s, uint8(i))
		f.Add(s[:len(s)*3/4], uint8(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, scale uint8) {
		dx, dy := 1<<(scale%4), 1<<(scale/4%4)
		largest := 0 // sum of a block's dequantized coefficients' magnitudes
		d := decoder{data: data, dx: dx, dy: dy, inspect: func(blk *[64]int32) {
			sum := 0
			for _, v := range blk {
				sum += max(int(v), -int(v))
			}
			largest = max(largest, sum)
		}}
		frame, frameErr := ReadFrame(data)
		img, err := d.decode()
		if err != nil {
			return
		}
		w, h := boundsFromSOF(t, data)
		if frameErr != nil || frame.Width != w || frame.Height != h {
			t.Fatalf("decoded a %dx%d image whose frame reads %+v, %v", w, h, frame, frameErr)
		}
		if want := image.Rect(0, 0, ceilDiv(w, dx), ceilDiv(h, dy)); img.Bounds() != want {
			t.Fatalf("1/%d×1/%d: bounds %v, want %v", dx, dy, img.Bounds(), want)
		}
		got := planesOf(t, img)
		checkPlanes(t, got)
		// Blocks with more energy than 8-bit samples can hold (they clamp)
		// may overflow image/jpeg's 32-bit IDCT, which scales coefficients
		// by 2^17: compare only files whose blocks all stay well below.
		if dx != 1 || dy != 1 || largest > 1<<12 {
			return
		}
		sameAsImageJPEG(t, data, img, got)
	})
}

// sameAsImageJPEG checks a full-scale decode against image/jpeg's, when
// image/jpeg decodes the file too.
func sameAsImageJPEG(t *testing.T, data []byte, img image.Image, got []plane) {
	ref, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return
	}
	if ref.Bounds() != img.Bounds() {
		t.Fatalf("bounds %v, image/jpeg's %v", img.Bounds(), ref.Bounds())
	}
	switch r := ref.(type) {
	case *image.Gray:
		if _, ok := img.(*image.Gray); !ok {
			t.Fatalf("got %T, image/jpeg a Gray", img)
		}
	case *image.YCbCr:
		if m, ok := img.(*image.YCbCr); !ok || m.SubsampleRatio != r.SubsampleRatio {
			t.Fatalf("got %T, image/jpeg a YCbCr %v", img, r.SubsampleRatio)
		}
	default:
		t.Fatalf("got %T, image/jpeg a %T", img, ref)
	}
	for i, p := range planesOf(t, ref) {
		if maxDiff, psnr := compare(p, got[i]); maxDiff > 2 {
			t.Fatalf("plane %d: max diff %d from image/jpeg (PSNR %.1f dB)", i, maxDiff, psnr)
		}
	}
}

// boundsFromSOF returns the size a JPEG's frame header states.
func boundsFromSOF(t *testing.T, data []byte) (int, int) {
	d := decoder{data: data}
	d.pos = 2
	for {
		m, err := d.nextMarker()
		if err != nil {
			t.Fatal("decoded a file without a frame")
		}
		if (m >= markerRST0 && m <= markerRST7) || m == markerTEM {
			continue
		}
		seg, err := d.segment()
		if err != nil {
			t.Fatal(err)
		}
		if m == markerSOF0 || m == markerSOF1 {
			return int(seg[3])<<8 | int(seg[4]), int(seg[1])<<8 | int(seg[2])
		}
	}
}
