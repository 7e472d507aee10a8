package store

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"sync"

	"github.com/johannesboyne/gofakes3"
)

// boltBackend wraps gofakes3's s3bolt backend, whose objects point into
// bbolt's memory map after the read transaction that found them has ended:
// once a write grows the file, bbolt maps it afresh and reading such an
// object faults (a SIGSEGV in the middle of a GET, seen under load with
// --data). Reads here copy what they return while no write can run, and
// writes wait for them; the body of a PUT is read before the wait, so that
// a slow client holds up nobody.
//
// Every object read is checked against the MD5 stored with it before a
// byte of it is served: a damaged objects file (a flipped bit, a bad disk)
// gives an InternalError naming the file, never other bytes under the
// object's ETag.
type boltBackend struct {
	gofakes3.Backend
	mu sync.RWMutex
	// file is the objects file, for messages.
	file string
	// afterPut, when set, runs once an object is stored: tests crash there.
	afterPut func(bucket, key string)
}

// GetObject returns the object with its contents and hash copied out of
// the map, once the whole object matches its stored MD5; a range is cut
// from the checked object.
func (b *boltBackend) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	obj, err := b.Backend.GetObject(bucket, key, nil)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if err != nil {
		return nil, err
	}
	if sum := md5.Sum(data); !bytes.Equal(sum[:], obj.Hash) || int64(len(data)) != obj.Size {
		return nil, gofakes3.ErrorMessage(gofakes3.ErrInternal, fmt.Sprintf(
			"object %s/%s in %s does not match its stored checksum (MD5 %x, read %x, %d of %d bytes): the file is damaged; restore it from a backup, or delete the object and upload it again",
			bucket, key, b.file, obj.Hash, sum, len(data), obj.Size))
	}
	obj.Range, err = rng.Range(obj.Size)
	if err != nil {
		return nil, err
	}
	if obj.Range != nil {
		data = data[obj.Range.Start : obj.Range.Start+obj.Range.Length]
	}
	obj.Contents = io.NopCloser(bytes.NewReader(data))
	obj.Hash = bytes.Clone(obj.Hash)
	return obj, nil
}

// HeadObject returns the object's description with its hash copied.
func (b *boltBackend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	obj, err := b.Backend.HeadObject(bucket, key)
	if err != nil {
		return nil, err
	}
	obj.Hash = bytes.Clone(obj.Hash)
	return obj, nil
}

// PutObject reads the body, then writes.
func (b *boltBackend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, conditions *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	data, err := gofakes3.ReadAll(input, size)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	b.mu.Lock()
	res, err := b.Backend.PutObject(bucket, key, meta, bytes.NewReader(data), int64(len(data)), conditions)
	b.mu.Unlock()
	if err == nil && b.afterPut != nil {
		b.afterPut(bucket, key)
	}
	return res, err
}

// CopyObject reads the source through GetObject and writes through
// PutObject, as gofakes3 does, but with the copying and locking above.
func (b *boltBackend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObject(b, srcBucket, srcKey, dstBucket, dstKey, meta)
}

// DeleteObject deletes while no read is copying.
func (b *boltBackend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Backend.DeleteObject(bucket, key)
}

// DeleteMulti deletes while no read is copying.
func (b *boltBackend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Backend.DeleteMulti(bucket, keys...)
}

// CreateBucket writes while no read is copying.
func (b *boltBackend) CreateBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Backend.CreateBucket(name)
}

// DeleteBucket writes while no read is copying.
func (b *boltBackend) DeleteBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Backend.DeleteBucket(name)
}

// ForceDeleteBucket writes while no read is copying.
func (b *boltBackend) ForceDeleteBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Backend.ForceDeleteBucket(name)
}
