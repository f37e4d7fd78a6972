package ns

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
)

// bbolt reads its file through unchecked pointers into a memory map and
// asserts with panics, some of them in goroutines of its own that no
// recover can reach, so a damaged page kills the process. verifyBoltFile
// walks the same structure with bounds-checked reads before bbolt sees the
// file: what passes cannot make bbolt read out of bounds or fail an
// assertion, and what fails is reported as the page and what is wrong
// with it. The layout is bbolt's file format version 2
// (go.etcd.io/bbolt/internal/common), in the machine's byte order.
const (
	boltPageHeader   = 16 // id u64, flags u16, count u16, overflow u32
	boltElement      = 16 // branch: pos, ksize u32, child u64; leaf: flags, pos, ksize, vsize u32
	boltBucketHeader = 16 // root page u64 (0 = inline), sequence u64
	boltMetaSize     = 64 // magic, version, page size, flags u32; root bucket; freelist, pages, txid, checksum u64
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	boltBranchPage   = 0x01
	boltLeafPage     = 0x02
	boltMetaPage     = 0x04
	boltFreelistPage = 0x10
	boltBucketLeaf   = 0x01
	boltNoFreelist   = ^uint64(0)
	boltMaxDepth     = 64 // far beyond any real tree: a deeper one loops
)

var bo = binary.NativeEndian

// errEmptyFile is the damage of a file truncated to nothing.
var errEmptyFile = errors.New("file is empty (0 bytes)")

type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pages    uint64 // high water mark: pages below it are in use or free
	txid     uint64
}

// boltFile is a bbolt file being verified, read a page at a time so that
// the memory it takes does not grow with the file.
type boltFile struct {
	r        io.ReaderAt
	size     uint64
	pageSize uint64
	pages    uint64
	seen     map[uint64]bool
	scratch  []byte // the last single page read, reused for leaves
}

// verifyBoltFile checks the bbolt file of size bytes read from r: both meta
// pages valid, the file as long as the newer one says, and every page
// reachable from its root bucket a well-formed branch or leaf page,
// referenced once, with its elements inside it and its keys in order.
func verifyBoltFile(r io.ReaderAt, size int64) error {
	if size == 0 {
		return errEmptyFile
	}
	m0, err := readBoltMeta(r, size, 0, 0)
	if err != nil {
		return err
	}
	m1, err := readBoltMeta(r, size, int64(m0.pageSize), 1)
	if err != nil {
		return err
	}
	if m1.pageSize != m0.pageSize {
		return fmt.Errorf("meta page 1: page size %d, meta page 0 says %d", m1.pageSize, m0.pageSize)
	}
	m := m0
	if m1.txid > m0.txid {
		m = m1
	}
	f := &boltFile{r: r, size: uint64(size), pageSize: uint64(m.pageSize), pages: m.pages, seen: map[uint64]bool{}}
	if m.pages < 3 || m.pages > f.size/f.pageSize {
		if m.pages >= 3 && m.pages < 1<<40 {
			return fmt.Errorf("file truncated: %d bytes, its meta page says %d", size, m.pages*f.pageSize)
		}
		return fmt.Errorf("meta page %d: implausible page count %d", m.txid%2, m.pages)
	}
	if m.freelist != boltNoFreelist {
		if err := f.freelist(m.freelist); err != nil {
			return err
		}
	}
	return f.tree(m.root, nil, nil, 0)
}

// readBoltMeta reads and validates meta page id at offset off.
func readBoltMeta(r io.ReaderAt, size, off int64, id uint64) (boltMeta, error) {
	var m boltMeta
	p := make([]byte, boltPageHeader+boltMetaSize)
	if off+int64(len(p)) > size {
		return m, fmt.Errorf("file truncated: %d bytes, shorter than its meta pages", size)
	}
	if _, err := r.ReadAt(p, off); err != nil {
		return m, fmt.Errorf("reading meta page %d: %w", id, err)
	}
	if got := bo.Uint64(p); got != id || bo.Uint16(p[8:]) != boltMetaPage {
		return m, fmt.Errorf("meta page %d: header says page %d, flags %#x", id, got, bo.Uint16(p[8:]))
	}
	b := p[boltPageHeader : boltPageHeader+boltMetaSize]
	if bo.Uint32(b) != boltMagic {
		return m, fmt.Errorf("meta page %d: not a bbolt database (magic %#x)", id, bo.Uint32(b))
	}
	if v := bo.Uint32(b[4:]); v != boltVersion {
		return m, fmt.Errorf("meta page %d: bbolt file format version %d, want %d", id, v, boltVersion)
	}
	h := fnv.New64a()
	h.Write(b[:56])
	if h.Sum64() != bo.Uint64(b[56:]) {
		return m, fmt.Errorf("meta page %d: checksum mismatch", id)
	}
	m = boltMeta{pageSize: bo.Uint32(b[8:]), root: bo.Uint64(b[16:]), freelist: bo.Uint64(b[32:]), pages: bo.Uint64(b[40:]), txid: bo.Uint64(b[48:])}
	if m.pageSize < 1024 || m.pageSize > 1<<20 || m.pageSize&(m.pageSize-1) != 0 {
		return m, fmt.Errorf("meta page %d: implausible page size %d", id, m.pageSize)
	}
	if m.txid%2 != id {
		return m, fmt.Errorf("meta page %d: holds transaction %d", id, m.txid)
	}
	return m, nil
}

// page returns page id with its overflow pages, after checking that it
// lies below the high water mark, says it is page id and was not seen
// before. A single page is returned in f.scratch, valid until the next
// call.
func (f *boltFile) page(id uint64) ([]byte, error) {
	if id < 2 || id >= f.pages {
		return nil, fmt.Errorf("page %d: out of range [2, %d)", id, f.pages)
	}
	if f.scratch == nil {
		f.scratch = make([]byte, f.pageSize)
	}
	p := f.scratch
	if _, err := f.r.ReadAt(p, int64(id*f.pageSize)); err != nil {
		return nil, fmt.Errorf("reading page %d: %w", id, err)
	}
	if got := bo.Uint64(p); got != id {
		return nil, fmt.Errorf("page %d: header says page %d", id, got)
	}
	n := uint64(bo.Uint32(p[12:])) + 1
	if n > f.pages-id {
		return nil, fmt.Errorf("page %d: %d overflow pages run past the last page %d", id, n-1, f.pages-1)
	}
	for i := id; i < id+n; i++ {
		if f.seen[i] {
			return nil, fmt.Errorf("page %d: referenced twice", i)
		}
		f.seen[i] = true
	}
	if n == 1 {
		return p, nil
	}
	return f.read(id, n)
}

// read reads n pages from page id on; the caller checked they are below
// the high water mark, which lies within the file.
func (f *boltFile) read(id, n uint64) ([]byte, error) {
	p := make([]byte, n*f.pageSize)
	if _, err := f.r.ReadAt(p, int64(id*f.pageSize)); err != nil {
		return nil, fmt.Errorf("reading page %d: %w", id, err)
	}
	return p, nil
}

func (f *boltFile) freelist(id uint64) error {
	p, err := f.page(id)
	if err != nil {
		return err
	}
	if fl := bo.Uint16(p[8:]); fl != boltFreelistPage {
		return fmt.Errorf("page %d: freelist page has flags %#x", id, fl)
	}
	start, n := uint64(boltPageHeader), uint64(bo.Uint16(p[10:]))
	if n == 0xffff {
		n = bo.Uint64(p[start:])
		start += 8
	}
	if n > (uint64(len(p))-start)/8 {
		return fmt.Errorf("page %d: freelist of %d ids does not fit", id, n)
	}
	for i := uint64(0); i < n; i++ {
		if fid := bo.Uint64(p[start+8*i:]); fid < 2 || fid >= f.pages {
			return fmt.Errorf("page %d: free page id %d out of range", id, fid)
		}
	}
	return nil
}

// tree checks the B+tree rooted at page id, whose keys must lie in
// [lo, hi) (nil: unbounded).
func (f *boltFile) tree(id uint64, lo, hi []byte, depth int) error {
	if depth > boltMaxDepth {
		return fmt.Errorf("page %d: tree deeper than %d levels", id, boltMaxDepth)
	}
	p, err := f.page(id)
	if err != nil {
		return err
	}
	fl := bo.Uint16(p[8:])
	if fl == boltBranchPage || fl == boltLeafPage && holdsBuckets(p) {
		p = bytes.Clone(p) // the pages below it reuse f.scratch
	}
	switch fl {
	case boltBranchPage:
		keys, children, err := branchElements(p)
		if err != nil {
			return fmt.Errorf("page %d: %w", id, err)
		}
		if err := checkKeyOrder(keys, lo, hi); err != nil {
			return fmt.Errorf("page %d: %w", id, err)
		}
		for i, c := range children {
			max := hi
			if i+1 < len(keys) {
				max = keys[i+1]
			}
			if err := f.tree(c, keys[i], max, depth+1); err != nil {
				return err
			}
		}
		return nil
	case boltLeafPage:
		return f.leaf(p, fmt.Sprintf("page %d", id), lo, hi, depth, false)
	default:
		return fmt.Errorf("page %d: not a branch or leaf page (flags %#x)", id, fl)
	}
}

// elements returns the count elements of page p, each as the slice of p
// from the element on (the element's pos is relative to it).
func elements(p []byte) ([][]byte, error) {
	n := int(bo.Uint16(p[10:]))
	if boltPageHeader+n*boltElement > len(p) {
		return nil, fmt.Errorf("%d elements do not fit in %d bytes", n, len(p))
	}
	els := make([][]byte, n)
	for i := range els {
		els[i] = p[boltPageHeader+i*boltElement:]
	}
	return els, nil
}

// holdsBuckets reports whether leaf page p has bucket elements.
func holdsBuckets(p []byte) bool {
	els, err := elements(p)
	if err != nil {
		return false
	}
	for _, e := range els {
		if bo.Uint32(e) == boltBucketLeaf {
			return true
		}
	}
	return false
}

// span returns the n bytes at offset pos of e, checking the bounds.
func span(e []byte, pos, n uint32) ([]byte, error) {
	if uint64(pos)+uint64(n) > uint64(len(e)) {
		return nil, fmt.Errorf("element data at %d+%d runs past the page", pos, n)
	}
	return e[pos : pos+n], nil
}

func branchElements(p []byte) (keys [][]byte, children []uint64, err error) {
	els, err := elements(p)
	if err != nil {
		return nil, nil, err
	}
	if len(els) == 0 {
		return nil, nil, errors.New("branch page without elements")
	}
	for _, e := range els {
		k, err := span(e, bo.Uint32(e), bo.Uint32(e[4:]))
		if err != nil {
			return nil, nil, err
		}
		keys, children = append(keys, k), append(children, bo.Uint64(e[8:]))
	}
	return keys, children, nil
}

// leaf checks the elements of the leaf page p (where says which, for the
// errors) and the buckets they hold; an inline bucket's page (inline)
// holds no buckets.
func (f *boltFile) leaf(p []byte, where string, lo, hi []byte, depth int, inline bool) error {
	els, err := elements(p)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	keys := make([][]byte, len(els))
	for i, e := range els {
		flags := bo.Uint32(e)
		k, err := span(e, bo.Uint32(e[4:]), bo.Uint32(e[8:]))
		if err == nil {
			keys[i] = k
			_, err = span(e, bo.Uint32(e[4:])+bo.Uint32(e[8:]), bo.Uint32(e[12:]))
		}
		if err == nil && flags != 0 && (flags != boltBucketLeaf || inline) {
			err = fmt.Errorf("element %d has flags %#x", i, flags)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	if err := checkKeyOrder(keys, lo, hi); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	for _, e := range els {
		if bo.Uint32(e) == boltBucketLeaf {
			k, _ := span(e, bo.Uint32(e[4:]), bo.Uint32(e[8:]))
			v, _ := span(e, bo.Uint32(e[4:])+bo.Uint32(e[8:]), bo.Uint32(e[12:]))
			if err := f.bucket(k, v, depth); err != nil {
				return err
			}
		}
	}
	return nil
}

// bucket checks the bucket named k whose header and inline page are v.
func (f *boltFile) bucket(k, v []byte, depth int) error {
	if len(v) < boltBucketHeader {
		return fmt.Errorf("bucket %q: header of %d bytes", k, len(v))
	}
	if root := bo.Uint64(v); root != 0 {
		if err := f.tree(root, nil, nil, depth+1); err != nil {
			return fmt.Errorf("bucket %q: %w", k, err)
		}
		return nil
	}
	inl := v[boltBucketHeader:]
	if len(inl) < boltPageHeader || bo.Uint16(inl[8:]) != boltLeafPage {
		return fmt.Errorf("bucket %q: inline page is not a leaf page", k)
	}
	return f.leaf(inl, fmt.Sprintf("bucket %q: inline page", k), nil, nil, depth+1, true)
}

// checkKeyOrder checks that keys ascend strictly within [lo, hi).
func checkKeyOrder(keys [][]byte, lo, hi []byte) error {
	for i, k := range keys {
		switch {
		case i == 0 && lo != nil && bytes.Compare(k, lo) < 0:
			return fmt.Errorf("key %q is below its parent's %q", k, lo)
		case i > 0 && bytes.Compare(keys[i-1], k) >= 0:
			return fmt.Errorf("key %q does not follow %q", k, keys[i-1])
		case hi != nil && bytes.Compare(k, hi) >= 0:
			return fmt.Errorf("key %q is not below the next parent key %q", k, hi)
		}
	}
	return nil
}
