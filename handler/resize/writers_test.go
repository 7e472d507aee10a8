package resize

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"

	"github.com/lambdalab/lambdalab/internal/jpegscale"
)

// The encoders in the standard library write only some kinds of file; these
// write the others, so that the memory estimates can be checked against
// what the decoders really allocate for every kind.

// pngChunk appends one chunk, with its length and CRC.
func pngChunk(buf *bytes.Buffer, typ string, data []byte) {
	binary.Write(buf, binary.BigEndian, uint32(len(data)))
	buf.WriteString(typ)
	buf.Write(data)
	binary.Write(buf, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// pngIHDR starts a PNG: the signature and a w×h IHDR of the given depth,
// colour type and interlace method.
func pngIHDR(w, h, depth, colorType int, interlaced bool) *bytes.Buffer {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = byte(depth), byte(colorType)
	if interlaced {
		ihdr[12] = 1
	}
	pngChunk(&buf, "IHDR", ihdr)
	return &buf
}

// pngHeader is a PNG signature and an IHDR claiming w×h pixels of depth and
// colorType, and no pixels.
func pngHeader(w, h, depth, colorType int) []byte {
	return pngIHDR(w, h, depth, colorType, false).Bytes()
}

// writePNG encodes a w×h PNG of any colour type, bit depth and interlace
// method, with a tRNS chunk when trns is set. The pixels are a pattern.
func writePNG(w, h, depth, colorType int, interlaced, trns bool) []byte {
	buf := pngIHDR(w, h, depth, colorType, interlaced)
	channels := map[int]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colorType]
	if colorType == 3 {
		pngChunk(buf, "PLTE", bytes.Repeat([]byte{10, 200, 90}, 1<<depth))
	}
	if trns {
		pngChunk(buf, "tRNS", map[int][]byte{0: {0, 7}, 2: {0, 7, 0, 7, 0, 7}, 3: {0, 128}}[colorType])
	}
	passes := [][4]int{{0, 0, 1, 1}}
	if interlaced {
		passes = adam7[:]
	}
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	for _, p := range passes {
		pw, ph := (w-p[0]+p[2]-1)/p[2], (h-p[1]+p[3]-1)/p[3]
		if pw <= 0 || ph <= 0 {
			continue
		}
		row := make([]byte, 1+(channels*depth*pw+7)/8) // filter type 0: none
		for y := range ph {
			for i := 1; i < len(row); i++ {
				row[i] = byte(i*7 + y*13)
			}
			z.Write(row)
		}
	}
	z.Close()
	pngChunk(buf, "IDAT", idat.Bytes())
	pngChunk(buf, "IEND", nil)
	return buf.Bytes()
}

// writeJPEG encodes a flat grey w×h JPEG with the given sampling factors
// (one component per entry), baseline or progressive, with an Adobe marker
// carrying transform when it is not negative and, with rgb, components
// named R, G and B. Every block is coded as DC difference 0 and
// end-of-block with one-symbol Huffman tables, so each takes a bit or two
// and the file stays small at any size.
func writeJPEG(w, h int, s []jpegscale.Sampling, progressive bool, transform int, rgb bool) []byte {
	var buf bytes.Buffer
	segment := func(marker byte, data []byte) {
		buf.Write([]byte{0xFF, marker})
		binary.Write(&buf, binary.BigEndian, uint16(2+len(data)))
		buf.Write(data)
	}
	buf.Write([]byte{0xFF, 0xD8})
	if transform >= 0 {
		segment(0xEE, []byte{'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, byte(transform)})
	}
	segment(0xDB, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...))
	sof := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(s))}
	for i, c := range s {
		id := byte(i + 1)
		if rgb {
			id = "RGB"[i]
		}
		sof = append(sof, id, byte(c.H<<4|c.V), 0)
	}
	marker := byte(0xC0)
	if progressive {
		marker = 0xC2
	}
	segment(marker, sof)
	one := append([]byte{1}, make([]byte, 15)...) // one code of length 1…
	segment(0xC4, append(append([]byte{0x00}, one...), 0))
	segment(0xC4, append(append([]byte{0x10}, one...), 0)) // …for DC 0 and for EOB
	blocks := 0
	for _, c := range s {
		blocks += ((w+8*s[0].H-1)/(8*s[0].H)*c.H + 1) * ((h+8*s[0].V-1)/(8*s[0].V)*c.V + 1)
	}
	scan := func(comps []int, ss, se byte) {
		sos := []byte{byte(len(comps))}
		for _, i := range comps {
			sos = append(sos, sof[6+3*i], 0x00)
		}
		segment(0xDA, append(sos, ss, se, 0))
		buf.Write(make([]byte, blocks/4+16)) // two zero bits a block, and to spare
	}
	all := make([]int, len(s))
	for i := range all {
		all[i] = i
	}
	if !progressive {
		scan(all, 0, 63)
	} else {
		scan(all, 0, 0)
		for _, i := range all {
			scan([]int{i}, 1, 63)
		}
	}
	buf.Write([]byte{0xFF, 0xD9})
	return buf.Bytes()
}
