// Package jpegscale decodes baseline JPEGs at 1/1, 1/2, 1/4 or 1/8 of their
// size by scaling in the DCT domain: each 8×8 block's low-frequency corner
// goes through a smaller inverse DCT, so that a thumbnail's decode skips most
// of the transform and all of the full-size planes. It is written from the
// JPEG specification (ITU-T T.81) for the one kind of file cameras, phones
// and most encoders write: sequential Huffman-coded 8-bit YCbCr or grayscale
// in a single scan. Anything else is refused with ErrUnsupported so that the
// caller can fall back to image/jpeg.
package jpegscale

import (
	"errors"
	"image"
)

// ErrUnsupported reports that the image uses a JPEG feature this decoder
// leaves to image/jpeg (progressive or lossless coding, arithmetic coding,
// 12-bit samples, RGB or CMYK colour, an unusual chroma subsampling, several
// scans); callers fall back. Decode wraps it: test with errors.Is.
var ErrUnsupported = errors.New("jpegscale: unsupported JPEG feature")

// maxPixels bounds the width×height a file may claim (256 Mpixels).
const maxPixels = 1 << 28

// Decode decodes a baseline JPEG at the smallest of the scales 1/8, 1/4, 1/2
// and 1/1 whose result is at least minW×minH (1/1 when none is). It returns
// the image, an *image.YCbCr with the JPEG's chroma subsampling for colour or
// an *image.Gray for grayscale, whose Rect is the scaled size
// (⌈width/denom⌉×⌈height/denom⌉), and the denominator used: 1, 2, 4 or 8.
// Like image/jpeg's, the planes' strides may be wider than the image.
func Decode(data []byte, minW, minH int) (image.Image, int, error) {
	d := decoder{data: data, minW: minW, minH: minH}
	img, err := d.decode()
	if err != nil {
		return nil, 0, err
	}
	return img, d.denom, nil
}

// Denom is the denominator Decode uses for a w×h JPEG: the largest
// reduction whose result is still at least minW×minH. Callers use it to
// size what the decode will take before decoding.
func Denom(w, h, minW, minH int) int {
	for _, den := range [...]int{8, 4, 2} {
		if ceilDiv(w, den) >= minW && ceilDiv(h, den) >= minH {
			return den
		}
	}
	return 1
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// formatError is a file this decoder cannot make sense of, whatever its
// features: truncated, corrupt or not a JPEG at all.
type formatError string

func (e formatError) Error() string { return "jpegscale: invalid JPEG: " + string(e) }

// unsupported wraps ErrUnsupported with what was found.
type unsupported string

func (e unsupported) Error() string { return ErrUnsupported.Error() + ": " + string(e) }

func (e unsupported) Unwrap() error { return ErrUnsupported }
