package tui

import (
	"bytes"
	"encoding/binary"
)

// tiffRGB is a w×h uncompressed RGB TIFF, written by hand: the tests must
// not link a TIFF codec, which would register its decoder with package
// image in the test binary.
func tiffRGB(w, h int) []byte {
	le := binary.LittleEndian
	var b bytes.Buffer
	b.WriteString("II")
	binary.Write(&b, le, uint16(42))
	binary.Write(&b, le, uint32(8)) // the first directory follows
	type entry struct {
		tag, typ uint16
		count    uint32
		value    uint32
	}
	const short, long = 3, 4
	const entries = 9
	bitsAt := uint32(8 + 2 + entries*12 + 4)
	pixelsAt := bitsAt + 6
	dir := []entry{
		{256, short, 1, uint32(w)},        // ImageWidth
		{257, short, 1, uint32(h)},        // ImageLength
		{258, short, 3, bitsAt},           // BitsPerSample: 8, 8, 8 at bitsAt
		{259, short, 1, 1},                // Compression: none
		{262, short, 1, 2},                // PhotometricInterpretation: RGB
		{273, long, 1, pixelsAt},          // StripOffsets
		{277, short, 1, 3},                // SamplesPerPixel
		{278, short, 1, uint32(h)},        // RowsPerStrip
		{279, long, 1, uint32(w * h * 3)}, // StripByteCounts
	}
	binary.Write(&b, le, uint16(len(dir)))
	for _, e := range dir {
		binary.Write(&b, le, e.tag)
		binary.Write(&b, le, e.typ)
		binary.Write(&b, le, e.count)
		binary.Write(&b, le, e.value)
	}
	binary.Write(&b, le, uint32(0)) // no next directory
	binary.Write(&b, le, [3]uint16{8, 8, 8})
	for i := 0; i < w*h; i++ {
		b.Write([]byte{byte(i * 40), 100, 200})
	}
	return b.Bytes()
}

// bmp24 is a w×h 24-bit BMP, written by hand for the same reason.
func bmp24(w, h int) []byte {
	le := binary.LittleEndian
	row := (w*3 + 3) &^ 3
	var b bytes.Buffer
	b.WriteString("BM")
	binary.Write(&b, le, uint32(54+row*h))
	binary.Write(&b, le, uint32(0))
	binary.Write(&b, le, uint32(54))
	binary.Write(&b, le, uint32(40)) // BITMAPINFOHEADER
	binary.Write(&b, le, int32(w))
	binary.Write(&b, le, int32(h))
	binary.Write(&b, le, uint16(1))
	binary.Write(&b, le, uint16(24))
	binary.Write(&b, le, [6]uint32{0, uint32(row * h), 2835, 2835, 0, 0})
	for y := 0; y < h; y++ {
		line := make([]byte, row)
		for x := 0; x < w; x++ {
			copy(line[x*3:], []byte{200, 100, byte(x * 40)})
		}
		b.Write(line)
	}
	return b.Bytes()
}
