package jpegscale

import (
	"bytes"
	"image/jpeg"
	"os"
	"reflect"
	"testing"
)

// TestReadFrame: over the fixtures, the frame agrees with what image/jpeg
// reads and says what each file is.
func TestReadFrame(t *testing.T) {
	s := func(hv ...int) []Sampling {
		var out []Sampling
		for i := 0; i < len(hv); i += 2 {
			out = append(out, Sampling{hv[i], hv[i+1]})
		}
		return out
	}
	for _, tc := range []struct {
		file        string
		progressive bool
		rgb         bool
		sampling    []Sampling
	}{
		{"p444.jpg", false, false, s(1, 1, 1, 1, 1, 1)},
		{"p422.jpg", false, false, s(2, 1, 1, 1, 1, 1)},
		{"p420_optimized.jpg", false, false, s(2, 2, 1, 1, 1, 1)},
		{"p440.jpg", false, false, s(1, 2, 1, 1, 1, 1)},
		{"progressive.jpg", true, false, s(2, 2, 1, 1, 1, 1)},
		{"gray_restart.jpg", false, false, s(1, 1)},
		{"rgb.jpg", false, true, s(1, 1, 1, 1, 1, 1)},
		{"cmyk.jpg", false, false, s(1, 1, 1, 1, 1, 1, 1, 1)},
	} {
		data, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		f, err := ReadFrame(data)
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		want := Frame{Width: cfg.Width, Height: cfg.Height, Progressive: tc.progressive, Sampling: tc.sampling, RGB: tc.rgb}
		if !reflect.DeepEqual(f, want) {
			t.Errorf("%s: %+v, want %+v", tc.file, f, want)
		}
	}
}

// TestReadFrameRefuses: files without a usable frame header.
func TestReadFrameRefuses(t *testing.T) {
	for data, want := range map[string]string{
		"":                                 "missing SOI marker",
		"\xff\xd8":                         "truncated before a marker",
		"\xff\xd8\xff\xd9":                 "no image data before EOI",
		"\xff\xd8\xff\xda\x00\x02":         "SOS before SOF",
		"\xff\xd8\xff\xc0\x00\x05\x08\x00": "truncated segment",
		"\xff\xd8\xff\xc0\x00\x08\x08\x00\x10\x00\x10\x00":             "bad SOF length",
		"\xff\xd8\xff\xc0\x00\x0b\x08\x00\x10\x00\x10\x01\x01\x50\x00": "bad sampling factor",
	} {
		if _, err := ReadFrame([]byte(data)); err == nil || err.Error() != "jpegscale: invalid JPEG: "+want {
			t.Errorf("% x: %v, want %q", data, err, want)
		}
	}
}
