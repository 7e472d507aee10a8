package tui

import (
	"fmt"
	"image"
	"image/color"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/disintegration/imaging"
)

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
		small := imaging.Resize(img, tw, max(th/2, 1), imaging.Box)
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
	small := imaging.Resize(img, tw, th, imaging.Box)
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
