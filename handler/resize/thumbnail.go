package resize

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"runtime"
	"sync"
)

// Thumbnail resizes img to w×h with a Catmull-Rom (bicubic) filter. Big
// reductions first average whole blocks of pixels so that the filter then
// spans at most about twice the output's size (as Pillow's reducing_gap
// does): nearly the quality of filtering the whole image for a fraction of
// the work. A JPEG's planes are resized as they are decoded (Y at full
// resolution, the chroma at its own) and turned into RGB only at the
// output's size. The result is opaque unless img has transparency.
func Thumbnail(img image.Image, w, h int) *image.NRGBA {
	if yc, ok := img.(*image.YCbCr); ok && yc.Rect.Min == (image.Point{}) && chromaSize(yc) != (image.Point{}) {
		return thumbnailYCbCr(yc, w, h)
	}
	src := toNRGBA(img)
	b := src.Rect
	opaque := src.Opaque()
	n := 3
	if !opaque {
		n = 4
	}
	planes := make([]plane, n)
	for c := range planes {
		planes[c] = plane{w: b.Dx(), h: b.Dy(), stride: b.Dx(), pix: make([]uint8, b.Dx()*b.Dy())}
	}
	for y := range b.Dy() {
		row := src.Pix[y*src.Stride : y*src.Stride+4*b.Dx()]
		for x := range b.Dx() {
			p := row[4*x : 4*x+4]
			if opaque {
				planes[0].pix[y*b.Dx()+x], planes[1].pix[y*b.Dx()+x], planes[2].pix[y*b.Dx()+x] = p[0], p[1], p[2]
				continue
			}
			// Premultiplied, so that transparent pixels do not bleed colour.
			a := uint32(p[3])
			for c := range 3 {
				planes[c].pix[y*b.Dx()+x] = uint8((uint32(p[c])*a + 127) / 255)
			}
			planes[3].pix[y*b.Dx()+x] = p[3]
		}
	}
	out := resizePlanes(planes, w, h)
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		d := dst.Pix[4*i : 4*i+4]
		if opaque {
			d[0], d[1], d[2], d[3] = out[0].pix[i], out[1].pix[i], out[2].pix[i], 255
			continue
		}
		a := out[3].pix[i]
		d[3] = a
		if a == 0 {
			continue
		}
		for c := range 3 {
			d[c] = uint8(min(255, (uint32(out[c].pix[i])*255+uint32(a)/2)/uint32(a)))
		}
	}
	return dst
}

// toNRGBA returns img as non-premultiplied RGBA (img itself when it is one
// that starts at the origin).
func toNRGBA(img image.Image) *image.NRGBA {
	if n, ok := img.(*image.NRGBA); ok && n.Rect.Min == (image.Point{}) {
		return n
	}
	b := img.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, img, b.Min, draw.Src)
	return dst
}

// chromaSize is the size of a YCbCr image's chroma planes (zero for a
// subsampling this package does not know).
func chromaSize(yc *image.YCbCr) image.Point {
	return chromaOf(yc.Rect.Size(), yc.SubsampleRatio)
}

// chromaOf is the size of the chroma planes of a YCbCr image of size s
// starting at the origin, as image.NewYCbCr lays them out.
func chromaOf(s image.Point, ratio image.YCbCrSubsampleRatio) image.Point {
	w, h := s.X, s.Y
	switch ratio {
	case image.YCbCrSubsampleRatio444:
		return image.Pt(w, h)
	case image.YCbCrSubsampleRatio422:
		return image.Pt((w+1)/2, h)
	case image.YCbCrSubsampleRatio420:
		return image.Pt((w+1)/2, (h+1)/2)
	case image.YCbCrSubsampleRatio440:
		return image.Pt(w, (h+1)/2)
	case image.YCbCrSubsampleRatio411:
		return image.Pt((w+3)/4, h)
	case image.YCbCrSubsampleRatio410:
		return image.Pt((w+3)/4, (h+1)/2)
	}
	return image.Point{}
}

func thumbnailYCbCr(yc *image.YCbCr, w, h int) *image.NRGBA {
	c := chromaSize(yc)
	planes := []plane{
		{w: yc.Rect.Dx(), h: yc.Rect.Dy(), stride: yc.YStride, pix: yc.Y},
		{w: c.X, h: c.Y, stride: yc.CStride, pix: yc.Cb},
		{w: c.X, h: c.Y, stride: yc.CStride, pix: yc.Cr},
	}
	out := resizePlanes(planes, w, h)
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		r, g, b := color.YCbCrToRGB(out[0].pix[i], out[1].pix[i], out[2].pix[i])
		dst.Pix[4*i], dst.Pix[4*i+1], dst.Pix[4*i+2], dst.Pix[4*i+3] = r, g, b, 255
	}
	return dst
}

// plane is one channel of 8-bit samples.
type plane struct {
	w, h, stride int
	pix          []uint8
}

// resizePlanes resizes each plane to w×h, in parallel.
func resizePlanes(planes []plane, w, h int) []plane {
	out := make([]plane, len(planes))
	var wg sync.WaitGroup
	for i, p := range planes {
		wg.Go(func() { out[i] = resizePlane(p, w, h) })
	}
	wg.Wait()
	return out
}

// reducingGap is how many times the output's size the filter may span
// after the block averaging: 3 keeps the result within a hair of filtering
// the whole image.
const reducingGap = 3

// reduction is the size of the blocks a plane of size p is averaged in
// before it is filtered down to w×h.
func reduction(p image.Point, w, h int) (kx, ky int) {
	return max(1, p.X/(w*reducingGap)), max(1, p.Y/(h*reducingGap))
}

func resizePlane(p plane, w, h int) plane {
	kx, ky := reduction(image.Pt(p.w, p.h), w, h)
	// Reduced pixel i covers source pixels [i·k, (i+1)·k) (the last one
	// perhaps fewer): the scale is the source's extent over k.
	sx := float64(p.w) / float64(kx) / float64(w)
	sy := float64(p.h) / float64(ky) / float64(h)
	if kx > 1 || ky > 1 {
		p = boxReduce(p, kx, ky)
	}
	horiz := convolve(p, weights(p.w, w, sx), true)
	return convolve(horiz, weights(p.h, h, sy), false)
}

// boxReduce averages kx×ky blocks (partial blocks at the right and bottom
// edges average what they have).
func boxReduce(p plane, kx, ky int) plane {
	ow, oh := (p.w+kx-1)/kx, (p.h+ky-1)/ky
	out := plane{w: ow, h: oh, stride: ow, pix: make([]uint8, ow*oh)}
	sums := make([]uint32, ow)
	for oy := range oh {
		clear(sums)
		y0, y1 := oy*ky, min(p.h, (oy+1)*ky)
		for y := y0; y < y1; y++ {
			row := p.pix[y*p.stride : y*p.stride+p.w]
			for ox := range ow {
				x0, x1 := ox*kx, min(p.w, (ox+1)*kx)
				var s uint32
				for _, v := range row[x0:x1] {
					s += uint32(v)
				}
				sums[ox] += s
			}
		}
		for ox := range ow {
			n := uint32((y1 - y0) * (min(p.w, (ox+1)*kx) - ox*kx))
			out.pix[oy*ow+ox] = uint8((sums[ox] + n/2) / n)
		}
	}
	return out
}

// Fixed-point weights: 14 fractional bits.
const weightBits = 14

// taps are the source samples and weights of one output sample.
type taps struct {
	start int
	w     []int32
}

// catmullRom is the bicubic kernel with a = -0.5.
func catmullRom(x float64) float64 {
	x = math.Abs(x)
	switch {
	case x < 1:
		return (1.5*x-2.5)*x*x + 1
	case x < 2:
		return ((-0.5*x+2.5)*x-4)*x + 2
	}
	return 0
}

// weights computes, for each of dst output samples, the taps over src input
// samples at scale s (input samples per output sample).
func weights(src, dst int, s float64) []taps {
	filterScale := max(1, s)
	support := 2 * filterScale
	out := make([]taps, dst)
	fw := make([]float64, 0, int(2*support)+2)
	for j := range dst {
		center := (float64(j)+0.5)*s - 0.5
		lo := min(src-1, max(0, int(math.Floor(center-support+0.5))))
		hi := max(lo, min(src-1, int(math.Ceil(center+support-0.5))))
		fw = fw[:0]
		var sum float64
		for i := lo; i <= hi; i++ {
			v := catmullRom((float64(i) - center) / filterScale)
			fw = append(fw, v)
			sum += v
		}
		if sum == 0 { // only at an edge, for a scale that overshoots it
			fw[0], sum = 1, 1
		}
		t := taps{start: lo, w: make([]int32, len(fw))}
		var isum int32
		for i, v := range fw {
			t.w[i] = int32(math.Round(v / sum * (1 << weightBits)))
			isum += t.w[i]
		}
		t.w[len(t.w)/2] += 1<<weightBits - isum // exact unity gain
		out[j] = t
	}
	return out
}

// convolve applies ts along rows (horizontal) or columns, in parallel over
// output rows.
func convolve(p plane, ts []taps, horizontal bool) plane {
	ow, oh := len(ts), p.h
	if !horizontal {
		ow, oh = p.w, len(ts)
	}
	out := plane{w: ow, h: oh, stride: ow, pix: make([]uint8, ow*oh)}
	rowsInParallel(oh, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			dst := out.pix[y*ow : (y+1)*ow]
			if horizontal {
				src := p.pix[y*p.stride : y*p.stride+p.w]
				for x, t := range ts {
					var acc int32
					for i, wt := range t.w {
						acc += int32(src[t.start+i]) * wt
					}
					dst[x] = clamp8(acc)
				}
				continue
			}
			t := ts[y]
			for x := range ow {
				var acc int32
				for i, wt := range t.w {
					acc += int32(p.pix[(t.start+i)*p.stride+x]) * wt
				}
				dst[x] = clamp8(acc)
			}
		}
	})
	return out
}

func clamp8(acc int32) uint8 {
	v := (acc + 1<<(weightBits-1)) >> weightBits
	return uint8(min(255, max(0, v)))
}

// rowsInParallel splits [0, n) among the machine's cores.
func rowsInParallel(n int, f func(y0, y1 int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/32))
	if workers <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() { f(i*n/workers, (i+1)*n/workers) })
	}
	wg.Wait()
}
