package store_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/labtest"
	"github.com/lambdalab/lambdalab/emulator/store"
)

// TestDataReadsWhileTheFileGrows: with objects kept in bbolt (--data),
// GETs of existing objects run while PUTs grow the file past several of
// bbolt's map sizes, which makes it map the file afresh. Every GET returns
// the object byte for byte (gofakes3's s3bolt backend alone hands out
// objects that point into the old map: a fault, or someone else's bytes).
func TestDataReadsWhileTheFileGrows(t *testing.T) {
	d, err := store.OpenData(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l := labtest.Start(t, "buckets: [{name: grow}]", emulator.WithData(d))
	ctx := context.Background()
	body := func(i int) []byte { return bytes.Repeat([]byte(fmt.Sprintf("object %03d ", i)), 16<<10) } // 176 KiB
	const readers, kept = 3, 8
	for i := range kept {
		l.Put(t, "grow", fmt.Sprintf("kept/%d", i), body(i), "application/octet-stream")
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for r := range readers {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				i := (n + r) % kept
				out, err := l.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("grow"), Key: aws.String(fmt.Sprintf("kept/%d", i))})
				if err != nil {
					t.Errorf("GET kept/%d: %v", i, err)
					return
				}
				got, err := io.ReadAll(out.Body)
				out.Body.Close()
				if err != nil || !bytes.Equal(got, body(i)) {
					t.Errorf("GET kept/%d: %d bytes, %v; not the object", i, len(got), err)
					return
				}
			}
		})
	}
	// About 35 MB written: bbolt maps 32 KiB, then doubles up to 1 GiB.
	for i := range 200 {
		if _, err := l.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("grow"), Key: aws.String(fmt.Sprintf("new/%d", i)),
			Body: bytes.NewReader(body(kept + i))}); err != nil {
			t.Fatalf("PUT new/%d: %v", i, err)
		}
	}
	close(stop)
	wg.Wait()
}
