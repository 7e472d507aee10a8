// Package jpegscale decodes baseline JPEGs at 1/1, 1/2, 1/4 or 1/8 of their
// width and, independently, of their height by scaling in the DCT domain:
// each 8×8 block's low-frequency corner goes through a smaller inverse DCT,
// so that a thumbnail's decode skips most of the transform and all of the
// full-size planes. It is written from the
// JPEG specification (ITU-T T.81) for the one kind of file cameras, phones
// and most encoders write: sequential Huffman-coded 8-bit YCbCr or grayscale
// in a single scan. Anything else is refused with ErrUnsupported so that the
// caller can fall back to image/jpeg.
package jpegscale

import (
	"errors"
	"fmt"
	"image"
)

// ErrUnsupported reports that the image uses a JPEG feature this decoder
// leaves to image/jpeg (progressive or lossless coding, arithmetic coding,
// 12-bit samples, RGB or CMYK colour, an unusual chroma subsampling, several
// scans); callers fall back. Decode wraps it: test with errors.Is.
var ErrUnsupported = errors.New("jpegscale: unsupported JPEG feature")

// maxPixels bounds the width×height a file may claim (256 Mpixels).
const maxPixels = 1 << 28

// Decode decodes a baseline JPEG at 1/dx of its width and 1/dy of its
// height, each denominator 1, 2, 4 or 8. It returns an *image.YCbCr with
// the JPEG's chroma subsampling for colour or an *image.Gray for grayscale,
// whose Rect is the scaled size (⌈width/dx⌉×⌈height/dy⌉). Like image/jpeg's,
// the planes' strides may be wider than the image.
func Decode(data []byte, dx, dy int) (image.Image, error) {
	if !validDenom(dx) || !validDenom(dy) {
		return nil, fmt.Errorf("jpegscale: scale 1/%d × 1/%d: the denominators are 1, 2, 4 or 8", dx, dy)
	}
	d := decoder{data: data, dx: dx, dy: dy}
	return d.decode()
}

func validDenom(d int) bool { return d == 1 || d == 2 || d == 4 || d == 8 }

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// formatError is a file this decoder cannot make sense of, whatever its
// features: truncated, corrupt or not a JPEG at all.
type formatError string

func (e formatError) Error() string { return "jpegscale: invalid JPEG: " + string(e) }

// unsupported wraps ErrUnsupported with what was found.
type unsupported string

func (e unsupported) Error() string { return ErrUnsupported.Error() + ": " + string(e) }

func (e unsupported) Unwrap() error { return ErrUnsupported }
