package jpegscale

// The inverse DCTs. T.81 A.3.3 defines a block's samples as
//
//	f(x,y) = 1/4 Σu Σv C(u) C(v) F(v,u) cos((2x+1)uπ/16) cos((2y+1)vπ/16)
//
// with C(0) = 1/√2 and C(k) = 1 otherwise: a sum of cosines evaluated at the
// centres of 8 samples. Decoding at 1/m of the size evaluates the same sum at
// the centres of N = 8/m samples, keeping only the frequencies below N, which
// that grid can hold: cos((2x+1)uπ/2N) for u, v < N, with the same 1/4 and
// C. That is an N-point IDCT of the block's N×N low-frequency corner, and a
// constant block still gives F(0,0)/8 everywhere.
//
// Each 1-D transform below computes x(n) = Σk C(k) X(k) cos((2n+1)kπ/2N),
// split into the even and odd k (x(n) and x(N-1-n) share the same terms up
// to the odd ones' sign), with each rotation by a pair of cosines done in
// three multiplications. Arithmetic is in fixed point, constants scaled by
// 2^13, in 64-bit integers so that the two passes need no rescaling between
// them and even a corrupt file's coefficients cannot overflow in a way that
// matters: the result is clamped to 0..255 anyway.

const (
	fixBits = 13
	// round(cos(kπ/16)·2^13)
	fixS  = 5793 // cos(π/4)
	fixC1 = 7568 // cos(π/8)
	fixC3 = 3135 // cos(3π/8)
	fixA1 = 8035 // cos(π/16)
	fixA3 = 6811 // cos(3π/16)
	fixA5 = 4551 // cos(5π/16)
	fixA7 = 1598 // cos(7π/16)

	// outShift undoes both passes' scaling and the 1/4.
	outShift = 2*fixBits + 2
	// outBias rounds to nearest and adds the level shift of 128.
	outBias = 1<<(outShift-1) + 128<<outShift
)

// idctFunc writes the N×N samples of one dequantized block (natural order)
// at dst, rows stride apart. ac is false when every coefficient but the DC
// among those it reads is zero.
type idctFunc func(blk *[64]int32, ac bool, dst []uint8, stride int)

// idctFor returns the transform for scale denominators dx across and dy
// down: the square ones have transforms of their own, the others go through
// idctRect.
func idctFor(dx, dy int) idctFunc {
	switch {
	case dx == 2 && dy == 1:
		return idct4x8
	case dx == 1 && dy == 2:
		return idct8x4
	case dx != dy:
		return idctRect(8/dx, 8/dy)
	}
	switch dx {
	case 8:
		return idct1
	case 4:
		return idct2
	case 2:
		return idct4
	}
	return idct8
}

// idctRect returns the transform of the nx×ny low-frequency corner into
// nx×ny samples (nx across, ny down): a column pass of ny points over the
// nx columns it keeps, then a row pass of nx points. A photo decoded for a
// square thumbnail keeps more of its shorter side this way.
func idctRect(nx, ny int) idctFunc {
	return func(blk *[64]int32, ac bool, dst []uint8, stride int) {
		if !ac {
			fillRect(dst, stride, nx, ny, dcSample(blk[0]))
			return
		}
		var tmp [64]int
		var in, out [8]int
		for c := range nx {
			for r := range ny {
				in[r] = int(blk[8*r+c])
			}
			pass1D(ny, &in, &out)
			for r := range ny {
				tmp[8*r+c] = out[r]
			}
		}
		for r := range ny {
			copy(in[:nx], tmp[8*r:8*r+nx])
			pass1D(nx, &in, &out)
			row := dst[r*stride : r*stride+nx]
			for i := range row {
				row[i] = clamp((out[i] + outBias) >> outShift)
			}
		}
	}
}

// idct4x8 is the transform for half the width and the whole height (a
// landscape photo's scale for a square thumbnail): 8-point columns over the
// 4 lowest horizontal frequencies, then 4-point rows.
func idct4x8(blk *[64]int32, ac bool, dst []uint8, stride int) {
	if !ac {
		fillRect(dst, stride, 4, 8, dcSample(blk[0]))
		return
	}
	var tmp [32]int // 8 rows of 4
	for c := range 4 {
		col8(blk, c, tmp[:], 4)
	}
	for r := range 8 {
		row4((*[4]int)(tmp[4*r:4*r+4]), (*[4]uint8)(dst[r*stride:r*stride+4]))
	}
}

// idct8x4 is the transform for the whole width and half the height (a
// portrait photo's): 4-point columns, then 8-point rows.
func idct8x4(blk *[64]int32, ac bool, dst []uint8, stride int) {
	if !ac {
		fillRect(dst, stride, 8, 4, dcSample(blk[0]))
		return
	}
	var tmp [32]int // 4 rows of 8
	for c := range 8 {
		col4(blk, c, tmp[:], 8)
	}
	for r := range 4 {
		row8((*[8]int)(tmp[8*r:8*r+8]), (*[8]uint8)(dst[r*stride:r*stride+8]))
	}
}

// fillRect sets nx×ny samples of dst (nx across) to v.
func fillRect(dst []uint8, stride, nx, ny int, v uint8) {
	for r := range ny {
		row := dst[r*stride : r*stride+nx]
		for i := range row {
			row[i] = v
		}
	}
}

// pass1D is the n-point transform of x[:n] into out[:n], scaled by 2^13 as
// each pass of the square transforms is.
func pass1D(n int, x, out *[8]int) {
	switch n {
	case 1:
		out[0] = x[0] * fixS
	case 2:
		out[0], out[1] = (x[0]+x[1])*fixS, (x[0]-x[1])*fixS
	case 4:
		e0, e1, o0, o1 := points4(x[0], x[1], x[2], x[3])
		out[0], out[1], out[2], out[3] = e0+o0, e1+o1, e1-o1, e0-o0
	default:
		e0, e1, e2, e3 := even8(x[0], x[2], x[4], x[6])
		o0, o1, o2, o3 := odd8(x[1], x[3], x[5], x[7])
		out[0], out[7] = e0+o0, e0-o0
		out[1], out[6] = e1+o1, e1-o1
		out[2], out[5] = e2+o2, e2-o2
		out[3], out[4] = e3+o3, e3-o3
	}
}

func clamp(v int) uint8 {
	if uint(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return uint8(v)
}

// dcSample is the value of every sample of a block with no AC energy.
func dcSample(dc int32) uint8 { return clamp((int(dc) + 4 + 128<<3) >> 3) }

// idct1 is the 1×1 transform (the 1/8 scale): the block's mean.
func idct1(blk *[64]int32, _ bool, dst []uint8, _ int) {
	dst[0] = dcSample(blk[0])
}

// idct2 is the 2×2 transform of the 2×2 corner (the 1/4 scale):
// cos(π/4) = -cos(3π/4) = 1/√2, so every term is ±F/8.
func idct2(blk *[64]int32, ac bool, dst []uint8, stride int) {
	if !ac {
		fillRect(dst, stride, 2, 2, dcSample(blk[0]))
		return
	}
	f00, f01, f10, f11 := int(blk[0]), int(blk[1]), int(blk[8]), int(blk[9])
	const bias = 4 + 128<<3
	a, b := f00+f10, f01+f11 // top row: cos terms of v are +1/√2
	c, d := f00-f10, f01-f11 // bottom row: -1/√2 for v = 1
	row := dst[:2]
	row[0], row[1] = clamp((a+b+bias)>>3), clamp((a-b+bias)>>3)
	row = dst[stride : stride+2]
	row[0], row[1] = clamp((c+d+bias)>>3), clamp((c-d+bias)>>3)
}

// idct4 is the 4×4 transform of the 4×4 corner (the 1/2 scale).
func idct4(blk *[64]int32, ac bool, dst []uint8, stride int) {
	if !ac {
		fillRect(dst, stride, 4, 4, dcSample(blk[0]))
		return
	}
	var tmp [16]int
	for c := range 4 {
		col4(blk, c, tmp[:], 4)
	}
	for r := range 4 {
		row4((*[4]int)(tmp[4*r:4*r+4]), (*[4]uint8)(dst[r*stride:r*stride+4]))
	}
}

// idct8 is the full 8×8 transform.
func idct8(blk *[64]int32, ac bool, dst []uint8, stride int) {
	if !ac {
		fillRect(dst, stride, 8, 8, dcSample(blk[0]))
		return
	}
	var tmp [64]int
	for c := range 8 {
		col8(blk, c, tmp[:], 8)
	}
	for r := range 8 {
		x := (*[8]int)(tmp[8*r : 8*r+8])
		row := (*[8]uint8)(dst[r*stride : r*stride+8])
		if x[1]|x[2]|x[3]|x[4]|x[5]|x[6]|x[7] == 0 {
			v := clamp((x[0]*fixS + outBias) >> outShift)
			*row = [8]uint8{v, v, v, v, v, v, v, v}
			continue
		}
		row8(x, row)
	}
}

// row4 is the 4-point row pass: it writes a row of 4 samples.
func row4(x *[4]int, row *[4]uint8) {
	e0, e1, o0, o1 := points4(x[0], x[1], x[2], x[3])
	row[0] = clamp((e0 + o0 + outBias) >> outShift)
	row[3] = clamp((e0 - o0 + outBias) >> outShift)
	row[1] = clamp((e1 + o1 + outBias) >> outShift)
	row[2] = clamp((e1 - o1 + outBias) >> outShift)
}

// points4 is the 4-point transform's even and odd halves: x(0), x(3) are
// e0 ± o0 and x(1), x(2) are e1 ± o1.
func points4(x0, x1, x2, x3 int) (e0, e1, o0, o1 int) {
	e0, e1 = (x0+x2)*fixS, (x0-x2)*fixS
	z := (x1 + x3) * fixC3
	o0 = z + x1*(fixC1-fixC3) // c1·x1 + c3·x3
	o1 = z - x3*(fixC1+fixC3) // c3·x1 - c1·x3
	return e0, e1, o0, o1
}

// col4 is the 4-point column pass of column c of blk into tmp, whose rows
// are w apart.
func col4(blk *[64]int32, c int, tmp []int, w int) {
	e0, e1, o0, o1 := points4(int(blk[c]), int(blk[8+c]), int(blk[16+c]), int(blk[24+c]))
	tmp[c], tmp[3*w+c] = e0+o0, e0-o0
	tmp[w+c], tmp[2*w+c] = e1+o1, e1-o1
}

// col8 is the 8-point column pass of column c of blk into tmp, whose rows
// are w apart.
func col8(blk *[64]int32, c int, tmp []int, w int) {
	x0, x1, x2, x3 := int(blk[c]), int(blk[8+c]), int(blk[16+c]), int(blk[24+c])
	x4, x5, x6, x7 := int(blk[32+c]), int(blk[40+c]), int(blk[48+c]), int(blk[56+c])
	if x1|x2|x3|x4|x5|x6|x7 == 0 {
		// A column of only its DC, as most are past the first few.
		v := x0 * fixS
		for r := range 8 {
			tmp[w*r+c] = v
		}
		return
	}
	e0, e1, e2, e3 := even8(x0, x2, x4, x6)
	o0, o1, o2, o3 := odd8(x1, x3, x5, x7)
	tmp[c], tmp[7*w+c] = e0+o0, e0-o0
	tmp[w+c], tmp[6*w+c] = e1+o1, e1-o1
	tmp[2*w+c], tmp[5*w+c] = e2+o2, e2-o2
	tmp[3*w+c], tmp[4*w+c] = e3+o3, e3-o3
}

// row8 is the 8-point row pass: it writes a row of 8 samples.
func row8(x *[8]int, row *[8]uint8) {
	e0, e1, e2, e3 := even8(x[0], x[2], x[4], x[6])
	o0, o1, o2, o3 := odd8(x[1], x[3], x[5], x[7])
	row[0] = clamp((e0 + o0 + outBias) >> outShift)
	row[7] = clamp((e0 - o0 + outBias) >> outShift)
	row[1] = clamp((e1 + o1 + outBias) >> outShift)
	row[6] = clamp((e1 - o1 + outBias) >> outShift)
	row[2] = clamp((e2 + o2 + outBias) >> outShift)
	row[5] = clamp((e2 - o2 + outBias) >> outShift)
	row[3] = clamp((e3 + o3 + outBias) >> outShift)
	row[4] = clamp((e3 - o3 + outBias) >> outShift)
}

// even8 is the even half of the 8-point transform, the terms k = 0, 2, 4, 6
// of x(n) for n = 0..3 (and, mirrored, 7..4).
func even8(x0, x2, x4, x6 int) (e0, e1, e2, e3 int) {
	t0, t1 := (x0+x4)*fixS, (x0-x4)*fixS
	z := (x2 + x6) * fixC3
	r0 := z + x2*(fixC1-fixC3) // c1·x2 + c3·x6
	r1 := z - x6*(fixC1+fixC3) // c3·x2 - c1·x6
	return t0 + r0, t1 + r1, t1 - r1, t0 - r0
}

// odd8 is the odd half, the terms k = 1, 3, 5, 7 of x(n) for n = 0..3 (and,
// negated, 7..4):
//
//	o0 = a1·x1 + a3·x3 + a5·x5 + a7·x7
//	o1 = a3·x1 - a7·x3 - a1·x5 - a5·x7
//	o2 = a5·x1 - a1·x3 + a7·x5 + a3·x7
//	o3 = a7·x1 - a5·x3 + a3·x5 - a1·x7
//
// with ak = cos(kπ/16): four rotations, of (x1, x7) and (x3, x5) each by
// two angles.
func odd8(x1, x3, x5, x7 int) (o0, o1, o2, o3 int) {
	s17, s35 := x1+x7, x3+x5
	z := s17 * fixA7
	p17 := z + x1*(fixA1-fixA7) // a1·x1 + a7·x7
	q17 := z - x7*(fixA1+fixA7) // a7·x1 - a1·x7
	z = s35 * fixA3
	p35 := z - x5*(fixA3-fixA5) // a3·x3 + a5·x5
	q35 := z - x3*(fixA3+fixA5) // a3·x5 - a5·x3
	z = s17 * fixA3
	u17 := z - x7*(fixA3+fixA5) // a3·x1 - a5·x7
	v17 := z - x1*(fixA3-fixA5) // a5·x1 + a3·x7
	z = s35 * fixA7
	u35 := -z - x5*(fixA1-fixA7) // -a7·x3 - a1·x5
	v35 := z - x3*(fixA1+fixA7)  // a7·x5 - a1·x3
	return p17 + p35, u17 + u35, v17 + v35, q17 + q35
}
