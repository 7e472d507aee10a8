package store

import (
	"path/filepath"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestJournalClosesWhileUpdatesArrive: closing the journal while the lab's
// functions still report attempts returns. (close used to send the writer
// a wake-up and wait: when updates arriving after it had set closed filled
// the wake-up slot after the writer had stopped, close waited forever, and
// a lab on --data hung in Close now and then.) Many rounds, as the writer
// must be caught between the two.
func TestJournalClosesWhileUpdatesArrive(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "journal.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(eventsBucket)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for range 300 {
		j := newJournal(db)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 50 {
					j.Done("event")
				}
			})
		}
		j.close() // must return
		wg.Wait()
	}
}
