package store

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/lambdalab/lambdalab/emulator/logs"
)

// What the lab's services keep in the data directory, beyond S3's objects
// and configurations: IAM's roles and policies and the Lambda control
// plane's functions as JSON snapshots in lab.db (written on every change:
// changes are few), the functions' deployment packages under DIR/code, and
// every log event appended to DIR/logs.jsonl as it is stored (a write(2)
// per event, without fsync: a killed lambdalab loses none, a power cut may
// lose the last ones).

// servicesBucket holds the services' snapshots in lab.db.
var servicesBucket = []byte("services")

// Snapshot names in servicesBucket.
const (
	IAMSnapshot    = "iam"
	LambdaSnapshot = "lambda"
)

// logsFile is the data directory's log events.
const logsFile = "logs.jsonl"

// SaveSnapshot keeps a service's snapshot.
func (d *Data) SaveSnapshot(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return d.put(servicesBucket, name, b)
}

// LoadSnapshot reads a service's snapshot into v; false when there is none.
func (d *Data) LoadSnapshot(name string, v any) (bool, error) {
	var found bool
	err := d.each(servicesBucket, func(k string, b []byte) error {
		if k != name {
			return nil
		}
		found = true
		return json.Unmarshal(b, v)
	})
	return found, err
}

// logLine is one stored log event in logs.jsonl.
type logLine struct {
	Group     string    `json:"g"`
	Stream    string    `json:"s"`
	Time      time.Time `json:"t"`
	Message   string    `json:"m"`
	RequestID string    `json:"r,omitempty"`
}

// LogWriter appends log events to the data directory.
type LogWriter struct {
	mu  sync.Mutex
	f   *os.File
	err error
}

// OpenLogs opens the directory's log file for appending.
func (d *Data) OpenLogs() (*LogWriter, error) {
	f, err := os.OpenFile(filepath.Join(d.dir, logsFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", d.dir, err)
	}
	return &LogWriter{f: f}, nil
}

// Keep appends one event; the first failure is kept and later ones are
// skipped (the lab reports it once).
func (w *LogWriter) Keep(ev logs.StoredEvent) {
	b, _ := json.Marshal(logLine{Group: ev.Group, Stream: ev.Stream, Time: ev.Time, Message: ev.Message, RequestID: ev.RequestID})
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		_, w.err = w.f.Write(append(b, '\n'))
	}
}

// Close closes the log file.
func (w *LogWriter) Close() error { return w.f.Close() }

// ReplayLogs puts the kept log events back into store, in order. A last
// line cut short by a crash is skipped.
func (d *Data) ReplayLogs(store *logs.Store) error {
	f, err := os.Open(filepath.Join(d.dir, logsFile))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		store.Append(l.Group, l.Stream, logs.LogEvent{Time: l.Time, Message: l.Message, RequestID: l.RequestID})
	}
	return sc.Err()
}
