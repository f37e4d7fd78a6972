package ns

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

// TestRecordChecksum: a record with any one byte of its name or value
// changed is not decoded.
func TestRecordChecksum(t *testing.T) {
	r := Record{Name: ":g.obj", URI: "PYRO://127.0.0.1:7766/0123456789abcdef", Created: 1.5,
		SysMeta: []byte{0x80, 2, 'N', '.'}, UserMeta: []byte("(dp0\n.")}
	v := encodeRecord(r)
	if got, err := decodeRecord([]byte(r.Name), v); err != nil || !cmp.Equal(got, r) {
		t.Fatalf("decodeRecord(encodeRecord(r)) = %+v, %v", got, err)
	}
	for i := range v {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			d := bytes.Clone(v)
			d[i] ^= x
			if got, err := decodeRecord([]byte(r.Name), d); err == nil {
				t.Fatalf("value byte %d ^ %#x: decoded as %+v", i, x, got)
			}
		}
	}
	for _, name := range []string{":g.obi", ":g.ob", ":g.objj", ""} {
		if got, err := decodeRecord([]byte(name), v); err == nil {
			t.Errorf("record of :g.obj read as %q: decoded as %+v", name, got)
		}
	}
}

// fillStore writes n names under :g to the BoltStore at path.
func fillStore(t *testing.T, path string, n int) *BoltStore {
	t.Helper()
	s, err := OpenBoltStore(path)
	if err != nil {
		t.Fatal(err)
	}
	ops := []Op{{Kind: OpPut, Record: Record{Name: ":g", Group: true, Created: 1}}}
	for i := 0; i < n; i++ {
		ops = append(ops, Op{Kind: OpPut, Record: Record{Name: fmt.Sprintf(":g.n%05d", i), Created: 1, URI: fmt.Sprintf("PYRO://127.0.0.1:7766/%032x", i)}})
	}
	if err := <-s.Apply(ops); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(guidSetting, "7f000001469129cefcd9b76da70ec43dca"); err != nil {
		t.Fatal(err)
	}
	return s
}

// overwrite replaces the first occurrence of old in the file at path.
func overwrite(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte(old))
	if i < 0 {
		t.Fatalf("%q not in %s", old, path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte(new), int64(i)); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedValues: a record or setting whose bytes changed on disk is
// reported as a *DamagedStoreError naming the file and the record, not
// served.
func TestDamagedValues(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		read     func(s *BoltStore) error
		want     string
	}{
		{"record", fmt.Sprintf("%032x", 1500), fmt.Sprintf("%032x", 1501), func(s *BoltStore) error {
			return s.Load(func(Record) error { return nil })
		}, `record ":g.n01500": checksum mismatch`},
		{"record name", ":g.n01500", ":g.n015/0", func(s *BoltStore) error { // still in key order
			return s.Load(func(Record) error { return nil })
		}, `record ":g.n015/0": checksum mismatch`},
		{"setting", "7f000001469129", "7f000001469128", func(s *BoltStore) error {
			_, _, err := s.Setting(guidSetting)
			return err
		}, `setting "guid": checksum mismatch`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ns.db")
			if err := fillStore(t, path, 3000).Close(); err != nil {
				t.Fatal(err)
			}
			overwrite(t, path, tt.old, tt.new)
			s, err := OpenBoltStore(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = tt.read(s)
			var d *DamagedStoreError
			if !errors.As(err, &d) || d.Path != path || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a *DamagedStoreError for %s: %s", err, path, tt.want)
			}
		})
	}
}

// TestLazyPanicRecovered: a page damaged while the store is open (bbolt
// reads pages when a transaction needs them, and panics on one it cannot
// make sense of) is reported as a *DamagedStoreError by the call that
// reads it and by every later call, none of which hangs.
func TestLazyPanicRecovered(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ns.db")
	s := fillStore(t, path, 3000)
	// Give the page holding :g.n01500 a wrong page id.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ps := os.Getpagesize()
	page := bytes.Index(data, []byte(fmt.Sprintf("%032x", 1500))) / ps * ps
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteAt(bytes.Repeat([]byte{0xee}, 16), int64(page))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	err = s.Load(func(Record) error { return nil })
	var d *DamagedStoreError
	if !errors.As(err, &d) || d.Path != path || !strings.Contains(err.Error(), "bbolt: ") {
		t.Errorf("Load: %v, want a *DamagedStoreError from bbolt's panic", err)
	}
	err = <-s.Apply([]Op{{Kind: OpDeleteTree, Record: Record{Name: ":g"}}})
	if !errors.As(err, &d) {
		t.Errorf("Apply: %v, want a *DamagedStoreError", err)
	}
	if err := s.Close(); !errors.As(err, &d) {
		t.Errorf("Close: %v, want the *DamagedStoreError", err)
	}
}

// TestFormat1Store: a store written by the previous version, whose records
// have no checksums (testdata/v1store.db), is read and converted once; a
// format 1 record that does not have the structure of one is reported.
func TestFormat1Store(t *testing.T) {
	fixture, err := os.ReadFile("testdata/v1store.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ns.db")
	if err := os.WriteFile(path, fixture, 0o600); err != nil {
		t.Fatal(err)
	}
	want := []string{
		":Default  true",
		":Default.rel PYROLOC://127.0.0.1:7767/thing false",
		":Pyro  true",
		":g  true",
		":g.obj PYRO://127.0.0.1:7766/0123456789abcdef0123456789abcdef false",
	}
	for round := range 2 { // converting, then converted
		s, err := OpenBoltStore(path)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		var got []string
		if err := s.Load(func(r Record) error {
			got = append(got, fmt.Sprintf("%s %s %v", r.Name, r.URI, r.Group))
			if r.Name == ":g.obj" && string(r.UserMeta) == "" {
				t.Error(":g.obj lost its meta data")
			}
			return nil
		}); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("round %d: records (-want +got):\n%s", round, diff)
		}
		for key, want := range map[string]string{guidSetting: "7f000001469129cefcd9b76da70ec43dca", string(formatKey): storeFormat} {
			if v, ok, err := s.Setting(key); v != want || !ok || err != nil {
				t.Errorf("round %d: setting %s = %q, %v, %v", round, key, v, ok, err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}

	// A format 1 record with bytes after its fields (as a format 2 record
	// would look if the format setting were lost) is not accepted.
	if err := os.WriteFile(path, fixture, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &boltOptions)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(namesBucket)
		return b.Put([]byte(":g.obj"), append(bytes.Clone(b.Get([]byte(":g.obj"))), 1, 2, 3, 4))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenBoltStore(path)
	var d *DamagedStoreError
	if !errors.As(err, &d) || !strings.Contains(err.Error(), `record ":g.obj": 4 bytes after its fields`) {
		t.Errorf("OpenBoltStore: %v, want a *DamagedStoreError", err)
	}
	if data, _ := os.ReadFile(path); bytes.Equal(data, fixture) {
		t.Error("test set-up did not change the file")
	}
}

// TestVerifyHealthyStores: stores after many random changes pass
// verifyBoltFile (and bbolt's own check agrees), so that the verification
// refuses only damage.
func TestVerifyHealthyStores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ns.db")
	r := rand.New(rand.NewPCG(11, 4))
	for round := range 20 {
		s, err := OpenBoltStore(path)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for range 10 {
			var ops []Op
			for range r.IntN(500) {
				name := fmt.Sprintf(":g%d.n%04d", r.IntN(3), r.IntN(3000))
				switch r.IntN(10) {
				case 0:
					ops = append(ops, Op{Kind: OpDeleteTree, Record: Record{Name: name[:3]}})
				case 1, 2, 3:
					ops = append(ops, Op{Kind: OpDelete, Record: Record{Name: name}})
				default:
					ops = append(ops, Op{Kind: OpPut, Record: Record{Name: name, URI: strings.Repeat("u", r.IntN(5000))}})
				}
			}
			if err := <-s.Apply(ops); err != nil {
				t.Fatal(err)
			}
		}
		err = s.db.View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatalf("round %d: bbolt's check: %v", round, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		err = verifyBoltFile(f, st.Size())
		f.Close()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}

// TestNotANameServerDatabase: a bbolt file of another program is refused,
// and left alone.
func TestNotANameServerDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("accounts"))
		return err
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenBoltStore(path)
	var d *DamagedStoreError
	if !errors.As(err, &d) || !strings.Contains(err.Error(), `not a name server database (it holds bucket "accounts"`) {
		t.Errorf("OpenBoltStore: %v", err)
	}
}
