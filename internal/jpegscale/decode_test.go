package jpegscale

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/lambdalab/lambdalab/internal/testimg"
)

// testJPEG is a JPEG of a kind Decode handles.
type testJPEG struct {
	name string
	data []byte
	// scaledPSNR is the least PSNR expected of a reduced decode against
	// image/jpeg's averaged over blocks. The small pictures get less: their
	// hard edges take up more of them, and there a truncated IDCT rings
	// where a box average smooths.
	scaledPSNR float64
}

// supported returns JPEGs of every kind Decode handles.
func supported(t testing.TB) []testJPEG {
	photo := func(w, h int) []byte { return testimg.JPEG(testimg.Photo(w, h)) }
	return []testJPEG{
		{"420_1x1", photo(1, 1), 35},
		{"420_7x5", photo(7, 5), 30},
		{"420_17x33", photo(17, 33), 30},
		{"420_333x257", photo(333, 257), 33},
		{"420_1920x1080", photo(1920, 1080), 35},
		{"gray_7x5", grayJPEG(7, 5), 30},
		{"gray_61x47", grayJPEG(61, 47), 30},
		{"444_pillow", fixture(t, "p444.jpg"), 30},
		{"422_pillow", fixture(t, "p422.jpg"), 30},
		{"440_cjpeg", fixture(t, "p440.jpg"), 30},
		{"420_optimized_huffman", fixture(t, "p420_optimized.jpg"), 30},
		{"420_restart_every_row", fixture(t, "restart_rows.jpg"), 30},
		{"420_restart_every_2", fixture(t, "restart_small.jpg"), 30},
		{"422_restart_every_3", fixture(t, "restart_blocks.jpg"), 30},
		{"gray_restart_every_5", fixture(t, "gray_restart.jpg"), 30},
		{"sof1_16bit_quant", fixture(t, "sof1_q16.jpg"), 30},
	}
}

// TestDecodeMatchesImageJPEG compares each scale with image/jpeg: at 1/1
// sample by sample, at 1/m with image/jpeg's planes averaged over m×m (a
// scaled IDCT is not exactly a box filter, hence the looser bound).
func TestDecodeMatchesImageJPEG(t *testing.T) {
	for _, tc := range supported(t) {
		ref := stdDecode(t, tc.data)
		refPlanes := planesOf(t, ref)
		for _, dd := range [][2]int{{1, 1}, {2, 2}, {4, 4}, {8, 8}, {2, 1}, {1, 4}, {4, 2}, {8, 2}} {
			dx, dy := dd[0], dd[1]
			t.Run(fmt.Sprintf("%s/1:%dx1:%d", tc.name, dx, dy), func(t *testing.T) {
				img, err := decodeAt(tc.data, dx, dy)
				if err != nil {
					t.Fatal(err)
				}
				b := ref.Bounds()
				want := image.Rect(0, 0, ceilDiv(b.Dx(), dx), ceilDiv(b.Dy(), dy))
				if img.Bounds() != want {
					t.Fatalf("bounds %v, want %v", img.Bounds(), want)
				}
				if r, ok := ref.(*image.YCbCr); ok {
					if got, ok := img.(*image.YCbCr); !ok || got.SubsampleRatio != r.SubsampleRatio {
						t.Fatalf("got %T, want YCbCr %v", img, r.SubsampleRatio)
					}
				}
				got := planesOf(t, img)
				checkPlanes(t, got)
				for i, p := range got {
					want := boxReduce(refPlanes[i], dx, dy, p.w, p.h)
					maxDiff, psnr := compare(want, p)
					t.Logf("plane %d: max diff %d, PSNR %.1f dB", i, maxDiff, psnr)
					if dx == 1 && dy == 1 && (maxDiff > 2 || psnr < 45) {
						t.Errorf("plane %d: max diff %d, PSNR %.1f dB; want ≤ 2 and ≥ 45 dB", i, maxDiff, psnr)
					}
					if dx*dy > 1 && psnr < tc.scaledPSNR {
						t.Errorf("plane %d: PSNR %.1f dB against a box average; want ≥ %.0f dB", i, psnr, tc.scaledPSNR)
					}
				}
			})
		}
	}
}

// TestDecodeScaledBounds: each axis is scaled by its own denominator, and
// a denominator that is not a power of two up to 8 is refused.
func TestDecodeScaledBounds(t *testing.T) {
	data := testimg.JPEG(testimg.Photo(1000, 700))
	for _, tc := range []struct {
		dx, dy int
		want   image.Rectangle
	}{
		{4, 4, image.Rect(0, 0, 250, 175)},
		{4, 2, image.Rect(0, 0, 250, 350)},
		{1, 8, image.Rect(0, 0, 1000, 88)},
	} {
		img, err := Decode(data, tc.dx, tc.dy)
		if err != nil {
			t.Errorf("1/%d × 1/%d: %v", tc.dx, tc.dy, err)
		} else if img.Bounds() != tc.want {
			t.Errorf("1/%d × 1/%d: %v; want %v", tc.dx, tc.dy, img.Bounds(), tc.want)
		}
	}
	for _, bad := range [][2]int{{0, 1}, {3, 1}, {1, 16}} {
		if _, err := Decode(data, bad[0], bad[1]); err == nil || !strings.Contains(err.Error(), "the denominators are 1, 2, 4 or 8") {
			t.Errorf("1/%d × 1/%d: %v", bad[0], bad[1], err)
		}
	}
}

func TestDecodeUnsupported(t *testing.T) {
	valid := testimg.JPEG(testimg.Photo(16, 16))
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"progressive", fixture(t, "progressive.jpg")},
		{"arithmetic", fixture(t, "arithmetic.jpg")},
		{"rgb", fixture(t, "rgb.jpg")},
		{"cmyk", fixture(t, "cmyk.jpg")},
		{"411", fixture(t, "s411.jpg")},
		{"scan per component", fixture(t, "multiscan.jpg")},
		{"12-bit", patchSOF(t, valid, func(seg []byte) { seg[0] = 12 })},
		{"height from DNL", sofWithSize(t, valid, 16, 0)},
		{"chroma 2×2", patchSOF(t, valid, func(seg []byte) { seg[6+3+1] = 0x22 })},
		{"luma 4×1", patchSOF(t, valid, func(seg []byte) { seg[6+1] = 0x41 })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.data, 1, 1)
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("got %v, want ErrUnsupported", err)
			}
		})
	}
}

// sosEnd returns the offset of the first byte after a JPEG's SOS segment.
func sosEnd(t testing.TB, data []byte) int {
	t.Helper()
	for i := 2; i+4 <= len(data); {
		n := int(data[i+2])<<8 | int(data[i+3])
		if data[i+1] == markerSOS {
			return i + 2 + n
		}
		i += 2 + n
	}
	t.Fatal("no SOS")
	return 0
}

func TestDecodeTruncated(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"420", testimg.JPEG(testimg.Photo(64, 48))},
		{"restarts", fixture(t, "restart_rows.jpg")},
		{"gray", grayJPEG(64, 48)},
	} {
		start := sosEnd(t, tc.data)
		for _, frac := range []float64{0, 0.1, 0.5, 0.9, 0.97} {
			t.Run(fmt.Sprintf("%s/%.0f%%", tc.name, 100*frac), func(t *testing.T) {
				cut := start + int(frac*float64(len(tc.data)-start))
				for _, denom := range []int{1, 8} {
					_, err := decodeAt(tc.data[:cut], denom, denom)
					if err == nil {
						t.Fatalf("1/%d: decoded a file cut at %d of %d bytes", denom, cut, len(tc.data))
					}
					t.Log(err)
				}
			})
		}
	}
}

func TestDecodeGarbage(t *testing.T) {
	valid := testimg.JPEG(testimg.Photo(16, 16))
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 4096)
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	hugeSOF := sofWithSize(t, valid, 65535, 65535)
	wrongRST := append([]byte(nil), fixture(t, "restart_small.jpg")...)
	if i := bytes.Index(wrongRST[sosEnd(t, wrongRST):], []byte{0xFF, markerRST0}); i < 0 {
		t.Fatal("no RST0")
	} else {
		wrongRST[sosEnd(t, wrongRST)+i+1] = markerRST0 + 5
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"soi only", []byte{0xFF, 0xD8}},
		{"soi eoi", []byte{0xFF, 0xD8, 0xFF, 0xD9}},
		{"noise", noise},
		{"soi then noise", append([]byte{0xFF, 0xD8}, noise...)},
		{"65535×65535", hugeSOF},
		{"RST5 for RST0", wrongRST},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.data, 1, 1)
			if err == nil {
				t.Fatal("decoded garbage")
			}
			t.Log(err)
		})
	}
}

// patchSOF returns a copy of a JPEG with its SOF0 payload changed by edit.
func patchSOF(t testing.TB, data []byte, edit func(seg []byte)) []byte {
	t.Helper()
	out := append([]byte(nil), data...)
	for i := 2; i+4 <= len(out); {
		n := int(out[i+2])<<8 | int(out[i+3])
		if out[i+1] == markerSOF0 {
			edit(out[i+4 : i+2+n])
			return out
		}
		i += 2 + n
	}
	t.Fatal("no SOF0")
	return nil
}

// sofWithSize returns a copy of a JPEG whose SOF claims another size.
func sofWithSize(t testing.TB, data []byte, w, h int) []byte {
	t.Helper()
	return patchSOF(t, data, func(seg []byte) {
		seg[1], seg[2], seg[3], seg[4] = byte(h>>8), byte(h), byte(w>>8), byte(w)
	})
}

// A small file claiming a big (allowed) size must fail without allocating
// planes for it.
func TestDecodeShortFileHugeClaim(t *testing.T) {
	data := sofWithSize(t, testimg.JPEG(testimg.Photo(16, 16)), 16000, 16000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Decode(data, 1, 1)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("decoded a 16000×16000 image from a few hundred bytes")
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("allocated %d bytes before failing", n)
	}
}
