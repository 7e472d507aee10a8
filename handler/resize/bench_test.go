package resize

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"testing"

	"github.com/lambdalab/lambdalab/internal/testimg"
)

// BenchmarkRender is the resize handler's work on one photo, without S3:
// decode the JPEG, resize to 300×300, encode the PNG. The sub-benchmarks
// time each stage alone, to show where the time goes.
func BenchmarkRender(b *testing.B) {
	for _, size := range []image.Point{{1920, 1080}, {4000, 3000}} {
		data := testimg.JPEG(testimg.Photo(size.X, size.Y))
		h := New(nil, Config{Width: DefaultSize, Height: DefaultSize, MemoryMB: 1024})
		name := fmt.Sprintf("%dx%d", size.X, size.Y)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, _, err := h.Render(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		img, _, _, err := h.decode(data)
		if err != nil {
			b.Fatal(err)
		}
		thumb := Thumbnail(img, DefaultSize, DefaultSize)
		b.Run(name+"/decode", func(b *testing.B) {
			for b.Loop() {
				h.decode(data)
			}
		})
		// What decoding took before the scaled decoder: a full image/jpeg decode.
		b.Run(name+"/decode-full", func(b *testing.B) {
			for b.Loop() {
				jpeg.Decode(bytes.NewReader(data))
			}
		})
		b.Run(name+"/resize", func(b *testing.B) {
			for b.Loop() {
				Thumbnail(img, DefaultSize, DefaultSize)
			}
		})
		b.Run(name+"/encode", func(b *testing.B) {
			for b.Loop() {
				var buf bytes.Buffer
				pngEncoder.Encode(&buf, thumb)
			}
		})
	}
}
