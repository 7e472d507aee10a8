package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// A data directory's files are checked when it is opened, so that damage
// (a truncated copy, flipped bits, a file lost) is one clear line and exit
// status 2 rather than a panic deep inside bbolt, or a lab that starts and
// then fails in confusing ways ("triggers of bucket cis-examples:
// NoSuchBucket" for a lost objects file). bbolt keeps no checksums of its
// data pages: damage inside an object's bytes is found when the object is
// read (boltBackend checks every object against its MD5).

// Files of a data directory.
const (
	objectsFile = "objects.db"
	stateFile   = "lab.db"
)

// damagedError says a data file is damaged and what to do about it.
func damagedError(dir, name, why string) error {
	return fmt.Errorf("data directory %s: %s is damaged (%s): restore it from a backup, or move %s away to start the lab afresh",
		dir, filepath.Join(dir, name), why, dir)
}

// openDB opens and checks one bbolt file of dir. A fault or panic inside
// bbolt while it reads a damaged file is recovered here and reported as
// damage.
func openDB(dir, name string) (db *bolt.DB, err error) {
	path := filepath.Join(dir, name)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			db, err = nil, damagedError(dir, name, fmt.Sprint(p))
		}
	}()
	if err := cutShort(path); err != nil {
		return nil, damagedError(dir, name, err.Error())
	}
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("data directory %s: %w (%s is locked)", dir, ErrDataInUse, name)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, damagedError(dir, name, err.Error())
	case err != nil:
		return nil, fmt.Errorf("data directory %s: %s: %w", dir, name, err)
	}
	if err := walkDB(db, path); err != nil {
		db.Close()
		return nil, damagedError(dir, name, err.Error())
	}
	return db, nil
}

// walkDB reads every page of db's trees (keys, and the values that are not
// buckets' contents). The file must first be as long as bbolt thinks it is:
// a page beyond its end would fault.
func walkDB(db *bolt.DB, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	return db.View(func(tx *bolt.Tx) error {
		if info.Size() < tx.Size() {
			return fmt.Errorf("it is %d bytes long, its pages reach %d: it was cut short", info.Size(), tx.Size())
		}
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return walkBucket(b) })
	})
}

// cutShort compares a bbolt file's length with the pages its meta pages
// say it has, before bbolt maps it (and faults reading past its end).
// Meta pages it cannot read are left to bbolt to judge.
func cutShort(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // a new file, or bbolt says why
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	var pages int64
	var pageSize uint32 = 4096
	for i := range int64(2) {
		meta := make([]byte, 64)
		if _, err := f.ReadAt(meta, i*int64(pageSize)); err != nil {
			break
		}
		// A page header (16 bytes), then magic, version, page size, flags,
		// the root bucket (16 bytes), the freelist page and the page count.
		if binary.LittleEndian.Uint32(meta[16:]) != 0xED0CDAED {
			continue
		}
		pageSize = binary.LittleEndian.Uint32(meta[24:])
		pages = max(pages, int64(binary.LittleEndian.Uint64(meta[56:])))
	}
	if want := pages * int64(pageSize); info.Size() < want {
		return fmt.Errorf("it is %d bytes long, its pages reach %d: it was cut short", info.Size(), want)
	}
	return nil
}

func walkBucket(b *bolt.Bucket) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v != nil {
			continue
		}
		child := b.Bucket(k)
		if child == nil {
			return fmt.Errorf("key %q is neither a value nor a bucket", k)
		}
		if err := walkBucket(child); err != nil {
			return err
		}
	}
	return nil
}

// objectsExpected refuses a directory whose lab.db says a lab was deployed
// here while objects.db is missing or empty: opening it would make a new,
// empty objects file and a lab without its buckets.
func objectsExpected(dir string, state *bolt.DB) error {
	var lab string
	_ = state.View(func(tx *bolt.Tx) error {
		if meta := tx.Bucket(metaBucket); meta != nil {
			lab = string(meta.Get([]byte("lab")))
		}
		return nil
	})
	if lab == "" {
		return nil
	}
	path := filepath.Join(dir, objectsFile)
	info, err := os.Stat(path)
	switch {
	case os.IsNotExist(err):
		return fmt.Errorf("data directory %s: %s is missing, but %s holds lab %q: restore %s from a backup, or move %s away to start the lab afresh",
			dir, path, filepath.Join(dir, stateFile), lab, objectsFile, dir)
	case err != nil:
		return fmt.Errorf("data directory %s: %w", dir, err)
	case info.Size() == 0:
		return fmt.Errorf("data directory %s: %s is empty, but %s holds lab %q: restore %s from a backup, or move %s away to start the lab afresh",
			dir, path, filepath.Join(dir, stateFile), lab, objectsFile, dir)
	}
	return nil
}
