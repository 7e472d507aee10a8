package resize

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/lambdalab/lambdalab/internal/jpegscale"
)

// format is one of the image formats the handler reads, with its own
// decoder. The handler never goes through image.Decode: its registry holds
// whatever any package linked into the binary registers (lambdalab's once
// had BMP and TIFF through an image library), so the same handler would
// accept a BMP in one binary and refuse it in another. What it reads is
// this list, in every binary.
type format struct {
	name    string
	magic   []string
	inspect func(data []byte) (layout, error) // checks the header; what decoding allocates
	decode  func(io.Reader) (image.Image, error)
}

var formats = []format{
	{"png", []string{"\x89PNG\r\n\x1a\n"}, inspectPNG, png.Decode},
	{"jpeg", []string{"\xff\xd8"}, inspectJPEG, jpeg.Decode},
	{"gif", []string{"GIF87a", "GIF89a"}, inspectGIF, gif.Decode},
}

// formatOf recognises data's format by its first bytes; nil when it is none
// the handler reads.
func formatOf(data []byte) *format {
	for i := range formats {
		for _, m := range formats[i].magic {
			if bytes.HasPrefix(data, []byte(m)) {
				return &formats[i]
			}
		}
	}
	return nil
}

// otherFormat names, with its article, a common image format the handler
// does not read, for the error; "" for anything else.
func otherFormat(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("BM")):
		return "a BMP"
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return "a TIFF"
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return "a WebP"
	case len(data) >= 12 && string(data[4:8]) == "ftyp" && (string(data[8:12]) == "avif" || string(data[8:12]) == "avis"):
		return "an AVIF"
	case len(data) >= 12 && string(data[4:8]) == "ftyp" && (string(data[8:11]) == "hei" || string(data[8:12]) == "mif1"):
		return "a HEIC"
	}
	return ""
}

// notImage is the error for data in no format the handler reads.
func notImage(data []byte) error {
	if len(data) == 0 {
		return fmt.Errorf("the object is empty (0 bytes): %w", ErrNotImage)
	}
	if name := otherFormat(data); name != "" {
		return fmt.Errorf("%w: it is %s image (convert it to PNG or JPEG first)", ErrNotImage, name)
	}
	return fmt.Errorf("%w (it starts with % x)", ErrNotImage, data[:min(len(data), 8)])
}

func inspectPNG(data []byte) (layout, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return layout{}, err
	}
	// DecodeConfig has checked that IHDR comes first: its bit depth, colour
	// type and interlace method are at fixed offsets.
	ihdr := data[16:29]
	return pngLayout(cfg.Width, cfg.Height, int(ihdr[8]), int(ihdr[9]), ihdr[12] == 1, pngHasTRNS(data)), nil
}

// pngHasTRNS reports whether a tRNS chunk comes before the image data:
// image/png then decodes a grey or truecolour image with an alpha channel.
func pngHasTRNS(data []byte) bool {
	for p := 8; p+8 <= len(data); {
		switch string(data[p+4 : p+8]) {
		case "tRNS":
			return true
		case "IDAT", "IEND":
			return false
		}
		n := int64(binary.BigEndian.Uint32(data[p:]))
		if n > int64(len(data)) {
			return false
		}
		p += 12 + int(n)
	}
	return false
}

func inspectJPEG(data []byte) (layout, error) {
	// image/jpeg has the final word on the header, and the clearer errors.
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return layout{}, err
	}
	f, err := jpegscale.ReadFrame(data)
	if err != nil || f.Width != cfg.Width || f.Height != cfg.Height {
		// Not what image/jpeg read: assume the most it allocates for a
		// frame of this size (four full-size progressive components).
		f = jpegscale.Frame{Width: cfg.Width, Height: cfg.Height, Progressive: true,
			Sampling: []jpegscale.Sampling{{H: 1, V: 1}, {H: 1, V: 1}, {H: 1, V: 1}, {H: 1, V: 1}}}
	}
	return jpegLayout(f), nil
}

func inspectGIF(data []byte) (layout, error) {
	cfg, err := gif.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return layout{}, err
	}
	return gifLayout(cfg.Width, cfg.Height), nil
}
