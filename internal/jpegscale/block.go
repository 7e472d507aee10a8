package jpegscale

// Errors of the entropy-coded data.
var (
	errHuffmanCode      = formatError("bad Huffman code")
	errDCMagnitude      = formatError("DC difference of more than 16 bits")
	errACSymbol         = formatError("run/size symbol with size 0 other than EOB and ZRL")
	errCoefficientIndex = formatError("AC coefficient past the end of the block")
)

// decodeBlock Huffman-decodes one block (T.81 F.2.2), storing the
// dequantized coefficients up to zigzag index last in blk (natural order;
// the rest are decoded and dropped). It reports whether any AC coefficient
// was stored.
func (d *decoder) decodeBlock(c *component, q *[64]int32, blk *[64]int32, last int) (bool, error) {
	b := &d.br
	if b.n < 32 {
		b.fill()
	}
	// DC: a magnitude category, then that many bits of the difference from
	// the previous block's DC.
	s, l := c.dc.decode(b.acc)
	if l == 0 {
		return false, errHuffmanCode
	}
	if s > 16 {
		return false, errDCMagnitude
	}
	b.acc <<= l
	b.n -= l
	c.pred += extend(int32(b.acc>>(64-uint(s))), uint(s))
	b.acc <<= s
	b.n -= uint(s)
	blk[0] = c.pred * q[0]
	return b.decodeAC(c.ac, q, blk, last)
}

// decode decodes the symbol whose code starts at the top of acc, returning
// it and the code's length (0 for an invalid code).
func (t *huffTable) decode(acc uint64) (byte, uint) {
	if e := t.lut[acc>>(64-lutBits)]; e != 0 {
		return byte(e), uint(e >> 8)
	}
	return t.decodeSlow(acc)
}

// decodeAC decodes a block's AC coefficients: run-length/category symbols
// until EOB or the 63rd coefficient. The reader's state lives in locals,
// which the compiler keeps in registers, for the loop's sake.
func (b *bitReader) decodeAC(t *huffTable, q *[64]int32, blk *[64]int32, last int) (bool, error) {
	acc, n := b.acc, b.n
	ac := false
	for k := 1; k < 64; k++ {
		if n < 32 { // a code and its value take at most 16+16 bits
			b.acc, b.n = acc, n
			b.fill()
			acc, n = b.acc, b.n
		}
		if f := t.fastAC[acc>>(64-lutBits)]; f != 0 {
			k += int(f >> 4 & 15)
			acc <<= uint(f & 15)
			n -= uint(f & 15)
			if k > 63 {
				return false, errCoefficientIndex
			}
			if k <= last {
				blk[natural[k]] = f >> 8 * q[k]
				ac = true
			}
			continue
		}
		rs, l := t.decode(acc)
		if l == 0 {
			return false, errHuffmanCode
		}
		acc <<= l
		n -= l
		run, size := int(rs>>4), uint(rs&15)
		if size == 0 {
			if run == 0 {
				break // EOB
			}
			if run != 15 { // only progressive scans define them (EOB runs)
				return false, errACSymbol
			}
			k += 15 // ZRL: sixteen zeros
			continue
		}
		if k += run; k > 63 {
			return false, errCoefficientIndex
		}
		v := extend(int32(acc>>(64-size)), size)
		acc <<= size
		n -= size
		if k <= last {
			blk[natural[k]] = v * q[k]
			ac = true
		}
	}
	b.acc, b.n = acc, n
	return ac, nil
}
