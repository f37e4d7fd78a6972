package ns

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
}

// A Store keeps the name space durably. The Namespace holds the whole name
// space in memory and writes every change through to its Store; the Store is
// read only when a Namespace is created. Implementations must be safe for
// concurrent use.
type Store interface {
	// Apply applies ops atomically, after every batch passed to earlier
	// Apply calls, and returns a channel that receives nil once the batch is
	// durable (or the error that prevented it). Apply itself must not block
	// on durability, so that concurrent writers can share one commit.
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
