package s3

import (
	"slices"
	"sync"
)

// keyLocks serialises writes to the same object key, so that the events of
// one key leave in commit order with increasing sequencers, and the size and
// ETag read back after a write are the ones that write produced.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	refs int
}

// lock takes the locks of bucket/key for every key (in a fixed order, so two
// multi-key requests cannot deadlock) and returns the function that releases
// them.
func (l *keyLocks) lock(bucket string, keys []string) (unlock func()) {
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, bucket+"/"+k)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	held := make([]*keyLock, 0, len(names))
	for _, n := range names {
		l.mu.Lock()
		if l.m == nil {
			l.m = map[string]*keyLock{}
		}
		kl := l.m[n]
		if kl == nil {
			kl = &keyLock{}
			l.m[n] = kl
		}
		kl.refs++
		l.mu.Unlock()
		kl.Lock()
		held = append(held, kl)
	}
	return func() {
		for i, kl := range held {
			kl.Unlock()
			l.mu.Lock()
			kl.refs--
			if kl.refs == 0 {
				delete(l.m, names[i])
			}
			l.mu.Unlock()
		}
	}
}
