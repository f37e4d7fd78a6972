package mobile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ErrNoModule is returned (wrapped) for a module the Repository does not
// have.
var ErrNoModule = errors.New("no such module")

// ErrBadName is returned (wrapped) for a module name that is not a dotted
// Python identifier; such names never touch the file system.
var ErrBadName = errors.New("invalid module name")

// Python27Magic is the bytecode magic of Python 2.7 at the start of .pyc and
// .pyo files; Pyro executes code starting with it as marshalled bytecode.
var Python27Magic = []byte{0x03, 0xf3, 0x0d, 0x0a}

// Repository holds Python module code by dotted module name: modules
// stored with Add, then the files under Dir. It is safe for concurrent use.
//
// A module a.b is read from Dir/a/b.pyo, Dir/a/b.pyc or Dir/a/b.py, the
// first that exists, as Pyro reads a module next to its __file__; a package
// (a directory with an __init__ file) is its __init__ module. Source (.py)
// is read with universal newlines, as Pyro opens it. Unlike Pyro, which
// imports the module first, the Repository only serves a .pyc/.pyo that
// Python 2.7 would use: one with the 2.7 magic that is not older than its
// .py (same modification time as recorded in the bytecode); else the .py.
type Repository struct {
	dir string

	mu     sync.RWMutex
	memory map[string][]byte
}

// NewRepository returns a repository serving the modules under dir ("" for
// memory only).
func NewRepository(dir string) *Repository {
	return &Repository{dir: dir, memory: map[string][]byte{}}
}

// Dir returns the directory the repository reads modules from.
func (r *Repository) Dir() string { return r.dir }

// ValidName reports whether name is a dotted Python identifier (such as
// "agent.ShoppingAgent").
func ValidName(name string) bool {
	if name == "" {
		return false
	}
	for _, part := range strings.Split(name, ".") {
		if part == "" {
			return false
		}
		for i, c := range part {
			switch {
			case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			case c >= '0' && c <= '9' && i > 0:
			default:
				return false
			}
		}
	}
	return true
}

// Add stores code for module name in memory. A module that is already
// stored keeps its first code, as Pyro never reloads a supplied module.
// It reports whether code was stored.
func (r *Repository) Add(name string, code []byte) (bool, error) {
	if !ValidName(name) {
		return false, fmt.Errorf("mobile: %q: %w", name, ErrBadName)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.memory[name]; ok {
		return false, nil
	}
	r.memory[name] = bytes.Clone(code)
	return true, nil
}

// Has reports whether the repository can serve module name.
func (r *Repository) Has(name string) bool {
	_, err := r.Code(name)
	return err == nil
}

// Code returns the code of module name: bytecode (starting with the magic
// of the Python version that wrote it) or source text.
func (r *Repository) Code(name string) ([]byte, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("mobile: %q: %w", name, ErrBadName)
	}
	r.mu.RLock()
	code, ok := r.memory[name]
	r.mu.RUnlock()
	if ok {
		return bytes.Clone(code), nil
	}
	if r.dir == "" {
		return nil, fmt.Errorf("mobile: module %s: %w", name, ErrNoModule)
	}
	base := filepath.Join(r.dir, filepath.FromSlash(strings.ReplaceAll(name, ".", "/")))
	if st, err := os.Stat(base); err == nil && st.IsDir() {
		base = filepath.Join(base, "__init__")
	}
	code, err := readModule(base)
	if err != nil {
		return nil, fmt.Errorf("mobile: module %s: %w", name, err)
	}
	return code, nil
}

// readModule reads base.pyo, base.pyc or base.py.
func readModule(base string) ([]byte, error) {
	src, srcErr := os.ReadFile(base + ".py")
	if srcErr != nil && !errors.Is(srcErr, fs.ErrNotExist) {
		return nil, srcErr
	}
	var srcTime uint32
	if srcErr == nil {
		if st, err := os.Stat(base + ".py"); err == nil {
			srcTime = uint32(st.ModTime().Unix())
		}
	}
	for _, ext := range []string{".pyo", ".pyc"} {
		b, err := os.ReadFile(base + ext)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		if len(b) < 8 || !bytes.Equal(b[:4], Python27Magic) {
			continue // another Python's bytecode
		}
		if srcErr == nil && binary.LittleEndian.Uint32(b[4:8]) != srcTime {
			continue // stale: Python would recompile the .py
		}
		return b, nil
	}
	if srcErr != nil {
		return nil, ErrNoModule
	}
	return universalNewlines(src), nil
}

// universalNewlines turns \r\n and lone \r into \n, as Python 2's "rU"
// mode reads files.
func universalNewlines(b []byte) []byte {
	if !bytes.ContainsRune(b, '\r') {
		return b
	}
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
}
