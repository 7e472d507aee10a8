// Command report takes the side-by-side figures of BENCHMARKS.md in one run:
// lambdalab's resize handler against the exercise's Python function with
// Pillow on the same photos (time and quality), and lambdalab's startup
// against moto_server's. scripts/bench.sh runs it after the go benchmarks.
//
//	go run ./bench/report [-runs 15] [-lambdalab PATH] [-python /usr/bin/python3]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lambdalab/lambdalab/handler/resize"
	"github.com/lambdalab/lambdalab/internal/testimg"
)

func main() {
	runs := flag.Int("runs", 15, "timed runs per measurement (the median is reported)")
	bin := flag.String("lambdalab", "", "lambdalab binary for the startup comparison (built when empty)")
	python := flag.String("python", "/usr/bin/python3", "a python3 with Pillow (Debian's python3-pil)")
	moto := flag.String("moto", "moto_server", "moto's server command")
	flag.Parse()
	if err := run(*runs, *bin, *python, *moto); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(runs int, bin, python, moto string) error {
	work, err := os.MkdirTemp("", "lambdalab-report")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := reportResize(runs, work, python); err != nil {
		return err
	}
	return reportStartup(runs, work, bin, moto)
}

// reportResize prints the resize table: lambdalab's handler against the
// exercise's Python function with Pillow, time and quality.
func reportResize(runs int, work, python string) error {
	fmt.Printf("### Resize: lambdalab's handler vs the exercise's Python function with Pillow (median of %d runs)\n\n", runs)
	fmt.Println("| photo | JPEG size | lambdalab | Pillow | Pillow ÷ lambdalab | PSNR lambdalab | PSNR Pillow |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- |")
	var paths []string
	originals := map[string]*image.NRGBA{}
	for _, s := range []image.Point{{1920, 1080}, {4000, 3000}} {
		name := fmt.Sprintf("photo-%dx%d.jpg", s.X, s.Y)
		originals[name] = testimg.Photo(s.X, s.Y)
		path := filepath.Join(work, name)
		if err := os.WriteFile(path, testimg.JPEG(originals[name]), 0o644); err != nil {
			return err
		}
		paths = append(paths, path)
	}
	pillow, version, err := runPillow(python, runs, filepath.Join(work, "pillow"), paths)
	if err != nil {
		return err
	}
	h := resize.New(nil, resize.Config{Width: resize.DefaultSize, Height: resize.DefaultSize, MemoryMB: 1024})
	for _, path := range paths {
		name := filepath.Base(path)
		data, _ := os.ReadFile(path)
		ours, out, err := timeRender(h, data, runs)
		if err != nil {
			return err
		}
		theirs := time.Duration(pillow[name] * float64(time.Millisecond))
		ref := testimg.Reference(originals[name], resize.DefaultSize, resize.DefaultSize)
		qOurs, err := psnrPNG(out, ref)
		if err != nil {
			return err
		}
		pil, _ := os.ReadFile(filepath.Join(work, "pillow", name+".png"))
		qPil, err := psnrPNG(pil, ref)
		if err != nil {
			return fmt.Errorf("pillow's output: %w", err)
		}
		fmt.Printf("| %s | %d KB | %s | %s | **%.2f×** | %.1f dB | %.1f dB |\n", strings.TrimSuffix(name, ".jpg"), len(data)>>10,
			ms(ours), ms(theirs), float64(theirs)/float64(ours), qOurs, qPil)
	}
	fmt.Printf("\nPillow %s; PSNR of each 300×300 PNG against a Lanczos resize of the photo before JPEG compression (higher is closer).\n\n", version)
	return nil
}

// timeRender is the median time of runs renders of data (after one to
// warm up), and the last output.
func timeRender(h *resize.Handler, data []byte, runs int) (time.Duration, []byte, error) {
	h.Render(data)
	var out []byte
	times := make([]time.Duration, 0, runs)
	for range runs {
		start := time.Now()
		var err error
		out, _, _, err = h.Render(data)
		if err != nil {
			return 0, nil, err
		}
		times = append(times, time.Since(start))
	}
	return median(times), out, nil
}

// reportStartup prints process start → first S3 answer for lambdalab
// (bin, or built into work) and moto_server.
func reportStartup(runs int, work, bin, moto string) error {
	fmt.Printf("### Startup: process start → first S3 answer (median of %d runs)\n\n", runs)
	if bin == "" {
		bin = filepath.Join(work, "lambdalab")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/lambdalab").CombinedOutput(); err != nil {
			return fmt.Errorf("build lambdalab: %v\n%s", err, out)
		}
	}
	ours, err := startup(runs, func(port string) *exec.Cmd { return exec.Command(bin, "serve", "--addr", "127.0.0.1:"+port) })
	if err != nil {
		return fmt.Errorf("lambdalab: %w", err)
	}
	fmt.Println("| server | first answer |")
	fmt.Println("| --- | --- |")
	fmt.Printf("| `lambdalab serve` | %s |\n", ms(ours))
	if _, err := exec.LookPath(moto); err != nil {
		fmt.Printf("| `moto_server` | not installed (%v) |\n", err)
		return nil
	}
	theirs, err := startup(min(runs, 5), func(port string) *exec.Cmd { return exec.Command(moto, "-H", "127.0.0.1", "-p", port) })
	if err != nil {
		return fmt.Errorf("moto_server: %w", err)
	}
	fmt.Printf("| `moto_server` | %s (%.0f× lambdalab's) |\n", ms(theirs), float64(theirs)/float64(ours))
	return nil
}

// runPillow times the Python function; it returns median milliseconds by
// photo name and Pillow's version.
func runPillow(python string, runs int, outdir string, paths []string) (map[string]float64, string, error) {
	cmd := exec.Command(python, append([]string{"bench/pillow_resize.py", fmt.Sprint(runs), outdir}, paths...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("pillow: %v: %s (scripts/bench.sh installs python3-pil)", err, stderr.String())
	}
	var r struct {
		Pillow string
		Photos map[string]struct {
			Median float64 `json:"median_ms"`
		}
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, "", fmt.Errorf("pillow's report: %v: %s", err, out)
	}
	medians := map[string]float64{}
	for name, p := range r.Photos {
		medians[name] = p.Median
	}
	return medians, r.Pillow, nil
}

// startup starts a server runs times on a free loopback port and returns
// the median time until it answers an HTTP request.
func startup(runs int, command func(port string) *exec.Cmd) (time.Duration, error) {
	var times []time.Duration
	client := &http.Client{Timeout: time.Second}
	for range runs {
		port, err := freePort()
		if err != nil {
			return 0, err
		}
		cmd := command(port)
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return 0, err
		}
		answered := false
		for time.Since(start) < 30*time.Second {
			if resp, err := client.Get("http://127.0.0.1:" + port + "/"); err == nil {
				resp.Body.Close()
				answered = true
				break
			}
			time.Sleep(time.Millisecond)
		}
		elapsed := time.Since(start)
		cmd.Process.Kill()
		cmd.Wait()
		if !answered {
			return 0, errors.New("no answer within 30 s")
		}
		times = append(times, elapsed)
	}
	return median(times), nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// psnrPNG compares a PNG with ref over RGB.
func psnrPNG(data []byte, ref *image.NRGBA) (float64, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	got := testimg.NRGBA(img)
	if got.Rect.Size() != ref.Rect.Size() {
		return 0, fmt.Errorf("size %v, want %v", got.Rect.Size(), ref.Rect.Size())
	}
	return testimg.PSNR(got, ref), nil
}
