// Command photos writes the benchmark's test photographs (deterministic,
// photo-like JPEGs) into a folder, for the comparison with other tools:
//
//	go run ./bench/photos -out DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lambdalab/lambdalab/internal/testimg"
)

func main() {
	out := flag.String("out", ".", "folder to write photo-WxH.jpg into")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "photos:", err)
		os.Exit(1)
	}
	for _, s := range [][2]int{{1920, 1080}, {4000, 3000}} {
		path := filepath.Join(*out, fmt.Sprintf("photo-%dx%d.jpg", s[0], s[1]))
		if err := os.WriteFile(path, testimg.JPEG(testimg.Photo(s[0], s[1])), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "photos:", err)
			os.Exit(1)
		}
		fmt.Println(path)
	}
}
