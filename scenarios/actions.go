package scenarios

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"mime"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Samples are images shipped for scenarios and demos (upload: {sample: NAME}).
//
//go:embed samples
var Samples embed.FS

// readFile reads a file named by a scenario: next to a scenario loaded from
// disk; embedded scenarios may only use samples.
func (r *runner) readFile(name string) ([]byte, error) {
	if r.sc.Dir == "" && !filepath.IsAbs(name) {
		return nil, fmt.Errorf("file %s: an embedded scenario can only upload samples or generated images", name)
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(r.sc.Dir, name)
	}
	return os.ReadFile(name)
}

func (r *runner) upload(ctx context.Context, s uploadSpec) error {
	var body []byte
	var err error
	ct := s.ContentType
	switch {
	case s.File != "":
		body, err = r.readFile(s.File)
	case s.Sample != "":
		body, err = Samples.ReadFile(path.Join("samples", s.Sample))
		if err != nil {
			return fmt.Errorf("no sample %q (samples: %s)", s.Sample, strings.Join(SampleNames(), ", "))
		}
	case s.Image != nil:
		body, err = generateImage(*s.Image)
		if ct == "" {
			ct = "image/" + imageFormat(s.Image.Format)
		}
	default:
		body = []byte(*s.Text)
		if ct == "" {
			ct = "text/plain"
		}
	}
	if err != nil {
		return err
	}
	if ct == "" {
		ct = mime.TypeByExtension(strings.ToLower(path.Ext(s.Key)))
	}
	in := &s3.PutObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(s.Key), Body: bytes.NewReader(body)}
	if ct != "" {
		in.ContentType = aws.String(ct)
	}
	_, err = r.client.PutObject(ctx, in)
	return err
}

// SampleNames lists the shipped samples.
func SampleNames() []string {
	entries, _ := Samples.ReadDir("samples")
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func imageFormat(f string) string {
	switch f {
	case "jpg", "jpeg":
		return "jpeg"
	case "gif":
		return "gif"
	}
	return "png"
}

// generateImage draws a deterministic test card: colour gradients and a
// diagonal, so a resize is visibly right or wrong.
func generateImage(spec imageSpec) ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, spec.Width, spec.Height))
	for y := 0; y < spec.Height; y++ {
		for x := 0; x < spec.Width; x++ {
			c := color.NRGBA{uint8(x * 255 / max(spec.Width-1, 1)), uint8(y * 255 / max(spec.Height-1, 1)), 160, 255}
			if x*spec.Height/max(spec.Width, 1) == y {
				c = color.NRGBA{255, 255, 255, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	var err error
	switch imageFormat(spec.Format) {
	case "jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	case "gif":
		err = gif.Encode(&buf, img, nil)
	default:
		err = png.Encode(&buf, img)
	}
	return buf.Bytes(), err
}

func (r *runner) policyDocument(s policySpec) ([]byte, error) {
	if s.PolicyFile != "" {
		return r.readFile(s.PolicyFile)
	}
	if text, ok := s.Policy.(string); ok {
		return []byte(text), nil
	}
	return json.MarshalIndent(s.Policy, "", "  ")
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
