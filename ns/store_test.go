package ns

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

func loadAll(t *testing.T, s Store) []Record {
	t.Helper()
	var out []Record
	if err := s.Load(func(r Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStores runs the Store contract against every implementation.
func TestStores(t *testing.T) {
	stores := map[string]func(t *testing.T) Store{
		"mem": func(t *testing.T) Store { return NewMemStore() },
		"bolt": func(t *testing.T) Store {
			s, err := OpenBoltStore(filepath.Join(t.TempDir(), "ns.db"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
	put := func(name string, group bool) Op {
		r := Record{Name: name, Group: group, Created: 1.5}
		if !group {
			r.URI = "PYRO://127.0.0.1:7766/" + name
			r.UserMeta = []byte{0x80, 2, 'N', '.'}
		}
		return Op{Kind: OpPut, Record: r}
	}
	tests := []struct {
		name string
		ops  [][]Op
		want []string
	}{
		{"put", [][]Op{{put(":a", true), put(":a.x", false)}, {put(":b", false)}}, []string{":a", ":a.x", ":b"}},
		{"delete", [][]Op{{put(":a", true), put(":a.x", false)}, {{Kind: OpDelete, Record: Record{Name: ":a.x"}}}}, []string{":a"}},
		{"delete tree", [][]Op{{put(":a", true), put(":a.x", false), put(":a.y", true), put(":a.y.z", false), put(":ab", false), put(":a!", false)},
			{{Kind: OpDeleteTree, Record: Record{Name: ":a"}}}}, []string{":a!", ":ab"}},
		{"delete all", [][]Op{{put(":a", true), put(":a.x", false)}, {{Kind: OpDeleteTree, Record: Record{Name: ":"}}, put(":n", false)}}, []string{":n"}},
	}
	for sname, open := range stores {
		for _, tt := range tests {
			t.Run(sname+"/"+tt.name, func(t *testing.T) {
				s := open(t)
				defer s.Close()
				for _, batch := range tt.ops {
					if err := <-s.Apply(batch); err != nil {
						t.Fatal(err)
					}
				}
				var got []string
				for _, r := range loadAll(t, s) {
					got = append(got, r.Name)
					if want := put(r.Name, r.Group).Record; !cmp.Equal(r, want) {
						t.Errorf("record %s: %s", r.Name, cmp.Diff(want, r))
					}
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("names (-want +got):\n%s", diff)
				}
				if _, ok, _ := s.Setting("guid"); ok {
					t.Error("setting present before SetSetting")
				}
				if err := s.SetSetting("guid", "abc"); err != nil {
					t.Fatal(err)
				}
				if v, ok, err := s.Setting("guid"); v != "abc" || !ok || err != nil {
					t.Errorf("Setting = %q %v %v", v, ok, err)
				}
			})
		}
	}
}

func TestBoltStoreClosed(t *testing.T) {
	s, err := OpenBoltStore(filepath.Join(t.TempDir(), "ns.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-s.Apply([]Op{{Kind: OpPut, Record: Record{Name: ":x"}}}); err != ErrStoreClosed {
		t.Errorf("Apply after Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestPersistence: a name space written to a BoltStore is the same after
// reopening, meta data included.
func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ns.db")
	s, err := OpenBoltStore(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewNamespace(Options{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(n.CreateGroup(":g"))
	must(n.Register(":g.obj", pickle.ByteString("PYRO://127.0.0.1:7766/abc")))
	must(n.Register("rel", compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 1, ObjectID: "x"}))
	must(n.SetMeta(":g.obj", pickle.ByteString("meta")))
	must(n.SetSystemMeta(":g", systemMeta(true, 42)))
	must(n.CreateGroup(":gone"))
	must(n.Register(":gone.x", pickle.ByteString("PYRO://127.0.0.1:1/y")))
	must(n.DeleteGroup(":gone"))
	before := n.Flatlist()
	must(s.Close())

	s, err = OpenBoltStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err = NewNamespace(Options{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, n.Flatlist()); diff != "" {
		t.Errorf("flatlist after reopen (-before +after):\n%s", diff)
	}
	if m, err := n.GetMeta(":g.obj"); err != nil || m != pickle.ByteString("meta") {
		t.Errorf("GetMeta = %v, %v", m, err)
	}
	sm, err := n.GetSystemMeta(":g")
	if m, ok := ParseSystemMeta(sm); err != nil || !ok || m.Timestamp != 42 || m.Type != 0 {
		t.Errorf("GetSystemMeta = %v, %v", sm, err)
	}
	kids, err := n.List(":")
	must(err)
	want := []Child{{"Default", 0}, {"Pyro", 0}, {"g", 0}}
	if diff := cmp.Diff(want, kids); diff != "" {
		t.Errorf("List(:) (-want +got):\n%s", diff)
	}
}

// TestReadPyro3DB reads a database written by real Pyro 3.16's persistent
// Name Server (testdata/pyro3db).
func TestReadPyro3DB(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Pyro_NS_database")
	if err := os.CopyFS(dir, os.DirFS("testdata/pyro3db")); err != nil {
		t.Fatal(err)
	}
	store, dbfile, imported, err := OpenPersistentStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if dbfile != dir+".db" || imported != 9 {
		t.Errorf("dbfile %s imported %d", dbfile, imported)
	}
	n, err := NewNamespace(Options{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range n.Flatlist() {
		got = append(got, b.Name+" "+b.URI.String())
	}
	want := []string{
		":Default.weird/na:me PYRO://127.0.0.1:7767/aa",
		":Pyro.NameServer PYRO://127.0.0.1:9090/7f000001469129cefcd9b76da70ec43dca",
		":grp1.obj PYRO://127.0.0.1:7766/0123456789abcdef0123456789abcdef",
		":grp1.sub.deep PYROLOC://127.0.0.1:7768/thing",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flatlist (-want +got):\n%s", diff)
	}
	m, err := n.GetMeta(":grp1.obj")
	if d, ok := m.(pickle.Dict); err != nil || !ok || fmt.Sprint(d.Get(pickle.ByteString("a"))) != "1" {
		t.Errorf("meta of :grp1.obj = %v, %v", m, err)
	}
	if m, err := n.GetMeta(":grp1"); err != nil || m != pickle.ByteString("groupmeta") {
		t.Errorf("meta of :grp1 = %v, %v", m, err)
	}
	if err := n.Register(":grp1.new", pickle.ByteString("PYRO://127.0.0.1:1/n")); err != nil {
		t.Fatal(err)
	}
	store.Close()
	// Second start: the .db file is used, the directory is not read again.
	store, _, imported, err = OpenPersistentStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if imported != 0 {
		t.Errorf("imported again: %d", imported)
	}
	n, err = NewNamespace(Options{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Resolve(":grp1.new"); err != nil {
		t.Error(err)
	}
}

func TestUnescapeComponent(t *testing.T) {
	for in, want := range map[string]string{
		`plain`: "plain", `a\2fb`: "a/b", `x\3ay\3a`: "x:y:", `bad\zz`: `bad\zz`, `end\`: `end\`, `\5c`: `\`,
	} {
		if got := unescapeComponent(in); got != want {
			t.Errorf("unescapeComponent(%q) = %q, want %q", in, got, want)
		}
	}
}
