package resize

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime"
	"sync"
	"testing"

	"github.com/lambdalab/lambdalab/internal/jpegscale"
	"github.com/lambdalab/lambdalab/internal/testimg"
)

// allocated is the number of bytes f allocates on the heap (ReadMemStats
// counts exactly: it flushes every P's cache). The first call warms up
// what the decoders and Thumbnail set up once per process, which no
// single image should be charged for.
func allocated(f func()) int64 {
	warmUp.Do(func() {
		for _, data := range [][]byte{pngOf(16, 16), writePNG(16, 16, 16, 0, true, true), testimg.JPEG(testimg.Photo(16, 16))} {
			if img, _, _, err := New(nil, Config{Width: 8, Height: 8, MemoryMB: 128}).decode(data); err == nil {
				Thumbnail(img, 8, 8)
			}
		}
		jpeg.Decode(bytes.NewReader(writeJPEG(16, 16, []jpegscale.Sampling{{H: 1, V: 1}}, true, -1, false)))
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

var warmUp sync.Once

// checkEstimate holds an estimate to at least what was allocated and at
// most half as much again, so that images that fit are not refused.
func checkEstimate(t *testing.T, what string, estimate, got int64) {
	t.Helper()
	ratio := float64(estimate) / float64(got)
	t.Logf("%s: estimate %d KB, allocated %d KB (%.2f×)", what, estimate>>10, got>>10, ratio)
	if estimate < got || ratio > 1.5 {
		t.Errorf("%s: estimate %d bytes for %d allocated (%.2f×), want 1× to 1.5×", what, estimate, got, ratio)
	}
}

// checkLayout decodes data with decode, checks the layout's decoder
// estimate against the bytes that took, then resizes the image to 300×300
// and checks the whole estimate against the bytes both took.
func checkLayout(t *testing.T, l layout, decode func() (image.Image, error)) {
	t.Helper()
	var img image.Image
	var err error
	dec := allocated(func() { img, err = decode() })
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if img.Bounds().Size() != l.size {
		t.Fatalf("decoded %v, layout says %v", img.Bounds().Size(), l.size)
	}
	checkEstimate(t, fmt.Sprintf("decode (%T)", img), l.bytes, dec)
	thumb := allocated(func() { Thumbnail(img, 300, 300) })
	checkEstimate(t, "decode and resize", l.need(300, 300), dec+thumb)
}

// TestPNGEstimate: for every colour type and bit depth, interlaced or not,
// with or without a tRNS chunk, the estimate from the header covers what
// image/png allocates to decode a real file of that kind and what
// Thumbnail allocates to resize the result, and stays within 1.5× of it.
func TestPNGEstimate(t *testing.T) {
	depths := map[int][]int{0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
	for colorType, ds := range depths {
		for _, depth := range ds {
			for _, interlaced := range []bool{false, true} {
				for _, trns := range []bool{false, true} {
					if trns && (colorType == 4 || colorType == 6) {
						continue // an alpha channel excludes tRNS
					}
					name := fmt.Sprintf("type%d/%dbit/interlaced=%v/trns=%v", colorType, depth, interlaced, trns)
					t.Run(name, func(t *testing.T) {
						data := writePNG(400, 300, depth, colorType, interlaced, trns)
						l, err := inspectPNG(data)
						if err != nil {
							t.Fatal(err)
						}
						checkLayout(t, l, func() (image.Image, error) { return png.Decode(bytes.NewReader(data)) })
					})
				}
			}
		}
	}
}

// TestJPEGEstimate: the same for image/jpeg over grayscale, every chroma
// subsampling, RGB, CMYK and YCCK, baseline and progressive, and for
// jpegscale's reduced decodes.
func TestJPEGEstimate(t *testing.T) {
	one, two := jpegscale.Sampling{H: 1, V: 1}, jpegscale.Sampling{H: 2, V: 2}
	ycc := func(h, v int) []jpegscale.Sampling { return []jpegscale.Sampling{{H: h, V: v}, one, one} }
	cases := []struct {
		name      string
		sampling  []jpegscale.Sampling
		transform int
		rgb       bool
	}{
		{"gray", []jpegscale.Sampling{one}, -1, false},
		{"444", ycc(1, 1), -1, false},
		{"422", ycc(2, 1), -1, false},
		{"420", ycc(2, 2), -1, false},
		{"440", ycc(1, 2), -1, false},
		{"411", ycc(4, 1), -1, false},
		{"410", ycc(4, 2), -1, false},
		{"rgb", ycc(1, 1), -1, true},
		{"adobe-rgb", ycc(1, 1), 0, false},
		{"cmyk", []jpegscale.Sampling{one, one, one, one}, 0, false},
		{"ycck", []jpegscale.Sampling{two, one, one, two}, 2, false},
	}
	for _, tc := range cases {
		for _, progressive := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/progressive=%v", tc.name, progressive), func(t *testing.T) {
				data := writeJPEG(800, 600, tc.sampling, progressive, tc.transform, tc.rgb)
				l, err := inspectJPEG(data)
				if err != nil {
					t.Fatal(err)
				}
				checkLayout(t, l, func() (image.Image, error) { return jpeg.Decode(bytes.NewReader(data)) })
			})
		}
	}
	// jpegscale reads the baseline gray and YCbCr ones, at reductions
	// that leave Thumbnail blocks to average and at ones that do not.
	for _, tc := range []int{0, 1, 3} {
		tc := cases[tc]
		data := writeJPEG(2000, 1000, tc.sampling, false, -1, false)
		f, err := jpegscale.ReadFrame(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range [][2]int{{1, 1}, {2, 1}, {4, 4}, {8, 8}} {
			t.Run(fmt.Sprintf("jpegscale/%s/%dx%d", tc.name, d[0], d[1]), func(t *testing.T) {
				checkLayout(t, jpegScaledLayout(f, d[0], d[1]), func() (image.Image, error) { return jpegscale.Decode(data, d[0], d[1]) })
			})
		}
	}
}

// TestGIFEstimate: the same for image/gif.
func TestGIFEstimate(t *testing.T) {
	img := image.NewPaletted(image.Rect(0, 0, 600, 400), color.Palette{color.Black, color.White, color.Transparent})
	for i := range img.Pix {
		img.Pix[i] = uint8(i % 3)
	}
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	l, err := inspectGIF(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	checkLayout(t, l, func() (image.Image, error) { return gif.Decode(bytes.NewReader(buf.Bytes())) })
}

// TestSixteenBitPNGRefusedBeforeDecoding: a 3100×3100 16-bit RGBA PNG
// decodes into 77 MB of NRGBA64 and needs as much again to resize; a
// 128 MB function used to take it for half that and die mid-decode. It
// is now refused from its header, which is all this file has: a decode
// would fail on the missing pixels with another message.
func TestSixteenBitPNGRefusedBeforeDecoding(t *testing.T) {
	h := New(nil, Config{Width: 300, Height: 300, MemoryMB: 128})
	_, _, _, err := h.Render(pngHeader(3100, 3100, 16, 6))
	want := "png image of 3100x3100 pixels needs about 153 MB to decode; the function's 128 MB of memory leave about 80 MB for it (raise its memory size or upload a smaller image)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	// At 512 MB it fits, and only then does the decoder find no pixels.
	h = New(nil, Config{Width: 300, Height: 300, MemoryMB: 512})
	if _, _, _, err := h.Render(pngHeader(3100, 3100, 16, 6)); err == nil || err.Error() != "corrupt or truncated png image: unexpected EOF" {
		t.Errorf("at 512 MB: %v", err)
	}
}
