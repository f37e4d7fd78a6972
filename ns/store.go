package ns

import (
	"context"
	"errors"
)

// Record is one node of the name space as a Store keeps it.
type Record struct {
	// Name is the absolute name; ":" is the root group (stored only for its
	// meta data).
	Name string
	// Group is true for a group, false for a name bound to a URI.
	Group bool
	// URI is the bound URI string (names only).
	URI string
	// Created is the creation time in seconds since the epoch: the timestamp
	// of the node's system meta data unless SysMeta is set.
	Created float64
	// SysMeta is the pickled system meta data set with _setSystemMeta, nil
	// when it was never set.
	SysMeta []byte
	// UserMeta is the pickled user meta data, nil for None.
	UserMeta []byte
	// Rev is the revision a store with revisions (EtcdStore) last changed
	// the record at; 0 in others.
	Rev int64
}

// OpKind says what an Op does.
type OpKind uint8

const (
	// OpPut creates or replaces Record.
	OpPut OpKind = iota + 1
	// OpDelete removes the record named Record.Name.
	OpDelete
	// OpDeleteTree removes the record named Record.Name and every record
	// below it (names starting with Record.Name + "."); ":" removes all.
	OpDeleteTree
)

// Op is one change to a Store.
type Op struct {
	Kind   OpKind
	Record Record
	// Expect is, for a Put replacing a record and a Delete, the Rev of the
	// record the Namespace validated the op against; 0 for a Put means the
	// record must not exist. A store shared with other writers applies the
	// batch only if that still holds (else ErrStoreConflict); others
	// ignore it.
	Expect int64
	// mem is the node a Put of the Namespace's own makes, with its meta
	// data already decoded; nil for ops that come from a store.
	mem *node
}

// ErrStoreUnavailable, wrapped in the error of an Apply, says the store
// cannot take changes now (its server is unreachable, it has no quorum)
// and nothing of the batch was applied: the Namespace refuses that one
// change with a NamingError that says why and goes on serving, and later
// changes are tried again.
var ErrStoreUnavailable = errors.New("store unavailable")

// A Store keeps the name space durably. The Namespace holds the whole name
// space in memory; every change is validated, applied to the Store, and
// applied to memory only once the Store confirmed it. Implementations must
// be safe for concurrent use.
type Store interface {
	// Apply applies ops atomically, after every batch passed to earlier
	// Apply calls, and returns a channel that receives nil once the batch is
	// durable, or the error that prevented it (then nothing of the batch is
	// applied). An error wrapping ErrStoreUnavailable refuses just that
	// batch; one wrapping a *compat.NamingError (a store shared with other
	// front ends that finds the change no longer valid, a name created
	// there meanwhile) is the answer the caller gets. Apply itself must not
	// block on durability, so that concurrent writers can share one commit.
	Apply(ops []Op) <-chan error
	// Load calls fn for every record, parents before their children.
	Load(fn func(Record) error) error
	// Setting returns a value stored under key by SetSetting ("" and false
	// when there is none).
	Setting(key string) (string, bool, error)
	// SetSetting durably stores value under key.
	SetSetting(key, value string) error
	// Close releases the store once every applied batch is durable.
	Close() error
}

// A WatchStore is a Store shared with other writers (other front ends on
// one store). Its changes reach the Namespace's memory through Watch
// alone, its own included, so that memory follows the store's order.
type WatchStore interface {
	Store
	// Watch calls fn, one batch at a time and in the store's order, with
	// each batch of ops applied after the records Load returned, until ctx
	// is done. Parents are put before their children. Apply reports a
	// batch done, and ErrStoreConflict, only once fn was called for every
	// batch up to it.
	Watch(ctx context.Context, fn func([]Op)) error
}
