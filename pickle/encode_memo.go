package pickle

import "math/bits"

// memoTable maps the identities of memoized values to their memo indexes
// once an encoding has memoized more than a few: an open-addressing hash
// table on the address, which costs a few nanoseconds where a Go map of
// idents (an interface inside) costs tens. It lives in the pooled encState,
// so that steady encoding allocates nothing for it.
type memoTable struct {
	slots []memoEntry // a power of two long; free slots have a nil id.p
	used  int
	shift uint // 64 - log2(len(slots))
}

// slot returns where id is or would go.
func (m *memoTable) slot(id ident) *memoEntry {
	mask := uint64(len(m.slots) - 1)
	// Fibonacci hashing of the address; values sharing an address (a
	// tuple and its prefix, a struct and its first field) probe on.
	for i := (uint64(uintptr(id.p)) * 0x9e3779b97f4a7c15) >> m.shift; ; i = (i + 1) & mask {
		e := &m.slots[i]
		if e.id.p == nil || e.id == id {
			return e
		}
	}
}

func (m *memoTable) lookup(id ident) (int, bool) {
	e := m.slot(id)
	return e.idx, e.id.p != nil
}

// put records id under idx, replacing an earlier entry for id.
func (m *memoTable) put(id ident, idx int) {
	if 2*(m.used+1) > len(m.slots) {
		m.grow()
	}
	e := m.slot(id)
	if e.id.p == nil {
		m.used++
	}
	*e = memoEntry{id, idx}
}

func (m *memoTable) grow() {
	old := m.slots
	n := max(64, 2*len(old))
	m.slots = make([]memoEntry, n)
	m.shift = uint(64 - bits.TrailingZeros(uint(n)))
	for _, e := range old {
		if e.id.p != nil {
			*m.slot(e.id) = e
		}
	}
}

// reset empties the table for the next encoding, dropping it if large.
func (m *memoTable) reset() {
	if len(m.slots) > maxPooledItems {
		*m = memoTable{}
		return
	}
	if m.used > 0 {
		clear(m.slots)
		m.used = 0
	}
}
