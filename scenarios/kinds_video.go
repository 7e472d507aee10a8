package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The video step kinds, for the transcode lab: a generated test video to
// upload, a video to check with ffprobe, and a function's reserved
// concurrency. They use this machine's ffmpeg and ffprobe.

// videoSpec uploads a test video that ffmpeg generates (its testsrc
// pattern), so a scenario needs no video file.
type videoSpec struct {
	Bucket string `yaml:"bucket"`
	Key    string `yaml:"key"`
	// Seconds is the video's length.
	Seconds int `yaml:"seconds"`
	Width   int `yaml:"width"`
	Height  int `yaml:"height"`
	// FPS is frames per second; a keyframe starts every second, where a
	// split at keyframes may cut.
	FPS int `yaml:"fps"`
}

func (v *videoSpec) validate() error {
	switch {
	case v.Bucket == "" || v.Key == "":
		return fmt.Errorf("uploadVideo needs bucket and key")
	case v.Seconds < 1 || v.Seconds > 600:
		return fmt.Errorf("uploadVideo seconds: from 1 to 600")
	case v.Width < 16 || v.Height < 16 || v.Width > 3840 || v.Height > 2160 || v.Width%2 == 1 || v.Height%2 == 1:
		return fmt.Errorf("uploadVideo width and height: even, from 16×16 to 3840×2160")
	case v.FPS < 1 || v.FPS > 60:
		return fmt.Errorf("uploadVideo fps: from 1 to 60")
	}
	return nil
}

func (v *videoSpec) describe() string {
	return fmt.Sprintf("upload s3://%s/%s (generated %d s test video, %d×%d at %d fps, a keyframe every second)",
		v.Bucket, v.Key, v.Seconds, v.Width, v.Height, v.FPS)
}

func (v *videoSpec) run(r *runner) error {
	dir, err := os.MkdirTemp("", "lambdalab-video-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "video.mp4")
	if err := TestVideo(r.ctx, file, v.Seconds, v.Width, v.Height, v.FPS); err != nil {
		return err
	}
	body, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	ctx, cancel := r.s3Call()
	defer cancel()
	_, err = r.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(v.Bucket), Key: aws.String(v.Key),
		Body: bytes.NewReader(body), ContentType: aws.String("video/mp4")})
	return err
}

// TestVideo writes an H.264 MP4 of ffmpeg's testsrc pattern: seconds long,
// width×height at fps, a keyframe every second. The same arguments give
// the same bytes with the same ffmpeg (bit-exact mode, no encoder tag).
func TestVideo(ctx context.Context, out string, seconds, width, height, fps int) error {
	src := fmt.Sprintf("testsrc=duration=%d:size=%dx%d:rate=%d", seconds, width, height, fps)
	_, err := tool(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", src,
		"-c:v", "libx264", "-preset", "ultrafast", "-g", strconv.Itoa(fps), "-pix_fmt", "yuv420p",
		"-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1", out)
	return err
}

// tool runs a program of this machine (ffmpeg, ffprobe) and returns its
// output; a missing one is an error saying how to install it.
func tool(ctx context.Context, name string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%s is not installed on this machine: install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg)", name)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// videoExpect checks that an object is a video that plays through, with
// the given size and length.
type videoExpect struct {
	Bucket string `yaml:"bucket"`
	Key    string `yaml:"key"`
	Width  int    `yaml:"width"`
	Height int    `yaml:"height"`
	// Duration is the length to expect, within DurationTolerance.
	Duration string `yaml:"duration"`
	// SameDurationAs is another video, s3://BUCKET/KEY, whose length this
	// one must have, within DurationTolerance.
	SameDurationAs string `yaml:"sameDurationAs"`
	duration       time.Duration
}

// DurationTolerance is how far a video's length may be from the one
// expected: 0.1 s, a few frames, what joining chunks cut at keyframes may
// add or lose.
const DurationTolerance = 100 * time.Millisecond

func (v *videoExpect) validate() error {
	if v.Bucket == "" || v.Key == "" {
		return fmt.Errorf("video needs bucket and key")
	}
	if v.Duration != "" {
		d, err := time.ParseDuration(v.Duration)
		if err != nil || d <= 0 {
			return fmt.Errorf("video duration %q: a length such as 20s", v.Duration)
		}
		v.duration = d
	}
	if v.SameDurationAs != "" {
		if _, _, ok := splitS3URL(v.SameDurationAs); !ok {
			return fmt.Errorf("sameDurationAs %q: want s3://BUCKET/KEY", v.SameDurationAs)
		}
	}
	return nil
}

func (v *videoExpect) describe() string {
	var parts []string
	if v.Width > 0 || v.Height > 0 {
		parts = append(parts, fmt.Sprintf("%d×%d", v.Width, v.Height))
	}
	if v.duration > 0 {
		parts = append(parts, fmt.Sprintf("%v long", v.duration))
	}
	if v.SameDurationAs != "" {
		parts = append(parts, "as long as "+v.SameDurationAs)
	}
	return fmt.Sprintf("s3://%s/%s a video that plays through, %s (±%v)", v.Bucket, v.Key, strings.Join(parts, ", "), DurationTolerance)
}

// VideoInfo is what ffprobe says of a video: its first video stream's
// size, and its length (to the millisecond).
type VideoInfo struct {
	Width, Height int
	Duration      time.Duration
}

// probeObject downloads an object and asks ffprobe about it; the video
// must also decode from start to end without an error.
func (r *runner) probeObject(bucket, key string) (VideoInfo, error) {
	ctx, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	out, err := r.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return VideoInfo{}, errors.New(apiMessage(err))
	}
	defer out.Body.Close()
	f, err := os.CreateTemp("", "lambdalab-probe-*.mp4")
	if err != nil {
		return VideoInfo{}, err
	}
	defer os.Remove(f.Name())
	_, err = f.ReadFrom(out.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return VideoInfo{}, err
	}
	return Probe(r.ctx, f.Name())
}

// Probe reads a video file's first video stream size and its length with
// ffprobe, and decodes every frame with ffmpeg: a video that does not play
// through is an error.
func Probe(ctx context.Context, file string) (VideoInfo, error) {
	b, err := tool(ctx, "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
		"stream=width,height:format=duration", "-of", "json", file)
	if err != nil {
		return VideoInfo{}, err
	}
	var doc struct {
		Streams []struct{ Width, Height int }
		Format  struct{ Duration string }
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Streams) == 0 {
		return VideoInfo{}, fmt.Errorf("not a video (ffprobe finds no video stream)")
	}
	secs, err := strconv.ParseFloat(doc.Format.Duration, 64)
	if err != nil {
		return VideoInfo{}, fmt.Errorf("ffprobe gives no duration")
	}
	if _, err := tool(ctx, "ffmpeg", "-v", "error", "-xerror", "-i", file, "-f", "null", "-"); err != nil {
		return VideoInfo{}, fmt.Errorf("does not play through: %v", err)
	}
	return VideoInfo{Width: doc.Streams[0].Width, Height: doc.Streams[0].Height,
		Duration: time.Duration(math.Round(secs*1000)) * time.Millisecond}, nil
}

func (r *runner) checkVideo(v videoExpect) error {
	got, err := r.probeObject(v.Bucket, v.Key)
	if err != nil {
		return fmt.Errorf("s3://%s/%s: %v", v.Bucket, v.Key, err)
	}
	var problems []string
	if v.Width > 0 && got.Width != v.Width || v.Height > 0 && got.Height != v.Height {
		problems = append(problems, fmt.Sprintf("%d×%d, want %d×%d", got.Width, got.Height, v.Width, v.Height))
	}
	if v.duration > 0 && (got.Duration-v.duration).Abs() > DurationTolerance {
		problems = append(problems, fmt.Sprintf("%v long, want %v", got.Duration, v.duration))
	}
	if v.SameDurationAs != "" {
		bucket, key, _ := splitS3URL(v.SameDurationAs)
		other, err := r.probeObject(bucket, key)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("cannot compare with %s: %v", v.SameDurationAs, err))
		case (got.Duration - other.Duration).Abs() > DurationTolerance:
			problems = append(problems, fmt.Sprintf("%v long, %s is %v", got.Duration, v.SameDurationAs, other.Duration))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("s3://%s/%s: %s", v.Bucket, v.Key, strings.Join(problems, "; "))
	}
	return nil
}

// concurrencySpec sets a function's reserved concurrency, as the console's
// Concurrency tab (PutFunctionConcurrency) does.
type concurrencySpec struct {
	Function string `yaml:"function"`
	Reserved *int32 `yaml:"reserved"`
}

func (c *concurrencySpec) validate() error {
	if c.Function == "" || c.Reserved == nil || *c.Reserved < 0 {
		return fmt.Errorf("setConcurrency needs function and reserved (0 or more)")
	}
	return nil
}

func (c *concurrencySpec) describe() string {
	return fmt.Sprintf("setConcurrency %s reserved %d", c.Function, *c.Reserved)
}

func (c *concurrencySpec) run(r *runner) error {
	_, err := r.clients.Lambda.PutFunctionConcurrency(r.ctx, &lambdasdk.PutFunctionConcurrencyInput{
		FunctionName: aws.String(c.Function), ReservedConcurrentExecutions: c.Reserved})
	return err
}
