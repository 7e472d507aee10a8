package jpegscale

import (
	"bytes"
	"image"
)

// Marker codes (T.81 table B.1), the second byte after 0xFF.
const (
	markerSOF0 = 0xC0 // baseline DCT
	markerSOF1 = 0xC1 // extended sequential DCT, Huffman
	markerSOF2 = 0xC2 // progressive DCT, Huffman
	markerDHT  = 0xC4
	markerDAC  = 0xCC // arithmetic conditioning tables
	markerRST0 = 0xD0
	markerRST7 = 0xD7
	markerSOI  = 0xD8
	markerEOI  = 0xD9
	markerSOS  = 0xDA
	markerDQT  = 0xDB
	markerDNL  = 0xDC
	markerDRI  = 0xDD
	markerAPP0 = 0xE0
	markerAPPE = 0xEE // Adobe
	markerAPPF = 0xEF
	markerCOM  = 0xFE
	markerTEM  = 0x01
)

// component is one colour component of the frame and, once the scan starts,
// the plane it is decoded into.
type component struct {
	id     byte
	h, v   int // sampling factors
	tq     int // quantization table
	dc, ac *huffTable
	pred   int32 // DC predictor
	pix    []uint8
	stride int // samples per row of pix
	bw, bh int // blocks across and down
}

// decoder holds the state of one Decode: the tables as the segments before
// the scan define them, then the scan's bit reader.
type decoder struct {
	data   []byte
	pos    int // next unread byte of data outside the scan
	dx, dy int // the scale denominators across and down

	quant    [4][64]int32 // in zigzag order
	quantSet [4]bool
	huff     [2][4]huffTable // [DC, AC][table id]
	huffSet  [2][4]bool
	restart  int // restart interval in MCUs; 0 for none

	frame          bool
	width, height  int
	ncomp          int
	comps          [3]component
	jfif           bool
	adobe          bool
	adobeTransform byte

	br bitReader
	// inspect, when set (by tests), sees each block's coefficients before
	// its IDCT.
	inspect func(blk *[64]int32)
}

// decode reads segments up to the first scan and decodes it: a baseline
// image has everything in one scan, so what follows it is never needed.
func (d *decoder) decode() (image.Image, error) {
	if len(d.data) < 2 || d.data[0] != 0xFF || d.data[1] != markerSOI {
		return nil, formatError("missing SOI marker")
	}
	d.pos = 2
	for {
		m, err := d.nextMarker()
		if err != nil {
			return nil, err
		}
		if m == markerEOI {
			return nil, formatError("no image data before EOI")
		}
		if (m >= markerRST0 && m <= markerRST7) || m == markerTEM {
			continue // markers without a segment; stray ones are harmless
		}
		seg, err := d.segment()
		if err != nil {
			return nil, err
		}
		switch {
		case m == markerSOF0 || m == markerSOF1:
			err = d.parseSOF(seg)
		case m == markerSOF2:
			err = unsupported("progressive JPEG")
		case m == markerDAC || (m > markerSOF2 && m <= 0xCF && m != markerDHT):
			err = unsupported("lossless, hierarchical or arithmetic-coded JPEG")
		case m == markerDHT:
			err = d.parseDHT(seg)
		case m == markerDQT:
			err = d.parseDQT(seg)
		case m == markerDRI:
			err = d.parseDRI(seg)
		case m == markerSOS:
			return d.decodeScan(seg)
		case m == markerDNL:
			err = unsupported("DNL marker")
		case m == markerAPP0:
			d.jfif = d.jfif || bytes.HasPrefix(seg, []byte("JFIF\x00"))
		case m == markerAPPE:
			if len(seg) >= 12 && bytes.HasPrefix(seg, []byte("Adobe")) {
				d.adobe, d.adobeTransform = true, seg[11]
			}
		case (m > markerAPP0 && m <= markerAPPF) || m == markerCOM:
			// Metadata (Exif, ICC profiles, comments): nothing to decode.
		case m < markerSOF0:
			err = formatError("reserved marker")
		default:
			err = unsupported("unknown marker")
		}
		if err != nil {
			return nil, err
		}
	}
}

// nextMarker finds the next marker and returns its code. Bytes other than
// 0xFF before it are skipped (libjpeg tolerates them too), as are fill bytes.
func (d *decoder) nextMarker() (byte, error) {
	for {
		for d.pos < len(d.data) && d.data[d.pos] != 0xFF {
			d.pos++
		}
		for d.pos < len(d.data) && d.data[d.pos] == 0xFF {
			d.pos++
		}
		if d.pos >= len(d.data) {
			return 0, formatError("truncated before a marker")
		}
		m := d.data[d.pos]
		d.pos++
		if m != 0 { // 0xFF00 is a stuffed byte, not a marker
			return m, nil
		}
	}
}

// segment returns the payload of the segment at d.pos (after its length)
// and moves past it.
func (d *decoder) segment() ([]byte, error) {
	if d.pos+2 > len(d.data) {
		return nil, formatError("truncated segment length")
	}
	n := int(d.data[d.pos])<<8 | int(d.data[d.pos+1])
	if n < 2 || d.pos+n > len(d.data) {
		return nil, formatError("truncated segment")
	}
	seg := d.data[d.pos+2 : d.pos+n]
	d.pos += n
	return seg, nil
}

// parseSOF reads the frame header (T.81 B.2.2) and checks that this decoder
// handles its precision, size, components and sampling.
func (d *decoder) parseSOF(seg []byte) error {
	if d.frame {
		return formatError("several frames")
	}
	d.frame = true
	if len(seg) < 6 {
		return formatError("short SOF")
	}
	if seg[0] != 8 {
		return unsupported("sample precision other than 8 bits")
	}
	d.height = int(seg[1])<<8 | int(seg[2])
	d.width = int(seg[3])<<8 | int(seg[4])
	d.ncomp = int(seg[5])
	if d.height == 0 {
		return unsupported("height defined by a DNL marker")
	}
	if d.width == 0 {
		return formatError("zero width")
	}
	if d.width*d.height > maxPixels {
		return formatError("image too large")
	}
	if d.ncomp != 1 && d.ncomp != 3 {
		return unsupported("neither 1 nor 3 components")
	}
	if len(seg) != 6+3*d.ncomp {
		return formatError("bad SOF length")
	}
	for i := range d.ncomp {
		c := &d.comps[i]
		p := seg[6+3*i:]
		c.id, c.h, c.v, c.tq = p[0], int(p[1]>>4), int(p[1]&15), int(p[2])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return formatError("bad sampling factor")
		}
		if c.tq > 3 {
			return formatError("bad quantization table selector")
		}
		for j := range i {
			if d.comps[j].id == c.id {
				return formatError("repeated component id")
			}
		}
	}
	if d.ncomp == 1 {
		// A single component is non-interleaved whatever its factors
		// (T.81 A.2.2): one block per MCU.
		d.comps[0].h, d.comps[0].v = 1, 1
		return nil
	}
	y, cb, cr := d.comps[0], d.comps[1], d.comps[2]
	if y.h > 2 || y.v > 2 || cb.h != 1 || cb.v != 1 || cr.h != 1 || cr.v != 1 {
		return unsupported("chroma subsampling other than 4:4:4, 4:2:2, 4:2:0 or 4:4:0")
	}
	if d.isRGB() {
		return unsupported("RGB colour")
	}
	return nil
}

// isRGB reports a 3-component image stored as RGB rather than YCbCr:
// without a JFIF marker, an Adobe marker saying transform 0 or components
// named R, G and B (as image/jpeg reads them).
func (d *decoder) isRGB() bool {
	if d.jfif {
		return false
	}
	if d.adobe && d.adobeTransform == 0 {
		return true
	}
	return d.comps[0].id == 'R' && d.comps[1].id == 'G' && d.comps[2].id == 'B'
}

// parseDQT reads quantization tables (B.2.4.1), 8- or 16-bit.
func (d *decoder) parseDQT(seg []byte) error {
	for len(seg) > 0 {
		pq, tq := seg[0]>>4, int(seg[0]&15)
		seg = seg[1:]
		if pq > 1 || tq > 3 {
			return formatError("bad DQT table")
		}
		size := 64 << pq
		if len(seg) < size {
			return formatError("short DQT")
		}
		q := &d.quant[tq]
		for k := range q {
			if pq == 0 {
				q[k] = int32(seg[k])
			} else {
				q[k] = int32(seg[2*k])<<8 | int32(seg[2*k+1])
			}
		}
		d.quantSet[tq] = true
		seg = seg[size:]
	}
	return nil
}

// parseDHT reads Huffman tables (B.2.4.2).
func (d *decoder) parseDHT(seg []byte) error {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return formatError("short DHT")
		}
		tc, th := int(seg[0]>>4), int(seg[0]&15)
		if tc > 1 || th > 3 {
			return formatError("bad DHT table")
		}
		var counts [16]byte
		copy(counts[:], seg[1:17])
		total := 0
		for _, n := range counts {
			total += int(n)
		}
		seg = seg[17:]
		if total > 256 || len(seg) < total {
			return formatError("short DHT")
		}
		if err := d.huff[tc][th].build(&counts, seg[:total], tc == 1); err != nil {
			return err
		}
		d.huffSet[tc][th] = true
		seg = seg[total:]
	}
	return nil
}

// parseDRI reads the restart interval (B.2.4.4).
func (d *decoder) parseDRI(seg []byte) error {
	if len(seg) != 2 {
		return formatError("bad DRI length")
	}
	d.restart = int(seg[0])<<8 | int(seg[1])
	return nil
}
