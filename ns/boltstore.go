package ns

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	namesBucket    = []byte("names")
	settingsBucket = []byte("settings")
	// formatKey is the setting holding the store's format version.
	formatKey = []byte("format")
)

// storeFormat is the format written: every record and setting value ends
// in a CRC-32C of its key and value. Format 1, without a format setting,
// had no checksums; such a store is converted when it is opened.
const storeFormat = "2"

// maxBatch bounds how many Apply calls share one transaction.
const maxBatch = 256

// BoltStore is a Store in a single bbolt database file: every batch is an
// fsync'd transaction, so a batch whose Apply channel reported nil survives
// a crash or kill -9 at any later moment. Concurrent Apply calls are
// committed together (group commit), so many writers share one fsync.
//
// Damage is reported, never served: the file's structure is verified when
// it is opened, every record carries a checksum verified when it is read,
// and a panic of bbolt on a page it cannot make sense of is turned into an
// error. All of these are a *DamagedStoreError. After such a panic bbolt
// may hold its locks forever, so the store is broken: every later call
// returns that error without using bbolt, and Close leaves the file open.
type BoltStore struct {
	path   string
	db     *bolt.DB
	reqs   chan applyReq
	wg     sync.WaitGroup
	mu     sync.RWMutex // guards closed against Apply
	closed bool
	broken atomic.Pointer[DamagedStoreError]
}

// ErrStoreClosed is the result of an Apply after Close.
var ErrStoreClosed = errors.New("ns: store closed")

// DamagedStoreError reports a database file that cannot be read as a name
// server store: truncated, overwritten, or with a record whose checksum
// does not match. The file is left as it was.
type DamagedStoreError struct {
	Path string
	Err  error // what is wrong
}

func (e *DamagedStoreError) Error() string {
	return fmt.Sprintf("ns: database %s is damaged: %v", e.Path, e.Err)
}

func (e *DamagedStoreError) Unwrap() error { return e.Err }

type applyReq struct {
	ops  []Op
	done chan error
}

var boltOptions = bolt.Options{
	Timeout:        time.Second,
	NoFreelistSync: true,
	FreelistType:   bolt.FreelistMapType,
}

// OpenBoltStore opens (creating it if needed) the database file at path.
// It fails after a second if another process has the file open, and with
// a *DamagedStoreError if the file is damaged. A store written by an
// earlier version without checksums is converted.
func OpenBoltStore(path string) (*BoltStore, error) {
	if err := verifyStoreFile(path); err != nil {
		return nil, err
	}
	s := &BoltStore{path: path, reqs: make(chan applyReq, maxBatch)}
	err := s.guard(func() error {
		var err error
		s.db, err = bolt.Open(path, 0o600, &boltOptions)
		return err
	})
	if err != nil {
		return nil, openError(path, err)
	}
	if err := s.guard(s.prepare); err != nil {
		s.db.Close()
		var d *DamagedStoreError
		if errors.As(err, &d) {
			return nil, err
		}
		return nil, fmt.Errorf("ns: initialising database %s: %w", path, err)
	}
	s.wg.Add(1)
	go s.committer()
	return s, nil
}

func openError(path string, err error) error {
	var d *DamagedStoreError
	switch {
	case errors.As(err, &d):
		return err
	case errors.Is(err, bolt.ErrTimeout):
		return fmt.Errorf("ns: database %s is in use by another process", path)
	}
	return fmt.Errorf("ns: opening database %s: %w", path, err)
}

// verifyStoreFile verifies the structure of an existing database file
// (verifyBoltFile) under bbolt's shared lock, so that a file another
// process is writing is reported as in use, not as damaged. bbolt opening
// a file read-only reads its meta pages only.
func verifyStoreFile(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ns: opening database %s: %w", path, err)
	}
	if st.Size() == 0 {
		return &DamagedStoreError{Path: path, Err: errEmptyFile}
	}
	verify := func() error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		if err := verifyBoltFile(f, st.Size()); err != nil {
			return &DamagedStoreError{Path: path, Err: err}
		}
		return nil
	}
	var ro *bolt.DB
	err = guard(path, func() error {
		var err error
		ro, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: boltOptions.Timeout})
		return err
	})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return openError(path, err)
		}
		// bbolt refused the meta pages or the size: say precisely what
		// is wrong if the verification finds it.
		var d *DamagedStoreError
		if verr := verify(); errors.As(verr, &d) {
			return verr
		}
		return openError(path, err)
	}
	defer ro.Close()
	if err := verify(); err != nil {
		return openError(path, err)
	}
	return nil
}

// guard runs fn, which uses bbolt, turning a panic (bbolt's answer to a
// page it cannot make sense of, or a fault reading its memory map) into a
// *DamagedStoreError.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = &DamagedStoreError{Path: path, Err: bboltPanic{p}}
		}
	}()
	return fn()
}

// bboltPanic is what is wrong when bbolt panicked.
type bboltPanic struct{ value any }

func (p bboltPanic) Error() string { return fmt.Sprintf("bbolt: %v", p.value) }

// guard runs fn as guard does, unless the store is broken; a panic breaks
// it.
func (s *BoltStore) guard(fn func() error) error {
	if b := s.broken.Load(); b != nil {
		return b
	}
	err := guard(s.path, fn)
	if d, ok := err.(*DamagedStoreError); ok {
		if _, ok := d.Err.(bboltPanic); ok {
			s.broken.CompareAndSwap(nil, d)
		}
	}
	return err
}

func (s *BoltStore) damaged(err error) error { return &DamagedStoreError{Path: s.path, Err: err} }

// prepare creates the buckets of a new store, checks the format of an
// existing one and converts a store of format 1. A store that needs none
// of this is not written to, so that a damaged one found later is left as
// it was.
func (s *BoltStore) prepare() error {
	var fresh, format1 bool
	err := s.db.View(func(tx *bolt.Tx) error {
		names, settings := tx.Bucket(namesBucket), tx.Bucket(settingsBucket)
		if names == nil && settings == nil {
			if k, _ := tx.Cursor().First(); k != nil {
				return s.damaged(fmt.Errorf("not a name server database (it holds bucket %q, not %q)", k, namesBucket))
			}
			fresh = true
			return nil
		}
		for _, b := range []struct {
			name []byte
			b    *bolt.Bucket
		}{{namesBucket, names}, {settingsBucket, settings}} {
			if b.b == nil {
				return s.damaged(fmt.Errorf("bucket %q is missing", b.name))
			}
		}
		v := settings.Get(formatKey)
		if v == nil {
			format1 = true
			return nil
		}
		f, err := checkSum(formatKey, v)
		if err != nil {
			return s.damaged(fmt.Errorf("setting %q: %w", formatKey, err))
		}
		if string(f) != storeFormat {
			return fmt.Errorf("ns: database %s has store format %q; this version reads format %s", s.path, f, storeFormat)
		}
		return nil
	})
	switch {
	case err != nil:
		return err
	case fresh:
		return s.db.Update(func(tx *bolt.Tx) error {
			for _, b := range [][]byte{namesBucket, settingsBucket} {
				if _, err := tx.CreateBucket(b); err != nil {
					return err
				}
			}
			return tx.Bucket(settingsBucket).Put(formatKey, withChecksum(formatKey, []byte(storeFormat)))
		})
	case format1:
		return s.db.Update(func(tx *bolt.Tx) error {
			return s.convertFormat1(tx.Bucket(namesBucket), tx.Bucket(settingsBucket))
		})
	}
	return nil
}

// convertFormat1 adds checksums to the records and settings of a store of
// format 1. Its records are checked for the structure the format gives
// them (decodeFields), which is all that can be checked without checksums.
func (s *BoltStore) convertFormat1(names, settings *bolt.Bucket) error {
	for _, b := range []*bolt.Bucket{names, settings} {
		var kvs [][2][]byte
		err := b.ForEach(func(k, v []byte) error {
			if b == names {
				if _, err := decodeFields(string(k), v); err != nil {
					return s.damaged(err)
				}
			}
			kvs = append(kvs, [2][]byte{bytes.Clone(k), withChecksum(k, v)})
			return nil
		})
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			if err := b.Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
	}
	return settings.Put(formatKey, withChecksum(formatKey, []byte(storeFormat)))
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
		err := s.guard(func() error {
			return s.db.Update(func(tx *bolt.Tx) error {
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
// A record whose checksum does not match stops it with a
// *DamagedStoreError.
func (s *BoltStore) Load(fn func(Record) error) error {
	return s.guard(func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket(namesBucket).ForEach(func(k, v []byte) error {
				r, err := decodeRecord(k, v)
				if err != nil {
					return s.damaged(err)
				}
				return fn(r)
			})
		})
	})
}

// Setting returns the value stored under key.
func (s *BoltStore) Setting(key string) (string, bool, error) {
	var v []byte
	err := s.guard(func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			stored := tx.Bucket(settingsBucket).Get([]byte(key))
			if stored == nil {
				return nil
			}
			val, err := checkSum([]byte(key), stored)
			if err != nil {
				return s.damaged(fmt.Errorf("setting %q: %w", key, err))
			}
			v = bytes.Clone(val)
			if v == nil {
				v = []byte{}
			}
			return nil
		})
	})
	return string(v), v != nil, err
}

// SetSetting durably stores value under key.
func (s *BoltStore) SetSetting(key, value string) error {
	return s.guard(func() error {
		return s.db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(settingsBucket).Put([]byte(key), withChecksum([]byte(key), []byte(value)))
		})
	})
}

// Close waits for queued batches to be committed and closes the file;
// later Apply calls fail with ErrStoreClosed. A broken store's file stays
// open (bbolt may hold its locks) and Close returns what broke it.
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
	if b := s.broken.Load(); b != nil {
		return b
	}
	return s.db.Close()
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// withChecksum returns a copy of v followed by the CRC-32C of key and v
// (big endian), as records and settings are stored.
func withChecksum(key, v []byte) []byte {
	sum := crc32.Update(crc32.Checksum(key, castagnoli), castagnoli, v)
	return binary.BigEndian.AppendUint32(v[:len(v):len(v)], sum)
}

// checkSum returns the value stored as stored under key without its
// checksum, or an error if the checksum does not match.
func checkSum(key, stored []byte) ([]byte, error) {
	if len(stored) < 4 {
		return nil, fmt.Errorf("%d bytes, too short for its checksum", len(stored))
	}
	v := stored[:len(stored)-4]
	sum := crc32.Update(crc32.Checksum(key, castagnoli), castagnoli, v)
	if got := binary.BigEndian.Uint32(stored[len(v):]); got != sum {
		return nil, fmt.Errorf("checksum mismatch (stored %08x, computed %08x)", got, sum)
	}
	return v, nil
}

// Record encoding: flags byte (1 = group), created as float64 bits, then
// the URI, system meta and user meta pickles, each with a uvarint length,
// then the checksum (withChecksum) of name and all of that.
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
	return withChecksum([]byte(r.Name), buf)
}

// decodeRecord decodes the record stored under the name key, checksum
// first.
func decodeRecord(key, stored []byte) (Record, error) {
	v, err := checkSum(key, stored)
	if err != nil {
		return Record{Name: string(key)}, fmt.Errorf("record %q: %w", key, err)
	}
	return decodeFields(string(key), v)
}

// decodeFields decodes a record without its checksum: exactly the fields
// encodeRecord writes, nothing after them.
func decodeFields(name string, v []byte) (Record, error) {
	r := Record{Name: name}
	if len(v) < 9 || v[0] > 1 {
		return r, fmt.Errorf("record %q: malformed header", name)
	}
	r.Group = v[0]&1 != 0
	r.Created = math.Float64frombits(binary.BigEndian.Uint64(v[1:9]))
	v = v[9:]
	var fields [3][]byte
	for i := range fields {
		n, w := binary.Uvarint(v)
		if w <= 0 || uint64(len(v)-w) < n {
			return r, fmt.Errorf("record %q: field %d overruns the record", name, i+1)
		}
		if n > 0 {
			fields[i] = bytes.Clone(v[w : w+int(n)])
		}
		v = v[w+int(n):]
	}
	if len(v) != 0 {
		return r, fmt.Errorf("record %q: %d bytes after its fields", name, len(v))
	}
	r.URI, r.SysMeta, r.UserMeta = string(fields[0]), fields[1], fields[2]
	return r, nil
}
