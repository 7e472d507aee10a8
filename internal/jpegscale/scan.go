package jpegscale

import "image"

// natural maps a coefficient's zigzag index (T.81 figure A.6) to its
// row-major index in the 8×8 block.
var natural = zigzag()

// zigzag walks the anti-diagonals r+c = s of the block, down-left on odd
// ones and up-right on even ones.
func zigzag() (z [64]int) {
	k := 0
	for s := range 15 {
		lo, hi := max(0, s-7), min(s, 7)
		for i := lo; i <= hi; i++ {
			r := i
			if s%2 == 0 {
				r = lo + hi - i
			}
			z[k] = r*8 + (s - r)
			k++
		}
	}
	return z
}

// lastZigzag returns the largest zigzag index inside the corner of nx
// columns and ny rows: the coefficients past it are decoded but never
// stored.
func lastZigzag(nx, ny int) int {
	last := 0
	for k, p := range natural {
		if p/8 < ny && p%8 < nx {
			last = k
		}
	}
	return last
}

// decodeScan reads the scan header (T.81 B.2.3), lays out the planes at
// the chosen scale and decodes the entropy-coded data into them.
func (d *decoder) decodeScan(seg []byte) (image.Image, error) {
	if !d.frame {
		return nil, formatError("SOS before SOF")
	}
	if len(seg) < 1 || len(seg) != 4+2*int(seg[0]) {
		return nil, formatError("bad SOS length")
	}
	if int(seg[0]) != d.ncomp {
		return nil, unsupported("several scans")
	}
	next := 0 // components must come in frame order
	for i := range d.ncomp {
		id, tables := seg[1+2*i], seg[2+2*i]
		for next < d.ncomp && d.comps[next].id != id {
			next++
		}
		if next == d.ncomp {
			return nil, formatError("unknown or repeated scan component")
		}
		c := &d.comps[next]
		td, ta := tables>>4, tables&15
		if td > 3 || ta > 3 || !d.huffSet[0][td] || !d.huffSet[1][ta] {
			return nil, formatError("undefined Huffman table")
		}
		if !d.quantSet[c.tq] {
			return nil, formatError("undefined quantization table")
		}
		c.dc, c.ac = &d.huff[0][td], &d.huff[1][ta]
		next++
	}
	// Ss, Se, Ah and Al are 0, 63, 0, 0 in a sequential scan; like
	// image/jpeg, ignore them.

	hmax, vmax := d.comps[0].h, d.comps[0].v // chroma is never larger
	mcusX, mcusY := ceilDiv(d.width, 8*hmax), ceilDiv(d.height, 8*vmax)
	blocks := 0
	for i := range d.ncomp {
		c := &d.comps[i]
		c.bw, c.bh = mcusX*c.h, mcusY*c.v
		blocks += c.bw * c.bh
	}
	// Every block takes at least two bits (a DC and an EOB code): refuse a
	// short file's claim to a huge image before allocating for it.
	if blocks > 4*(len(d.data)-d.pos) {
		return nil, formatError("truncated scan")
	}
	nx, ny := 8/d.dx, 8/d.dy
	for i := range d.ncomp {
		c := &d.comps[i]
		c.stride = c.bw * nx
		c.pix = make([]uint8, c.stride*c.bh*ny)
	}
	if err := d.decodeMCUs(mcusX, mcusY, nx, ny); err != nil {
		return nil, err
	}
	return d.image(), nil
}

// decodeMCUs decodes the scan's MCUs (T.81 A.2) into the planes, with the
// transform for nx×ny samples per block.
func (d *decoder) decodeMCUs(mcusX, mcusY, nx, ny int) error {
	d.br = bitReader{data: d.data, pos: d.pos}
	o := output{idct: idctFor(d.dx, d.dy), nx: nx, ny: ny, last: lastZigzag(nx, ny)}
	mcu, rst := 0, 0
	for my := range mcusY {
		for mx := range mcusX {
			if d.restart > 0 && mcu > 0 && mcu%d.restart == 0 {
				if err := d.nextInterval(rst); err != nil {
					return err
				}
				rst++
			}
			mcu++
			if err := d.decodeMCU(mx, my, &o); err != nil {
				return err
			}
			// Checked once an MCU: a truncated file fails early, not
			// after decoding zeros to the end of the image.
			if d.br.overrun() {
				return formatError("truncated scan")
			}
		}
	}
	return nil
}

// output is how decoded blocks reach the planes.
type output struct {
	idct   idctFunc
	nx, ny int // samples per block, across and down
	last   int // the last zigzag index the IDCT reads
	blk    [64]int32
}

// decodeMCU decodes the blocks of MCU (mx, my), each component's h×v in
// raster order, and writes their samples.
func (d *decoder) decodeMCU(mx, my int, o *output) error {
	for ci := range d.ncomp {
		c := &d.comps[ci]
		q := &d.quant[c.tq]
		for v := range c.v {
			by := my*c.v + v
			for h := range c.h {
				bx := mx*c.h + h
				ac, err := d.decodeBlock(c, q, &o.blk, o.last)
				if err != nil {
					return err
				}
				if d.inspect != nil {
					d.inspect(&o.blk)
				}
				o.idct(&o.blk, ac, c.pix[by*o.ny*c.stride+bx*o.nx:], c.stride)
				if ac {
					clearBlock(&o.blk, o.last)
				}
			}
		}
	}
	return nil
}

// clearBlock zeroes the coefficients decodeBlock may have stored.
func clearBlock(blk *[64]int32, last int) {
	if last == 63 {
		*blk = [64]int32{}
		return
	}
	for _, p := range natural[:last+1] {
		blk[p] = 0
	}
}

// nextInterval ends a restart interval: it drops the bits left in the last
// byte, expects marker RSTn with n = rst mod 8, and resets the predictors
// (T.81 F.2.1.3).
func (d *decoder) nextInterval(rst int) error {
	b := &d.br
	if b.overrun() {
		return formatError("truncated scan")
	}
	// Whatever stands between the interval's last bits and the marker is
	// junk: skip it as libjpeg does. A stuffed 0xFF00 is not a marker.
	p := b.pos
	for p+1 < len(d.data) && (d.data[p] != 0xFF || d.data[p+1] == 0 || d.data[p+1] == 0xFF) {
		p++
	}
	if p+1 >= len(d.data) || d.data[p+1] != markerRST0+byte(rst%8) {
		return formatError("missing restart marker")
	}
	b.reset(p + 2)
	for i := range d.ncomp {
		d.comps[i].pred = 0
	}
	return nil
}

// image wraps the planes: the Rect is the scaled size, the planes may be
// wider and taller (whole blocks).
func (d *decoder) image() image.Image {
	r := image.Rect(0, 0, ceilDiv(d.width, d.dx), ceilDiv(d.height, d.dy))
	y := &d.comps[0]
	if d.ncomp == 1 {
		return &image.Gray{Pix: y.pix, Stride: y.stride, Rect: r}
	}
	ratio := image.YCbCrSubsampleRatio444
	switch {
	case y.h == 2 && y.v == 2:
		ratio = image.YCbCrSubsampleRatio420
	case y.h == 2:
		ratio = image.YCbCrSubsampleRatio422
	case y.v == 2:
		ratio = image.YCbCrSubsampleRatio440
	}
	return &image.YCbCr{
		Y: y.pix, Cb: d.comps[1].pix, Cr: d.comps[2].pix,
		YStride: y.stride, CStride: d.comps[1].stride,
		SubsampleRatio: ratio, Rect: r,
	}
}
