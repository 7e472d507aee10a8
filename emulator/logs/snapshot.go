package logs

import (
	"fmt"
	"sort"
)

// Snapshot is the store's whole content in a JSON-serialisable form, for
// `lambdalab --data` to persist logs across runs. Event ids and paging
// tokens stay valid across Snapshot and Restore.
type Snapshot struct {
	Version int             `json:"version"`
	Seq     uint64          `json:"seq"` // the last sequence number given
	Groups  []GroupSnapshot `json:"groups"`
}

// GroupSnapshot is one group of a Snapshot.
type GroupSnapshot struct {
	Name            string           `json:"name"`
	CreationTime    int64            `json:"creationTime"`
	RetentionInDays int              `json:"retentionInDays,omitempty"`
	Dropped         int64            `json:"dropped,omitempty"`
	Streams         []StreamSnapshot `json:"streams"`
}

// StreamSnapshot is one stream of a Snapshot.
type StreamSnapshot struct {
	Name                string          `json:"name"`
	CreationTime        int64           `json:"creationTime"`
	FirstEventTimestamp *int64          `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64          `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   int64           `json:"lastIngestionTime,omitempty"`
	Uploads             uint64          `json:"uploads,omitempty"`
	Events              []EventSnapshot `json:"events"`
}

// EventSnapshot is one event of a Snapshot, with short keys: a snapshot
// holds up to the cap of events per group.
type EventSnapshot struct {
	Timestamp     int64  `json:"t"`
	IngestionTime int64  `json:"i"`
	Seq           uint64 `json:"s"`
	Message       string `json:"m"`
	RequestID     string `json:"r,omitempty"`
}

const snapshotVersion = 1

// maxTimestamp bounds what a key encodes (parseKeyDigits' limit).
const maxTimestamp = 1 << 62

// Snapshot copies the store's content.
func (s *Store) Snapshot() Snapshot {
	s.mu.RLock()
	gs := make([]*group, 0, len(s.groups))
	for _, g := range s.groups {
		gs = append(gs, g)
	}
	s.mu.RUnlock()
	sort.Slice(gs, func(i, j int) bool { return gs[i].name < gs[j].name })
	snap := Snapshot{Version: snapshotVersion, Groups: make([]GroupSnapshot, 0, len(gs))}
	for _, g := range gs {
		snap.Groups = append(snap.Groups, g.snapshot())
	}
	snap.Seq = s.seq.Load() // after the copies: no copied event is above it
	return snap
}

func (g *group) snapshot() GroupSnapshot {
	g.mu.RLock()
	defer g.mu.RUnlock()
	gs := GroupSnapshot{Name: g.name, CreationTime: g.created, RetentionInDays: g.retention, Dropped: g.dropped,
		Streams: make([]StreamSnapshot, 0, len(g.streams))}
	for _, st := range g.streams {
		ss := StreamSnapshot{Name: st.name, CreationTime: st.created, LastIngestionTime: st.lastIngest,
			Uploads: st.uploads, Events: make([]EventSnapshot, len(st.events))}
		if st.hasEvents {
			first, last := st.first, st.last
			ss.FirstEventTimestamp, ss.LastEventTimestamp = &first, &last
		}
		for i, e := range st.events {
			ss.Events[i] = EventSnapshot{e.ts, e.ingest, e.seq, e.msg, e.reqID}
		}
		gs.Streams = append(gs.Streams, ss)
	}
	sort.Slice(gs.Streams, func(i, j int) bool { return gs.Streams[i].Name < gs.Streams[j].Name })
	return gs
}

// Restore replaces the store's content with a snapshot's. A snapshot that
// does not hold together (an unknown version, a duplicate name or sequence
// number) is refused and the store left as it was. Groups over the store's
// cap lose their oldest events.
func (s *Store) Restore(snap Snapshot) error {
	if snap.Version != snapshotVersion {
		return fmt.Errorf("restore logs: snapshot version %d, want %d", snap.Version, snapshotVersion)
	}
	groups := make(map[string]*group, len(snap.Groups))
	seqs := map[uint64]bool{}
	for _, gs := range snap.Groups {
		if groups[gs.Name] != nil {
			return fmt.Errorf("restore logs: log group %q appears twice", gs.Name)
		}
		g, err := s.restoreGroup(gs, seqs, snap.Seq)
		if err != nil {
			return fmt.Errorf("restore logs: log group %q: %w", gs.Name, err)
		}
		groups[gs.Name] = g
	}
	s.mu.Lock()
	old := s.groups
	s.groups = groups
	s.seq.Store(snap.Seq)
	s.mu.Unlock()
	for _, g := range old { // an Append holding one starts over
		g.mu.Lock()
		g.deleted = true
		g.mu.Unlock()
	}
	return nil
}

func (s *Store) restoreGroup(gs GroupSnapshot, seqs map[uint64]bool, maxSeq uint64) (*group, error) {
	g := newGroup(gs.Name, gs.CreationTime)
	g.retention, g.dropped = gs.RetentionInDays, gs.Dropped
	for _, ss := range gs.Streams {
		if g.streams[ss.Name] != nil {
			return nil, fmt.Errorf("log stream %q appears twice", ss.Name)
		}
		st := newStream(ss.Name, ss.CreationTime)
		st.lastIngest, st.uploads = ss.LastIngestionTime, ss.Uploads
		g.streams[ss.Name] = st
		for _, es := range ss.Events {
			if es.Seq == 0 || es.Seq > maxSeq || seqs[es.Seq] {
				return nil, fmt.Errorf("log stream %q: event sequence number %d is zero, repeated or above the snapshot's %d", ss.Name, es.Seq, maxSeq)
			}
			if es.Timestamp < 0 || es.Timestamp > maxTimestamp {
				return nil, fmt.Errorf("log stream %q: event timestamp %d is out of range", ss.Name, es.Timestamp)
			}
			seqs[es.Seq] = true
			if st.insert(event{es.Timestamp, es.IngestionTime, es.Seq, es.Message, es.RequestID}) {
				g.oldest.update(st)
			}
			g.count++
			g.bytes += int64(len(es.Message))
		}
		if ss.FirstEventTimestamp != nil && ss.LastEventTimestamp != nil {
			st.hasEvents, st.first, st.last = true, *ss.FirstEventTimestamp, *ss.LastEventTimestamp
		}
	}
	g.trim(s.maxEvents)
	return g, nil
}
