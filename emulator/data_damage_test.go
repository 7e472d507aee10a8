package emulator_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/store"
)

// damageLab is the lab of the data-damage tests: one bucket, no trigger.
const damageLab = "buckets: [{name: kept}]"

// marked is an object body of n bytes that starts with a marker unique to
// name, so that the test can find its bytes in the objects file.
func marked(name string, n int) []byte {
	b := []byte("<<" + name + ">>")
	for len(b) < n {
		b = append(b, fmt.Sprintf("%s %d ", name, len(b))...)
	}
	return b[:n]
}

// flipAfter flips one byte at offset off after every occurrence of marker in
// file, and reports how many it flipped.
func flipAfter(t *testing.T, file string, marker []byte, off int) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := 0; ; {
		j := bytes.Index(data[i:], marker)
		if j < 0 {
			break
		}
		data[i+j+off] ^= 0x20
		n++
		i += j + len(marker)
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDamagedObjectsAreNeverServed: bytes flipped in objects.db (inside an
// object's contents, where bbolt notices nothing) make a GET of that object
// an InternalError, whole or ranged, and the log names the file; the lab
// never serves other bytes under the object's ETag, and its other objects
// are served as they were.
func TestDamagedObjectsAreNeverServed(t *testing.T) {
	dir := t.TempDir()
	d, err := store.OpenData(dir)
	if err != nil {
		t.Fatal(err)
	}
	lab := labtest.Start(t, damageLab, emulator.WithData(d))
	bodies := map[string][]byte{"big.bin": marked("big", 200<<10), "small.txt": marked("small", 300), "intact.bin": marked("intact", 50<<10)}
	for k, b := range bodies {
		lab.Put(t, "kept", k, b, "")
	}
	lab.Close()
	for _, k := range []string{"big", "small"} {
		if n := flipAfter(t, filepath.Join(dir, "objects.db"), []byte("<<"+k+">>"), 100); n == 0 {
			t.Fatalf("found no copy of %s in objects.db", k)
		}
	}

	d, err = store.OpenData(dir)
	if err != nil {
		t.Fatalf("bytes flipped inside objects stop the lab from starting: %v", err)
	}
	lab = labtest.Start(t, damageLab, emulator.WithData(d))
	ctx := context.Background()
	for _, k := range []string{"big.bin", "small.txt"} {
		for _, rng := range []*string{nil, aws.String("bytes=0-9"), aws.String("bytes=150-160")} {
			out, err := lab.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kept"), Key: aws.String(k), Range: rng})
			if err == nil {
				got, _ := io.ReadAll(out.Body)
				out.Body.Close()
				t.Errorf("GET %s (range %s) of a damaged object answered %d bytes", k, aws.ToString(rng), len(got))
				continue
			}
			if a := sdk(err); a.status != 500 || a.code != "InternalError" {
				t.Errorf("GET %s (range %s): %+v", k, aws.ToString(rng), a)
			}
		}
	}
	logged := false
	for _, r := range labtest.Of[bus.S3Request](lab.Events) {
		logged = logged || r.ErrorCode == "InternalError" && strings.Contains(r.Message, filepath.Join(dir, "objects.db")) &&
			strings.Contains(r.Message, "big.bin")
	}
	if !logged {
		t.Error("no log line names the damaged object and the objects file")
	}
	if _, got := lab.Get(t, "kept", "intact.bin"); !bytes.Equal(got, bodies["intact.bin"]) {
		t.Error("the undamaged object is not served as it was")
	}
	if keys := listKeys(t, lab.Client, "kept"); len(keys) != 3 {
		t.Errorf("listing after the damage: %q", keys)
	}
}

// TestTruncatedObjectsFileAtRunTime: objects.db cut short under a running
// lab makes bbolt read past the end of its memory map. Each request that
// does is answered InternalError (it used to take the lab down with a
// fault, or leave clients with an empty reply), and the lab goes on
// answering.
func TestTruncatedObjectsFileAtRunTime(t *testing.T) {
	dir := t.TempDir()
	d, err := store.OpenData(dir)
	if err != nil {
		t.Fatal(err)
	}
	lab := labtest.Start(t, damageLab, emulator.WithData(d))
	for i := range 20 {
		lab.Put(t, "kept", fmt.Sprintf("k%02d", i), marked(fmt.Sprint(i), 20<<10), "")
	}
	if err := os.Truncate(filepath.Join(dir, "objects.db"), 8192); err != nil {
		t.Fatal(err)
	}
	h := &hostileLab{Lab: lab}
	for _, path := range []string{"/kept?list-type=2", "/kept/k05", "/kept?list-type=2"} {
		if a := h.raw(t, "GET", path, nil, ""); a.status != 500 || a.code != "InternalError" {
			t.Errorf("GET %s of a truncated file: %+v", path, a)
		}
	}
	logged := 0
	for _, r := range labtest.Of[bus.S3Request](lab.Events) {
		if r.Status == 500 && strings.HasPrefix(r.Message, "the lab failed on this request: panic: ") {
			logged++
		}
	}
	if logged != 3 {
		t.Errorf("%d of the 3 recovered panics were logged", logged)
	}
}
