package main

import (
	"bytes"
	"errors"
	"image"
	"os"
	"testing"

	"github.com/lambdalab/lambdalab/handler/resize"
)

// TestOtherFormatsRefusedAsInTheLab: this binary, like the function
// deployed to AWS, links no BMP or TIFF decoder; the handler refuses the
// fixtures with the very message handler/resize's test gets in a binary
// that has them (as lambdalab's has).
func TestOtherFormatsRefusedAsInTheLab(t *testing.T) {
	for file, want := range map[string]string{
		"photo.bmp":  "not a PNG, JPEG or GIF image: it is a BMP image (convert it to PNG or JPEG first)",
		"photo.tiff": "not a PNG, JPEG or GIF image: it is a TIFF image (convert it to PNG or JPEG first)",
	} {
		data, err := os.ReadFile("../../handler/resize/testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if _, format, err := image.DecodeConfig(bytes.NewReader(data)); !errors.Is(err, image.ErrFormat) {
			t.Fatalf("%s: this binary reads it as %q (%v); the test needs one that cannot", file, format, err)
		}
		h := resize.New(nil, resize.Config{OutputBucket: "out", Width: 300, Height: 300, MemoryMB: 128})
		if _, _, _, err := h.Render(data); err == nil || err.Error() != want {
			t.Errorf("%s: %v\nwant %s", file, err, want)
		}
	}
}
