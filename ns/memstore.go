package ns

import (
	"sort"
	"strings"
	"sync"
)

// MemStore is a Store that keeps records in memory only, for programs and
// tests that want a Store without a file (the Name Server without -d uses
// no Store at all).
type MemStore struct {
	mu       sync.Mutex
	records  map[string]Record
	settings map[string]string
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{records: make(map[string]Record), settings: make(map[string]string)}
}

// closedDone is the already-closed channel returned when there is nothing
// to wait for.
var closedDone = func() chan error { c := make(chan error, 1); close(c); return c }()

// Apply applies ops at once; the returned channel is already closed.
func (s *MemStore) Apply(ops []Op) <-chan error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, op := range ops {
		switch op.Kind {
		case OpPut:
			s.records[op.Record.Name] = op.Record
		case OpDelete:
			delete(s.records, op.Record.Name)
		case OpDeleteTree:
			if op.Record.Name == ":" {
				clear(s.records)
				continue
			}
			delete(s.records, op.Record.Name)
			prefix := op.Record.Name + "."
			for k := range s.records {
				if strings.HasPrefix(k, prefix) {
					delete(s.records, k)
				}
			}
		}
	}
	return closedDone
}

// Load calls fn for every record in name order (which puts parents first).
func (s *MemStore) Load(fn func(Record) error) error {
	s.mu.Lock()
	recs := make([]Record, 0, len(s.records))
	for _, r := range s.records {
		recs = append(recs, r)
	}
	s.mu.Unlock()
	sort.Slice(recs, func(i, j int) bool { return recs[i].Name < recs[j].Name })
	for _, r := range recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// Setting returns the value stored under key.
func (s *MemStore) Setting(key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.settings[key]
	return v, ok, nil
}

// SetSetting stores value under key.
func (s *MemStore) SetSetting(key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings[key] = value
	return nil
}

// Close does nothing.
func (s *MemStore) Close() error { return nil }
