package store

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"

	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	bolt "go.etcd.io/bbolt"
)

// TestBoltObjectsOutliveTheirMap: what GetObject and HeadObject return
// owns its bytes. Closing the database unmaps its file, as bbolt does when
// a write grows it; reading an object that still pointed into the map
// would fault here.
func TestBoltObjectsOutliveTheirMap(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "objects.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &boltBackend{Backend: s3bolt.New(db)}
	want := bytes.Repeat([]byte("pixels "), 10000)
	if err := b.CreateBucket("photos"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject("photos", "cat.png", map[string]string{"Content-Type": "image/png"}, bytes.NewReader(want), int64(len(want)), nil); err != nil {
		t.Fatal(err)
	}
	obj, err := b.GetObject("photos", "cat.png", nil)
	if err != nil {
		t.Fatal(err)
	}
	head, err := b.HeadObject("photos", "cat.png")
	if err != nil {
		t.Fatal(err)
	}
	hash := append([]byte(nil), head.Hash...)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj.Contents)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("contents after the map is gone: %d bytes, %v", len(got), err)
	}
	if !bytes.Equal(obj.Hash, hash) || !bytes.Equal(head.Hash, hash) || len(hash) != 16 {
		t.Errorf("hashes after the map is gone: %x, %x, want %x", obj.Hash, head.Hash, hash)
	}
}
