// Package store keeps a lab in a data directory (--data DIR): S3's objects
// in bbolt, the rest of the lab's state in lab.db (configurations, the
// events Lambda accepted, the writes whose events are pending, the services'
// snapshots), and the log events in logs.jsonl.
package store

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	bolt "go.etcd.io/bbolt"

	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/notify"
	"github.com/lambdalab/lambdalab/emulator/s3"
)

// Data is a lab's data directory (--data DIR). Objects live in
// DIR/objects.db (gofakes3's s3bolt backend); multipart uploads in progress
// in DIR/uploads; the rest of the lab's state in DIR/lab.db: the lab it was
// made from, notification configurations, role policies, function
// configurations, multipart ETags, and the events Lambda accepted and has
// not finished. Every write is synced to disk before the
// request that made it is answered, so what a client saw acknowledged
// survives a kill -9.
type Data struct {
	dir     string
	objects *bolt.DB
	state   *bolt.DB
	journal *journal
	uploads *s3.Uploads
	// afterPut is boltBackend's test hook (SetAfterPut).
	afterPut func(bucket, key string)
}

// Names of lab.db's buckets.
var (
	metaBucket          = []byte("meta")
	notificationsBucket = []byte("notifications")
	policiesBucket      = []byte("policies")
	functionsBucket     = []byte("functions")
	etagsBucket         = []byte("etags")
	eventsBucket        = []byte("events")
	corsBucket          = []byte("cors")
	stateBuckets        = [][]byte{metaBucket, notificationsBucket, policiesBucket, functionsBucket, etagsBucket, eventsBucket, intentsBucket, corsBucket, servicesBucket}
)

// dataFormat is the version of lab.db's layout.
const dataFormat = "1"

// ErrDataInUse is returned by OpenData when another process has the
// directory open.
var ErrDataInUse = errors.New("in use by another lambdalab")

// OpenData opens (creating when needed) the data directory dir.
func OpenData(dir string) (*Data, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	state, err := openDB(dir, stateFile)
	if err != nil {
		return nil, err
	}
	if err := objectsExpected(dir, state); err != nil {
		state.Close()
		return nil, err
	}
	objects, err := openDB(dir, objectsFile)
	if err != nil {
		state.Close()
		return nil, err
	}
	d := &Data{dir: dir, objects: objects, state: state}
	err = state.Update(func(tx *bolt.Tx) error {
		for _, name := range stateBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(metaBucket)
		if v := meta.Get([]byte("format")); v != nil && string(v) != dataFormat {
			return fmt.Errorf("lab.db has format %s; this lambdalab reads format %s", v, dataFormat)
		}
		return meta.Put([]byte("format"), []byte(dataFormat))
	})
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	d.uploads, err = s3.OpenUploads(filepath.Join(dir, "uploads"))
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	d.journal = newJournal(state)
	return d, nil
}

// Backend is the objects file as the S3 layer's backend.
func (d *Data) Backend(c clock.Clock) gofakes3.Backend {
	return &boltBackend{Backend: s3bolt.New(d.objects, s3bolt.WithTimeSource(clock.TimeSource{Clock: c})),
		file: filepath.Join(d.dir, objectsFile), afterPut: d.afterPut}
}

// Uploads is the directory's multipart uploads in progress.
func (d *Data) Uploads() *s3.Uploads { return d.uploads }

// Journal is the events Lambda accepted and has not finished, as Lambda
// keeps them.
func (d *Data) Journal() lambda.Journal { return d.journal }

// Events returns the events Lambda accepted and has not finished, oldest
// first.
func (d *Data) Events() ([]lambda.JournalEntry, error) { return d.journal.entries() }

// SetAfterPut makes f run once each object is stored, before its event is
// queued: tests stop the lab there, as a kill -9 would.
func (d *Data) SetAfterPut(f func(bucket, key string)) { d.afterPut = f }

// Dir is the directory's path.
func (d *Data) Dir() string { return d.dir }

// Close flushes what is pending and closes the databases.
func (d *Data) Close() error {
	if d.journal != nil {
		d.journal.close()
	}
	return errors.Join(d.state.Close(), d.objects.Close())
}

// MadeFrom returns the lab the directory was first deployed from ("" for a
// new directory).
func (d *Data) MadeFrom() (lab string) {
	_ = d.state.View(func(tx *bolt.Tx) error {
		lab = string(tx.Bucket(metaBucket).Get([]byte("lab")))
		return nil
	})
	return lab
}

// Deployed records that lab was deployed into the directory.
func (d *Data) Deployed(lab string) error {
	return d.put(metaBucket, "lab", []byte(lab))
}

func (d *Data) put(bucket []byte, key string, value []byte) error {
	return d.state.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).Put([]byte(key), value)
	})
}

func (d *Data) delete(bucket []byte, key string) error {
	return d.state.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).Delete([]byte(key))
	})
}

// each calls f for every key of bucket, in key order.
func (d *Data) each(bucket []byte, f func(k string, v []byte) error) error {
	return d.state.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error { return f(string(k), v) })
	})
}

// SaveNotification keeps a bucket's notification configuration (an empty
// one removes it).
func (d *Data) SaveNotification(bucket string, c notify.NotificationConfiguration) error {
	if len(c.LambdaFunctionConfigurations) == 0 && len(c.QueueConfigurations) == 0 &&
		len(c.TopicConfigurations) == 0 && c.EventBridgeConfiguration == nil {
		return d.delete(notificationsBucket, bucket)
	}
	body, err := xml.Marshal(c)
	if err != nil {
		return err
	}
	return d.put(notificationsBucket, bucket, body)
}

// Notifications returns the kept notification configurations by bucket.
func (d *Data) Notifications() (map[string]notify.NotificationConfiguration, error) {
	out := map[string]notify.NotificationConfiguration{}
	err := d.each(notificationsBucket, func(k string, v []byte) error {
		var c notify.NotificationConfiguration
		if err := xml.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("notification configuration of %s: %w", k, err)
		}
		out[k] = c
		return nil
	})
	return out, err
}

// SavePolicy keeps a role's policy document.
func (d *Data) SavePolicy(role string, doc []byte) error { return d.put(policiesBucket, role, doc) }

// SaveETag keeps a multipart ETag (s3.ETagStore).
func (d *Data) SaveETag(object, plain, multipart string) {
	body, _ := json.Marshal([2]string{plain, multipart})
	_ = d.put(etagsBucket, object, body)
}

// ForgetETag forgets a multipart ETag (s3.ETagStore).
func (d *Data) ForgetETag(object string) { _ = d.delete(etagsBucket, object) }

// ETags returns the kept multipart ETags.
func (d *Data) ETags() map[string][2]string {
	out := map[string][2]string{}
	_ = d.each(etagsBucket, func(k string, v []byte) error {
		var e [2]string
		if json.Unmarshal(v, &e) == nil {
			out[k] = e
		}
		return nil
	})
	return out
}

// SaveCORS keeps a bucket's CORS configuration (s3.CORSStore).
func (d *Data) SaveCORS(bucket string, doc []byte) { _ = d.put(corsBucket, bucket, doc) }

// ForgetCORS forgets a bucket's CORS configuration (s3.CORSStore).
func (d *Data) ForgetCORS(bucket string) { _ = d.delete(corsBucket, bucket) }

// CORSConfigs returns the kept CORS configurations by bucket.
func (d *Data) CORSConfigs() map[string][]byte {
	out := map[string][]byte{}
	_ = d.each(corsBucket, func(k string, v []byte) error {
		out[k] = bytes.Clone(v)
		return nil
	})
	return out
}
