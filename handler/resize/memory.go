package resize

import (
	"image"

	"github.com/lambdalab/lambdalab/internal/jpegscale"
)

// What decoding and resizing an image allocate, from its header alone, so
// that an image too big for the function's memory is refused before a byte
// of it is decoded: a real Lambda would otherwise die mid-decode. Each
// estimate follows what the decoder in question allocates (image/png,
// image/jpeg, image/gif and jpegscale: the decoded image in the type each
// returns for the file's colour type and depth, plus its working copies),
// then what Thumbnail allocates for that type. All of it counts as if held
// at once, an upper bound of what is live. The tests hold each estimate to
// at least the bytes really allocated and at most half as much again.

// What each decoder allocates besides the pixels, its tables and windows,
// with room to spare (measured with Go 1.26: image/png 46 KB, most of it
// zlib's; jpegscale 33 KB; image/gif 23 KB; image/jpeg 14 KB).
const (
	pngScratch       = 64 << 10
	jpegscaleScratch = 48 << 10
	gifScratch       = 32 << 10
	jpegScratch      = 32 << 10
	// paletteBytes is a palette of 256 colours, each boxed in an interface.
	paletteBytes = 256 * 32
)

// layout is what a decoder returns for a file, as far as memory goes.
type layout struct {
	bytes int64       // what the decoder allocates, its scratch included
	size  image.Point // the image it returns
	// chroma is the size of the chroma planes of a YCbCr image, which
	// Thumbnail resizes plane by plane without a copy; zero otherwise.
	chroma image.Point
	nrgba  bool // the decoder returns an *image.NRGBA, which Thumbnail uses as it is
	alpha  bool // the image may be transparent: four planes rather than three
}

// need is what decoding the file and resizing it to w×h allocate.
func (l layout) need(w, h int) int64 {
	return l.bytes + thumbnailBytes(l, w, h)
}

// thumbnailBytes is what Thumbnail allocates for an image of layout l: an
// NRGBA copy unless it is one, the planes it splits it into, the reduced
// and filtered planes, their weights and the output.
func thumbnailBytes(l layout, w, h int) int64 {
	px := area(l.size)
	var planes []image.Point
	var n int64
	if l.chroma != (image.Point{}) {
		planes = []image.Point{l.size, l.chroma, l.chroma}
	} else {
		if !l.nrgba {
			n += page(4 * px)
		}
		planes = []image.Point{l.size, l.size, l.size}
		if l.alpha {
			planes = append(planes, l.size)
		}
		n += int64(len(planes)) * page(px)
	}
	for _, p := range planes {
		kx, ky := reduction(p, w, h)
		if kx > 1 || ky > 1 {
			p = image.Pt((p.X+kx-1)/kx, (p.Y+ky-1)/ky)
			n += page(area(p))
		}
		n += page(int64(w)*int64(p.Y)) + page(int64(w)*int64(h)) + weightsBytes(w) + weightsBytes(h)
	}
	return n + page(4*int64(w)*int64(h))
}

// weightsBytes bounds the taps of one pass to n samples: after the block
// averaging a source sample is less than 2·reducingGap output samples wide,
// and Catmull-Rom spans two of those each side.
func weightsBytes(n int) int64 {
	const perSample = 32 + 4*(8*reducingGap+2) // the taps value and its weights
	return int64(n) * perSample
}

func area(p image.Point) int64 { return int64(p.X) * int64(p.Y) }

// page is what an allocation of n bytes takes: the runtime hands out
// objects over 32 KB in whole 8 KB pages, smaller ones in size classes
// that waste at most an eighth.
func page(n int64) int64 {
	if n <= 32<<10 {
		return n + n/8 + 16
	}
	return (n + 8191) &^ 8191
}

// pngLayout is what image/png allocates for an image with this IHDR
// (width, height, bit depth, colour type, interlace method) and, when trns
// is set, a tRNS chunk.
func pngLayout(w, h, depth, colorType int, interlaced, trns bool) layout {
	channels := map[int]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colorType]
	bits := channels * depth // per pixel, as the rows are stored
	// The decoded image: Gray, Gray16, RGBA, RGBA64 and Paletted for
	// opaque colour types, NRGBA or NRGBA64 when there is an alpha channel
	// or a tRNS chunk (paletted images keep theirs in the palette).
	l := layout{size: image.Pt(w, h), alpha: colorType == 4 || colorType == 6 || trns}
	bpp := int64(4)
	switch {
	case colorType == 3:
		bpp = 1
	case depth == 16 && (l.alpha || colorType == 2):
		bpp = 8
	case depth == 16:
		bpp = 2 // Gray16
	case colorType == 0 && !trns:
		bpp = 1 // Gray, also for depths 1, 2 and 4
	default:
		l.nrgba = l.alpha
	}
	rows := func(w int) int64 { return 2 * page(1+(int64(bits)*int64(w)+7)/8) } // current and previous row
	l.bytes = pngScratch + page(bpp*area(l.size)) + rows(w)
	if colorType == 3 {
		l.bytes += paletteBytes
	}
	if interlaced {
		// Each Adam7 pass is decoded into an image of its own, then copied
		// into the full one.
		for _, p := range adam7 {
			pw, ph := (w-p[0]+p[2]-1)/p[2], (h-p[1]+p[3]-1)/p[3]
			if pw > 0 && ph > 0 {
				l.bytes += page(bpp*int64(pw)*int64(ph)) + rows(pw)
			}
		}
	}
	return l
}

// adam7 is each interlacing pass's x and y offsets and factors.
var adam7 = [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}

// jpegLayout is what image/jpeg allocates for a JPEG with frame f: planes
// padded to whole MCUs, every coefficient of a progressive frame, and an
// RGBA or CMYK copy for RGB and four-component files.
func jpegLayout(f jpegscale.Frame) layout {
	s := f.Sampling
	l := layout{size: image.Pt(f.Width, f.Height), bytes: jpegScratch}
	h0, v0 := s[0].H, s[0].V
	mxx, myy := int64((f.Width+8*h0-1)/(8*h0)), int64((f.Height+8*v0-1)/(8*v0))
	padded := image.Pt(int(8*int64(h0)*mxx), int(8*int64(v0)*myy))
	if f.Progressive {
		for _, c := range s {
			l.bytes += page(mxx * myy * int64(c.H*c.V) * 64 * 4)
		}
	}
	if len(s) == 1 {
		l.bytes += page(64 * mxx * myy)
		return l
	}
	ratio := jpegRatio(s)
	l.bytes += page(area(padded) + 2*area(chromaOf(padded, ratio)))
	switch {
	case len(s) == 4:
		l.bytes += page(64*mxx*int64(s[3].H)*myy*int64(s[3].V)) + page(4*area(l.size))
	case f.RGB:
		l.bytes += page(4 * area(l.size))
	default:
		l.chroma = chromaOf(l.size, ratio)
	}
	return l
}

// jpegRatio is the chroma subsampling image/jpeg gives a YCbCr image with
// these sampling factors (4:4:4 for those it refuses).
func jpegRatio(s []jpegscale.Sampling) image.YCbCrSubsampleRatio {
	if s[1].H == 0 || s[1].V == 0 || s[0].H%s[1].H != 0 || s[0].V%s[1].V != 0 {
		return image.YCbCrSubsampleRatio444
	}
	switch [2]int{s[0].H / s[1].H, s[0].V / s[1].V} {
	case [2]int{1, 2}:
		return image.YCbCrSubsampleRatio440
	case [2]int{2, 1}:
		return image.YCbCrSubsampleRatio422
	case [2]int{2, 2}:
		return image.YCbCrSubsampleRatio420
	case [2]int{4, 1}:
		return image.YCbCrSubsampleRatio411
	case [2]int{4, 2}:
		return image.YCbCrSubsampleRatio410
	}
	return image.YCbCrSubsampleRatio444
}

// jpegScaledLayout is what jpegscale allocates to decode a JPEG with frame
// f at 1/dx × 1/dy: each component's whole blocks at the reduced size.
func jpegScaledLayout(f jpegscale.Frame, dx, dy int) layout {
	s := f.Sampling
	mcusX, mcusY := int64((f.Width+8*s[0].H-1)/(8*s[0].H)), int64((f.Height+8*s[0].V-1)/(8*s[0].V))
	l := layout{size: image.Pt((f.Width+dx-1)/dx, (f.Height+dy-1)/dy), bytes: jpegscaleScratch}
	for _, c := range s {
		l.bytes += page(mcusX * int64(c.H*8/dx) * mcusY * int64(c.V*8/dy))
	}
	if len(s) == 3 {
		l.chroma = chromaOf(l.size, jpegRatio(s))
	}
	return l
}

// gifLayout is what image/gif allocates for the first frame of a GIF whose
// logical screen is w×h: a paletted frame no larger than the screen.
func gifLayout(w, h int) layout {
	l := layout{size: image.Pt(w, h), alpha: true}
	l.bytes = gifScratch + 2*paletteBytes + page(area(l.size)) // global and local colour tables
	return l
}
