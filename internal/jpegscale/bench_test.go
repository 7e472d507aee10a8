package jpegscale

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"testing"

	"github.com/lambdalab/lambdalab/internal/testimg"
)

// BenchmarkDecode times image/jpeg's full decode against Decode at each
// scale, on the photos of the resize handler's benchmarks (quality 90,
// 4:2:0).
func BenchmarkDecode(b *testing.B) {
	for _, size := range [][2]int{{1920, 1080}, {4000, 3000}} {
		data := testimg.JPEG(testimg.Photo(size[0], size[1]))
		b.Run(fmt.Sprintf("%dx%d/imagejpeg", size[0], size[1]), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, denom := range [][2]int{{1, 1}, {2, 1}, {2, 2}, {4, 2}, {4, 4}, {8, 8}} {
			b.Run(fmt.Sprintf("%dx%d/scale%dx%d", size[0], size[1], denom[0], denom[1]), func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					if _, err := decodeAt(data, denom[0], denom[1]); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
