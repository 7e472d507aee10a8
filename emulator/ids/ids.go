// Package ids makes the identifiers AWS would: S3 request ids, host ids and
// Lambda request ids. A seeded source makes a replayed lab byte-identical.
package ids

import (
	crand "crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync"
)

// Source makes identifiers. It is safe for concurrent use.
type Source struct {
	mu  sync.Mutex
	rng *rand.Rand
}

// NewRandom returns a source seeded from the operating system.
func NewRandom() *Source {
	var b [16]byte
	if _, err := crand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("ids: reading random seed: %v", err))
	}
	return NewSeeded(binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:]))
}

// NewSeeded returns a deterministic source: the same seeds give the same ids
// in the same order.
func NewSeeded(seed1, seed2 uint64) *Source {
	return &Source{rng: rand.New(rand.NewPCG(seed1, seed2))}
}

func (s *Source) fill(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < len(b); i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], s.rng.Uint64())
		copy(b[i:], w[:])
	}
}

// RequestID returns an S3-style request id: 16 upper-case hex digits.
func (s *Source) RequestID() string {
	var b [8]byte
	s.fill(b[:])
	return fmt.Sprintf("%016X", binary.BigEndian.Uint64(b[:]))
}

// HostID returns an S3-style x-amz-id-2: base64 of 48 random bytes.
func (s *Source) HostID() string {
	var b [48]byte
	s.fill(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// UUID returns a random (version 4) UUID, the shape of Lambda request ids.
func (s *Source) UUID() string {
	var b [16]byte
	s.fill(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Hex returns n random lower-case hex digits (n even), for stream names and ids.
func (s *Source) Hex(n int) string {
	b := make([]byte, (n+1)/2)
	s.fill(b)
	return fmt.Sprintf("%x", b)[:n]
}

// Fork returns a new source seeded from this one: a service with its own
// fork draws its ids without shifting anyone else's, so a replay stays
// byte-identical whatever that service is asked.
func (s *Source) Fork() *Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	return NewSeeded(s.rng.Uint64(), s.rng.Uint64())
}
