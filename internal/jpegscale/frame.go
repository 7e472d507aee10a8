package jpegscale

import "bytes"

// Frame is what a JPEG's markers say about its image up to the first scan:
// enough to know what a decoder will allocate for it, whichever coding it
// uses (progressive, CMYK and RGB files included, which Decode refuses).
type Frame struct {
	Width, Height int
	// Progressive is set for a progressive frame (SOF2), which image/jpeg
	// decodes through a full-size copy of every coefficient.
	Progressive bool
	// Sampling is each component's horizontal and vertical sampling
	// factors, in frame order: one component for grayscale, three for
	// YCbCr or RGB, four for CMYK or YCCK.
	Sampling []Sampling
	// RGB is set for three components stored as RGB rather than YCbCr (no
	// JFIF marker, and an Adobe marker saying transform 0 or components
	// named R, G and B), which image/jpeg turns into an RGBA image.
	RGB bool
}

// Sampling is one component's sampling factors (T.81 A.1.1).
type Sampling struct{ H, V int }

// ReadFrame reads a JPEG's markers up to its first scan and returns its
// frame header. It checks only what it reads: a file it accepts may still
// fail to decode.
func ReadFrame(data []byte) (Frame, error) {
	d := decoder{data: data}
	if len(data) < 2 || data[0] != 0xFF || data[1] != markerSOI {
		return Frame{}, formatError("missing SOI marker")
	}
	d.pos = 2
	var f Frame
	var ids []byte
	for {
		m, err := d.nextMarker()
		if err != nil {
			return Frame{}, err
		}
		if (m >= markerRST0 && m <= markerRST7) || m == markerTEM {
			continue
		}
		if m == markerEOI {
			return Frame{}, formatError("no image data before EOI")
		}
		seg, err := d.segment()
		if err != nil {
			return Frame{}, err
		}
		switch {
		case m == markerSOS:
			if f.Sampling == nil {
				return Frame{}, formatError("SOS before SOF")
			}
			f.RGB = len(ids) == 3 && !d.jfif && ((d.adobe && d.adobeTransform == 0) || string(ids) == "RGB")
			return f, nil
		case m >= markerSOF0 && m <= 0xCF && m != markerDHT && m != 0xC8 && m != markerDAC:
			if f.Sampling != nil {
				return Frame{}, formatError("several frames")
			}
			if ids, err = f.parse(seg); err != nil {
				return Frame{}, err
			}
			f.Progressive = m == markerSOF2 || m == 0xC6 || m == 0xCA || m == 0xCE
		case m == markerAPP0:
			d.jfif = d.jfif || bytes.HasPrefix(seg, []byte("JFIF\x00"))
		case m == markerAPPE:
			if len(seg) >= 12 && bytes.HasPrefix(seg, []byte("Adobe")) {
				d.adobe, d.adobeTransform = true, seg[11]
			}
		}
	}
}

// parse reads a frame header's size and sampling factors; it returns the
// component ids.
func (f *Frame) parse(seg []byte) ([]byte, error) {
	if len(seg) < 6 {
		return nil, formatError("short SOF")
	}
	f.Height = int(seg[1])<<8 | int(seg[2])
	f.Width = int(seg[3])<<8 | int(seg[4])
	n := int(seg[5])
	if n < 1 || n > 4 || len(seg) != 6+3*n {
		return nil, formatError("bad SOF length")
	}
	ids := make([]byte, n)
	f.Sampling = make([]Sampling, n)
	for i := range n {
		p := seg[6+3*i:]
		ids[i], f.Sampling[i] = p[0], Sampling{int(p[1] >> 4), int(p[1] & 15)}
		if f.Sampling[i].H < 1 || f.Sampling[i].H > 4 || f.Sampling[i].V < 1 || f.Sampling[i].V > 4 {
			return nil, formatError("bad sampling factor")
		}
	}
	if n == 1 { // non-interleaved: one block per MCU whatever the factors (T.81 A.2.2)
		f.Sampling[0] = Sampling{1, 1}
	}
	return ids, nil
}
