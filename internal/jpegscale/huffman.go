package jpegscale

import "encoding/binary"

// lutBits is how many bits of lookahead decode a Huffman code in one table
// lookup: codes up to 9 bits cover nearly every symbol of a photo.
const lutBits = 9

// huffTable is one Huffman table (T.81 annex C and F.2.2.3) prepared for
// decoding.
type huffTable struct {
	// lut maps the next lutBits bits to length<<8 | symbol for codes of up
	// to lutBits bits; 0 means a longer (or invalid) code.
	lut [1 << lutBits]uint16
	// fastAC, for AC tables, maps the next lutBits bits to a whole
	// coefficient when its code and value bits both fit in them:
	// value<<8 | run<<4 | bits used; 0 when they do not.
	fastAC [1 << lutBits]int32
	// maxCode[l] is the largest code of length l (-1 for none); a code c of
	// length l is symbol vals[c+delta[l]].
	maxCode [17]int32
	delta   [17]int32
	vals    [256]byte
}

// build prepares t from a DHT's code counts per length and its symbols.
func (t *huffTable) build(counts *[16]byte, vals []byte, ac bool) error {
	*t = huffTable{}
	copy(t.vals[:], vals)
	code, k := int32(0), int32(0)
	for l := int32(1); l <= 16; l++ {
		n := int32(counts[l-1])
		t.maxCode[l] = -1
		if n == 0 {
			code <<= 1
			continue
		}
		if code+n > 1<<l {
			return formatError("bad Huffman table")
		}
		t.delta[l] = k - code
		for range n {
			if l <= lutBits {
				// Every lookahead starting with this code decodes to it.
				shift := lutBits - l
				for i := code << shift; i < (code+1)<<shift; i++ {
					t.lut[i] = uint16(l)<<8 | uint16(vals[k])
				}
			}
			code++
			k++
		}
		t.maxCode[l] = code - 1
		code <<= 1
	}
	if ac {
		t.buildFastAC()
	}
	return nil
}

// buildFastAC fills fastAC from lut.
func (t *huffTable) buildFastAC() {
	for i, e := range t.lut {
		l, sym := int32(e>>8), int32(e&0xFF)
		run, size := sym>>4, sym&15
		if e == 0 || size == 0 || l+size > lutBits {
			continue
		}
		bits := int32(i) >> (lutBits - l - size) & (1<<size - 1)
		t.fastAC[i] = extend(bits, uint(size))<<8 | run<<4 | (l + size)
	}
}

// decodeSlow decodes a code longer than lutBits from the top of acc,
// returning the symbol and the code's length, or length 0 for an invalid
// code.
func (t *huffTable) decodeSlow(acc uint64) (sym byte, l uint) {
	for l = lutBits + 1; l <= 16; l++ {
		code := int32(acc >> (64 - l))
		if code <= t.maxCode[l] {
			return t.vals[uint8(code+t.delta[l])], l
		}
	}
	return 0, 0
}

// extend turns the s-bit magnitude category bits v into the coefficient
// value they code (T.81 F.2.2.1: values below half the range are negative).
func extend(v int32, s uint) int32 {
	if v < 1<<(s-1) { // never for s == 0: the shift yields 0
		v -= 1<<s - 1
	}
	return v
}

// bitReader reads an entropy-coded segment most significant bit first,
// removing stuffed zero bytes. At a marker (or the end of the data) it
// supplies zero bits instead, and counts them, so that a caller can tell
// when a decode has consumed more bits than the segment holds.
type bitReader struct {
	data   []byte
	pos    int    // next byte to read
	acc    uint64 // the next n bits, left-aligned
	n      uint
	pad    uint // how many of the n bits (the last ones) are made-up zeros
	marker bool // a marker (or the end) stopped the reading at pos
}

// overrun reports whether bits past the end of the segment were consumed.
func (b *bitReader) overrun() bool { return b.n < b.pad }

// fill tops acc up to at least 57 bits.
func (b *bitReader) fill() {
	for b.n <= 56 {
		if !b.marker && b.pos+8 <= len(b.data) {
			// Eight bytes at once when none of them is 0xFF, as in nearly
			// all of a segment.
			v := binary.BigEndian.Uint64(b.data[b.pos:])
			if x := ^v; (x-0x0101010101010101)&^x&0x8080808080808080 == 0 {
				k := (64 - b.n) / 8
				b.acc |= v >> (64 - 8*k) << (64 - 8*k - b.n)
				b.n += 8 * k
				b.pos += int(k)
				return
			}
		}
		var c byte
		switch {
		case b.marker || b.pos >= len(b.data):
			b.marker = true
			b.pad += 8
		case b.data[b.pos] != 0xFF:
			c = b.data[b.pos]
			b.pos++
		case b.pos+1 < len(b.data) && b.data[b.pos+1] == 0:
			c = 0xFF
			b.pos += 2
		default: // a marker, perhaps after fill bytes
			b.marker = true
			b.pad += 8
		}
		b.acc |= uint64(c) << (56 - b.n)
		b.n += 8
	}
}

// reset starts reading a new segment at pos.
func (b *bitReader) reset(pos int) {
	*b = bitReader{data: b.data, pos: pos}
}
