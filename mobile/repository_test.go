package mobile

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// writeTree writes files (path → content) under dir with the given
// modification time.
func writeTree(t *testing.T, dir string, files map[string]string, mtime time.Time) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

// pyc builds a Python 2.7 bytecode file header for a source mtime.
func pyc(magic []byte, mtime time.Time, body string) string {
	b := append([]byte{}, magic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(mtime.Unix()))
	return string(b) + body
}

func TestRepositoryCode(t *testing.T) {
	dir := t.TempDir()
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	py3Magic := []byte{0x6f, 0x0d, 0x0d, 0x0a}
	writeTree(t, dir, map[string]string{
		"plain.py":             "x = 1\r\ny = 2\rz = 3\n",
		"pkg/__init__.py":      "# package\n",
		"pkg/mod.py":           "class A(object): pass\n",
		"pkg/mod.pyc":          pyc(Python27Magic, mtime, "BYTECODE"),
		"pkg/stale.py":         "fresh source\n",
		"pkg/stale.pyc":        pyc(Python27Magic, mtime.Add(-time.Hour), "OLD"),
		"pkg/opt.py":           "source\n",
		"pkg/opt.pyo":          pyc(Python27Magic, mtime, "OPTIMISED"),
		"pkg/opt.pyc":          pyc(Python27Magic, mtime, "COMPILED"),
		"py3/__init__.py":      "",
		"py3/other.py":         "py2 source\n",
		"py3/other.pyc":        pyc(py3Magic, mtime, "PY3"),
		"sourceless/only.pyc":  pyc(Python27Magic, time.Unix(7, 0), "NOSOURCE"),
		"sourceless/short.pyc": "\x03\xf3",
		"nopkg/mod.py":         "in a directory without __init__\n",
	}, mtime)
	r := NewRepository(dir)
	if _, err := r.Add("memory.mod", []byte("stored")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Add("plain", []byte("memory wins")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		want    string
		wantErr error
	}{
		{"plain", "memory wins", nil},
		{"pkg", "# package\n", nil},
		{"pkg.mod", pyc(Python27Magic, mtime, "BYTECODE"), nil},
		{"pkg.stale", "fresh source\n", nil},
		{"pkg.opt", pyc(Python27Magic, mtime, "OPTIMISED"), nil},
		{"py3.other", "py2 source\n", nil},
		{"sourceless.only", pyc(Python27Magic, time.Unix(7, 0), "NOSOURCE"), nil},
		{"sourceless.short", "", ErrNoModule},
		{"nopkg.mod", "in a directory without __init__\n", nil},
		{"memory.mod", "stored", nil},
		{"missing", "", ErrNoModule},
		{"pkg.missing", "", ErrNoModule},
		{"nopkg", "", ErrNoModule},
		{"../plain", "", ErrBadName},
		{"pkg..mod", "", ErrBadName},
		{"pkg/mod", "", ErrBadName},
		{"1abc", "", ErrBadName},
		{"", "", ErrBadName},
		{".pkg", "", ErrBadName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Code(tt.name)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Code(%q) error = %v, want %v", tt.name, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("Code(%q) (-want +got):\n%s", tt.name, diff)
			}
			if r.Has(tt.name) != (tt.wantErr == nil) {
				t.Errorf("Has(%q) = %v", tt.name, !(tt.wantErr == nil))
			}
		})
	}
	// Universal newlines for source read from disk.
	got, err := NewRepository(dir).Code("plain")
	if err != nil || string(got) != "x = 1\ny = 2\nz = 3\n" {
		t.Errorf("plain.py = %q, %v", got, err)
	}
}

func TestRepositoryAdd(t *testing.T) {
	r := NewRepository("")
	if stored, err := r.Add("a.b", []byte("first")); !stored || err != nil {
		t.Fatalf("Add = %v, %v", stored, err)
	}
	if stored, err := r.Add("a.b", []byte("second")); stored || err != nil {
		t.Fatalf("second Add = %v, %v; the first code must stay", stored, err)
	}
	if got, _ := r.Code("a.b"); string(got) != "first" {
		t.Errorf("Code = %q", got)
	}
	if _, err := r.Add("a/b", nil); !errors.Is(err, ErrBadName) {
		t.Errorf("Add(a/b) = %v", err)
	}
	if _, err := r.Code("a.c"); !errors.Is(err, ErrNoModule) {
		t.Errorf("memory-only repository: %v", err)
	}
}
