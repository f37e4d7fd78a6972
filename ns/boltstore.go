package ns

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	namesBucket    = []byte("names")
	settingsBucket = []byte("settings")
)

// maxBatch bounds how many Apply calls share one transaction.
const maxBatch = 256

// BoltStore is a Store in a single bbolt database file: every batch is an
// fsync'd transaction, so a batch whose Apply channel reported nil survives
// a crash or kill -9 at any later moment. Concurrent Apply calls are
// committed together (group commit), so many writers share one fsync.
type BoltStore struct {
	db     *bolt.DB
	reqs   chan applyReq
	wg     sync.WaitGroup
	mu     sync.RWMutex // guards closed against Apply
	closed bool
}

// ErrStoreClosed is the result of an Apply after Close.
var ErrStoreClosed = errors.New("ns: store closed")

type applyReq struct {
	ops  []Op
	done chan error
}

// OpenBoltStore opens (creating it if needed) the database file at path.
// It fails after a second if another process has the file open.
func OpenBoltStore(path string) (*BoltStore, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        time.Second,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
	})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("ns: database %s is in use by another process", path)
		}
		return nil, fmt.Errorf("ns: opening database %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{namesBucket, settingsBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("ns: initialising database %s: %w", path, err)
	}
	s := &BoltStore{db: db, reqs: make(chan applyReq, maxBatch)}
	s.wg.Add(1)
	go s.committer()
	return s, nil
}

// Apply queues ops for the next transaction.
func (s *BoltStore) Apply(ops []Op) <-chan error {
	done := make(chan error, 1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		done <- ErrStoreClosed
		return done
	}
	s.reqs <- applyReq{ops: ops, done: done}
	return done
}

func (s *BoltStore) committer() {
	defer s.wg.Done()
	batch := make([]applyReq, 0, maxBatch)
	for r := range s.reqs {
		batch = append(batch[:0], r)
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		err := s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(namesBucket)
			for _, r := range batch {
				for _, op := range r.ops {
					var err error
					b, err = applyOp(tx, b, op)
					if err != nil {
						return err
					}
				}
			}
			return nil
		})
		for _, r := range batch {
			r.done <- err
		}
	}
}

func applyOp(tx *bolt.Tx, b *bolt.Bucket, op Op) (*bolt.Bucket, error) {
	key := []byte(op.Record.Name)
	switch op.Kind {
	case OpPut:
		return b, b.Put(key, encodeRecord(op.Record))
	case OpDelete:
		return b, b.Delete(key)
	case OpDeleteTree:
		if op.Record.Name == ":" {
			if err := tx.DeleteBucket(namesBucket); err != nil {
				return nil, err
			}
			return tx.CreateBucket(namesBucket)
		}
		keys := [][]byte{key}
		prefix := append(key[:len(key):len(key)], '.')
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return b, fmt.Errorf("ns: unknown store op %d", op.Kind)
}

// Load calls fn for every record in key order, which puts parents first.
func (s *BoltStore) Load(fn func(Record) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(namesBucket).ForEach(func(k, v []byte) error {
			r, err := decodeRecord(string(k), v)
			if err != nil {
				return err
			}
			return fn(r)
		})
	})
}

// Setting returns the value stored under key.
func (s *BoltStore) Setting(key string) (string, bool, error) {
	var v []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v = bytes.Clone(tx.Bucket(settingsBucket).Get([]byte(key)))
		return nil
	})
	return string(v), v != nil, err
}

// SetSetting durably stores value under key.
func (s *BoltStore) SetSetting(key, value string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(settingsBucket).Put([]byte(key), []byte(value))
	})
}

// Close waits for queued batches to be committed and closes the file;
// later Apply calls fail with ErrStoreClosed.
func (s *BoltStore) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.reqs)
	s.mu.Unlock()
	s.wg.Wait()
	return s.db.Close()
}

// Record encoding: flags byte (1 = group), created as float64 bits, then
// the URI, system meta and user meta pickles, each with a uvarint length.
func encodeRecord(r Record) []byte {
	buf := make([]byte, 0, 9+3*binary.MaxVarintLen32+len(r.URI)+len(r.SysMeta)+len(r.UserMeta))
	var flags byte
	if r.Group {
		flags |= 1
	}
	buf = append(buf, flags)
	buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(r.Created))
	for _, f := range [][]byte{[]byte(r.URI), r.SysMeta, r.UserMeta} {
		buf = binary.AppendUvarint(buf, uint64(len(f)))
		buf = append(buf, f...)
	}
	return buf
}

func decodeRecord(name string, v []byte) (Record, error) {
	r := Record{Name: name}
	if len(v) < 9 {
		return r, fmt.Errorf("ns: corrupt record %q", name)
	}
	r.Group = v[0]&1 != 0
	r.Created = math.Float64frombits(binary.BigEndian.Uint64(v[1:9]))
	v = v[9:]
	var fields [3][]byte
	for i := range fields {
		n, w := binary.Uvarint(v)
		if w <= 0 || uint64(len(v)-w) < n {
			return r, fmt.Errorf("ns: corrupt record %q", name)
		}
		if n > 0 {
			fields[i] = bytes.Clone(v[w : w+int(n)])
		}
		v = v[w+int(n):]
	}
	r.URI, r.SysMeta, r.UserMeta = string(fields[0]), fields[1], fields[2]
	return r, nil
}
