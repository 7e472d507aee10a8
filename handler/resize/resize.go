// Package resize is the exercise's function: for each S3 record, fetch the
// uploaded image, resize it to 300×300 (WIDTH/HEIGHT change it), and put the
// PNG under the same key into OUTPUT_BUCKET. It is a plain aws-lambda-go
// handler: cmd/resize-lambda runs it on AWS Lambda, the lab runs it in
// process, and both hand it an aws-sdk-go-v2 S3 client.
package resize

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/handler/sandbox"
	"github.com/lambdalab/lambdalab/internal/jpegscale"
)

// S3API is the part of *s3.Client the handler uses.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Config is the function's settings, from its environment.
type Config struct {
	OutputBucket string // OUTPUT_BUCKET: where resized images go (required)
	Width        int    // WIDTH, default 300
	Height       int    // HEIGHT, default 300
	MemoryMB     int    // AWS_LAMBDA_FUNCTION_MEMORY_SIZE, default 128: bounds the images it accepts
	// InputPrefix is removed from a key before OutputPrefix is put in front:
	// with INPUT_PREFIX=uploads/ and OUTPUT_PREFIX=resized/, uploads/a.png
	// becomes resized/a.png. Both default to "" (same key).
	InputPrefix  string
	OutputPrefix string
	// SkipMarked makes the handler skip objects carrying the marker it puts
	// on its own output (SKIP_RESIZED=true): one way to break a loop when
	// output lands where the trigger listens.
	SkipMarked bool
	// Marker is the value of the x-amz-meta-resized-by metadata it writes:
	// the function's name (AWS_LAMBDA_FUNCTION_NAME).
	Marker string
	// RawKey (USE_RAW_KEY=true) reproduces the classic mistake: it uses the
	// key as the event spells it, URL-encoded ("my+photo.png"), instead of
	// decoding it. For the lesson only.
	RawKey bool
}

// MarkerKey is the user metadata key (x-amz-meta-resized-by) the handler
// puts on every image it writes.
const MarkerKey = "resized-by"

// DefaultSize is the exercise's thumbnail edge.
const DefaultSize = 300

// ConfigFromEnv reads the settings through getenv (os.Getenv on AWS).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{OutputBucket: getenv("OUTPUT_BUCKET"), Width: DefaultSize, Height: DefaultSize, MemoryMB: 128,
		InputPrefix: getenv("INPUT_PREFIX"), OutputPrefix: getenv("OUTPUT_PREFIX"), Marker: getenv("AWS_LAMBDA_FUNCTION_NAME")}
	if c.OutputBucket == "" {
		return c, errors.New("OUTPUT_BUCKET is not set: the function needs a bucket to write resized images to")
	}
	if c.Marker == "" {
		c.Marker = "resize"
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"SKIP_RESIZED", &c.SkipMarked}, {"USE_RAW_KEY", &c.RawKey}} {
		switch v := getenv(b.name); v {
		case "", "false":
		case "true":
			*b.dst = true
		default:
			return c, fmt.Errorf("%s=%q: want true or false", b.name, v)
		}
	}
	for _, v := range []struct {
		name string
		dst  *int
		max  int
	}{{"WIDTH", &c.Width, 10000}, {"HEIGHT", &c.Height, 10000}, {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", &c.MemoryMB, 10240}} {
		s := getenv(v.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > v.max {
			return c, fmt.Errorf("%s=%q: want a whole number from 1 to %d", v.name, s, v.max)
		}
		*v.dst = n
	}
	return c, nil
}

// Handler resizes the images S3 events name.
type Handler struct {
	s3  S3API
	cfg Config
}

// New returns a handler that uses client for every S3 call.
func New(client S3API, cfg Config) *Handler {
	return &Handler{s3: client, cfg: cfg}
}

// Handle processes every record of an S3 event; the first failure fails the
// invocation, so Lambda retries it.
func (h *Handler) Handle(ctx context.Context, event events.S3Event) error {
	for _, r := range event.Records {
		key := r.S3.Object.URLDecodedKey
		if h.cfg.RawKey {
			key = r.S3.Object.Key // the mistake: the key is URL-encoded in events
		}
		if err := h.resizeOne(ctx, r.S3.Bucket.Name, key); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) resizeOne(ctx context.Context, bucket, key string) error {
	log := sandbox.Logger(ctx)
	out, err := h.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	if by, ok := out.Metadata[MarkerKey]; ok && h.cfg.SkipMarked {
		out.Body.Close()
		log.Printf("skipping s3://%s/%s: it is an image %s wrote (x-amz-meta-%s)", bucket, key, by, MarkerKey)
		return nil
	}
	data, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil {
		return fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
	}
	png, format, size, err := h.Render(data)
	if err != nil {
		return fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
	}
	log.Printf("resizing s3://%s/%s (%s, %dx%d) to %dx%d", bucket, key, format, size.X, size.Y, h.cfg.Width, h.cfg.Height)
	outKey := h.cfg.OutputPrefix + strings.TrimPrefix(key, h.cfg.InputPrefix)
	_, err = h.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(h.cfg.OutputBucket),
		Key:         aws.String(outKey),
		Body:        bytes.NewReader(png),
		ContentType: aws.String("image/png"),
		Metadata:    map[string]string{MarkerKey: h.cfg.Marker},
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", h.cfg.OutputBucket, outKey, err)
	}
	log.Printf("wrote s3://%s/%s (%d bytes)", h.cfg.OutputBucket, outKey, len(png))
	return nil
}

// Render is the handler's work on one image, without S3: decode data (PNG,
// JPEG or GIF, refusing images too big for the function's memory), resize
// it, encode the PNG. It returns the PNG, the input's format and size.
func (h *Handler) Render(data []byte) ([]byte, string, image.Point, error) {
	img, format, size, err := h.decode(data)
	if err != nil {
		return nil, format, size, err
	}
	thumb := Thumbnail(img, h.cfg.Width, h.cfg.Height)
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, thumb); err != nil {
		return nil, format, image.Point{}, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), format, size, nil
}

// pngEncoder favours speed: PNG is lossless at every level, and level 1
// takes a tenth of the default's time for a thumbnail some 15% larger.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed}

// ErrNotImage is returned for objects that are not PNG, JPEG or GIF images.
var ErrNotImage = errors.New("not a PNG, JPEG or GIF image")

// decode checks the image's header before decoding it: its pixels must fit in
// the function's memory, as a real Lambda would otherwise die mid-decode. It
// returns the image (a JPEG's may be a fraction of its size), its format and
// its size as the file gives it.
func (h *Handler) decode(data []byte) (image.Image, string, image.Point, error) {
	var none image.Point
	f := formatOf(data)
	if f == nil {
		return nil, "", none, notImage(data)
	}
	l, err := f.inspect(data)
	if err != nil {
		return nil, f.name, none, fmt.Errorf("corrupt %s header: %v", f.name, err)
	}
	size := l.size
	if f.name == "jpeg" {
		if img, ok := h.decodeScaled(data, size); ok {
			return img, f.name, size, nil
		}
	}
	if need, budget := h.need(data, l), h.memoryBudget(); need > budget {
		return nil, f.name, size, fmt.Errorf("%s image of %dx%d pixels needs about %d MB to decode; the function's %d MB of memory leave about %d MB for it (raise its memory size or upload a smaller image)",
			f.name, size.X, size.Y, need>>20, h.cfg.MemoryMB, budget>>20)
	}
	img, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return nil, f.name, size, fmt.Errorf("corrupt or truncated %s image: %v", f.name, err)
	}
	return img, f.name, size, nil
}

// need is what the handler holds to resize the file data of layout l: the
// file itself, what decoding it and resizing it allocate.
func (h *Handler) need(data []byte, l layout) int64 {
	return int64(len(data)) + l.need(h.cfg.Width, h.cfg.Height)
}

// decodeScaled decodes a baseline JPEG straight at a fraction of its width
// and of its height (1/2, 1/4 or 1/8 each, in the DCT; see jpegDenom): for
// a 300×300 thumbnail a 4000×3000 photo is decoded at 2000×1500 and a
// 1920×1080 one at 960×1080 (the thumbnail has its own shape anyway). It
// reports false for anything else (progressive, CMYK, corrupt…), which
// image/jpeg then decodes or explains.
func (h *Handler) decodeScaled(data []byte, size image.Point) (image.Image, bool) {
	f, err := jpegscale.ReadFrame(data)
	if err != nil || f.Width != size.X || f.Height != size.Y {
		return nil, false
	}
	dx, dy := jpegDenom(size.X, h.cfg.Width), jpegDenom(size.Y, h.cfg.Height)
	if h.need(data, jpegScaledLayout(f, dx, dy)) > h.memoryBudget() {
		return nil, false
	}
	img, err := jpegscale.Decode(data, dx, dy)
	return img, err == nil
}

// jpegDenom is the reduction at which a side of size pixels is decoded for
// a thumbnail side of target pixels: the largest of 1/8, 1/4 and 1/2 that
// leaves at least 3 × d/2 times the target (1/2 leaves 3×, 1/4 6×, 1/8
// 12×), else 1. A block's scaled inverse DCT is a coarse filter, the more
// so the more it drops: decoded closer to the thumbnail's size the
// thumbnails measured up to 3 dB further from the original photo, while
// with this much room left they are as close as from a full decode
// (BENCHMARKS.md).
func jpegDenom(size, target int) int {
	for _, d := range [...]int{8, 4, 2} {
		if size >= d*(3*d/2)*target {
			return d
		}
	}
	return 1
}

// memoryBudget is what decoding and resizing may use: the function's memory
// less what the Go runtime and the handler itself take.
func (h *Handler) memoryBudget() int64 {
	const overhead = 48 << 20
	mem := int64(h.cfg.MemoryMB) << 20
	if mem <= overhead*2 {
		return mem / 2
	}
	return mem - overhead
}
