package tui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"golang.org/x/image/draw"
)

// An object is previewed only when it is a PNG, JPEG or GIF by its bytes
// (not its key or Content-Type), at most maxPreviewBytes and maxPreviewPixels
// large. Each format's decoder is called by name: image.Decode would use
// every decoder any linked package registered, TIFF and BMP included, on
// whatever a student (or an attacker) uploaded.
const (
	maxPreviewBytes  = 32 << 20
	maxPreviewPixels = 50e6
	// previewSide bounds the decoded image kept for drawing.
	previewSide = 240
	// sniffBytes is how much of an object is read to tell its format.
	sniffBytes = 512
)

// imageDecoder is one format the console previews.
type imageDecoder struct {
	name   string
	magic  []string
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var previewFormats = []imageDecoder{
	{"png", []string{"\x89PNG\r\n\x1a\n"}, png.DecodeConfig, png.Decode},
	{"jpeg", []string{"\xff\xd8\xff"}, jpeg.DecodeConfig, jpeg.Decode},
	{"gif", []string{"GIF87a", "GIF89a"}, gif.DecodeConfig, gif.Decode},
}

// sniffImage is the previewed format the bytes begin with, if any.
func sniffImage(head []byte) (imageDecoder, bool) {
	for _, f := range previewFormats {
		for _, m := range f.magic {
			if bytes.HasPrefix(head, []byte(m)) {
				return f, true
			}
		}
	}
	return imageDecoder{}, false
}

// preview fills msg's image fields: the first bytes decide whether the
// object is fetched and decoded at all.
func (src *Source) preview(c context.Context, msg *objectDetailMsg) {
	size := aws.ToInt64(msg.head.ContentLength)
	if size == 0 {
		return
	}
	first, err := src.read(c, msg.bucket, msg.key, fmt.Sprintf("bytes=0-%d", sniffBytes-1))
	if err != nil {
		return
	}
	f, ok := sniffImage(first)
	if !ok {
		if t := http.DetectContentType(first); strings.HasPrefix(t, "image/") || strings.HasPrefix(aws.ToString(msg.head.ContentType), "image/") {
			msg.unpreviewed = "not drawn: the console draws PNG, JPEG and GIF images"
		}
		return
	}
	msg.format = f.name
	if size > maxPreviewBytes {
		msg.unpreviewed = fmt.Sprintf("not drawn: larger than %s", humanSize(maxPreviewBytes))
		return
	}
	data, err := src.read(c, msg.bucket, msg.key, "")
	if err != nil {
		return
	}
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		msg.unpreviewed = "not drawn: " + err.Error()
		return
	}
	msg.width, msg.height = cfg.Width, cfg.Height
	if int64(cfg.Width)*int64(cfg.Height) > maxPreviewPixels {
		msg.unpreviewed = "not drawn: too many pixels to decode for a preview"
		return
	}
	img, err := f.decode(bytes.NewReader(data))
	if err != nil {
		msg.unpreviewed = "not drawn: " + err.Error()
		return
	}
	msg.img = scaleToFit(img, previewSide, previewSide)
}

// read downloads an object, or the byte range rng of it.
func (src *Source) read(c context.Context, bucket, key, rng string) ([]byte, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if rng != "" {
		in.Range = aws.String(rng)
	}
	out, err := src.Clients.S3.GetObject(c, in)
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(io.LimitReader(out.Body, maxPreviewBytes+1))
}

// scaleToFit shrinks img to fit w×h, keeping its aspect; a smaller image is
// kept as it is.
func scaleToFit(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	if b.Dx() <= w && b.Dy() <= h {
		return img
	}
	scale := min(float64(w)/float64(b.Dx()), float64(h)/float64(b.Dy()))
	return scaleTo(img, max(int(float64(b.Dx())*scale), 1), max(int(float64(b.Dy())*scale), 1))
}

// scaleTo resamples img to exactly w×h. The bilinear kernel widens as it
// shrinks, so every source pixel counts (no aliasing on a big reduction).
func scaleTo(img image.Image, w, h int) *image.NRGBA {
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.BiLinear.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	return dst
}

// asciiRamp draws brightness without colour, for NO_COLOR and dumb
// terminals.
const asciiRamp = " .:-=+*#%@"

// renderPreview draws img in at most w×h cells. With colour, each cell is
// an upper half block whose foreground is the upper pixel and background
// the lower one: two pixels per cell, in the profile's colours (true colour,
// 256 or 16). Without colour it draws brightness with ASCII characters.
func renderPreview(img image.Image, w, h int, profile colorprofile.Profile) []string {
	if img == nil || w < 2 || h < 1 {
		return nil
	}
	b := img.Bounds()
	// A terminal cell is about twice as tall as it is wide, so a cell
	// covers one pixel across and two down.
	scale := min(float64(w)/float64(b.Dx()), float64(2*h)/float64(b.Dy()))
	tw, th := max(int(float64(b.Dx())*scale), 1), max(int(float64(b.Dy())*scale), 1)
	if profile <= colorprofile.Ascii {
		small := scaleTo(img, tw, max(th/2, 1))
		var lines []string
		for y := 0; y < small.Bounds().Dy(); y++ {
			var sb strings.Builder
			for x := 0; x < tw; x++ {
				l := luminance(small.At(x, y))
				sb.WriteByte(asciiRamp[min(int(l*float64(len(asciiRamp))), len(asciiRamp)-1)])
			}
			lines = append(lines, sb.String())
		}
		return lines
	}
	small := scaleTo(img, tw, th)
	var lines []string
	for y := 0; y < th; y += 2 {
		var sb strings.Builder
		for x := 0; x < tw; x++ {
			top, bottom := small.At(x, y), small.At(x, y)
			if y+1 < th {
				bottom = small.At(x, y+1)
			}
			sb.WriteString(sgr(profile.Convert(top), 38))
			sb.WriteString(sgr(profile.Convert(bottom), 48))
			sb.WriteString("▀")
		}
		sb.WriteString("\x1b[0m")
		lines = append(lines, sb.String())
	}
	return lines
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}

// sgr is the escape sequence setting the foreground (base 38) or
// background (base 48) to c, in the form the profile converted it to.
func sgr(c color.Color, base int) string {
	switch c := c.(type) {
	case ansi.BasicColor:
		n := int(c)
		if n < 8 {
			return fmt.Sprintf("\x1b[%dm", base-8+n) // 30-37 / 40-47
		}
		return fmt.Sprintf("\x1b[%dm", base+52+n-8) // 90-97 / 100-107
	case ansi.IndexedColor:
		return fmt.Sprintf("\x1b[%d;5;%dm", base, int(c))
	}
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("\x1b[%d;2;%d;%d;%dm", base, r>>8, g>>8, b>>8)
}
