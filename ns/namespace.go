package ns

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/metrics"
	"github.com/gopyro/gopyro/pickle"
)

// node is a group or a name of the in-memory name space.
type node struct {
	group    bool
	children map[string]*node // groups only
	uri      compat.URI       // names only
	created  float64
	meta     *nodeMeta // nil for the usual node without meta data
	rev      int64     // Record.Rev: the store revision of its last change
}

// nodeMeta is the meta data of a node that has any.
type nodeMeta struct {
	sys  any // set by _setSystemMeta; nil means synthesised
	user any // nil means None
	// sysRaw and userRaw are the pickles of sys and user, kept so that a
	// record can be rewritten without pickling again.
	sysRaw, userRaw []byte
}

func (nd *node) sysMeta() any {
	if nd.meta == nil {
		return nil
	}
	return nd.meta.sys
}

func (nd *node) userMeta() any {
	if nd.meta == nil {
		return nil
	}
	return nd.meta.user
}

func (nd *node) setSysMeta(v any, raw []byte) {
	if nd.meta == nil {
		nd.meta = &nodeMeta{}
	}
	nd.meta.sys, nd.meta.sysRaw = v, raw
}

func (nd *node) setUserMeta(v any, raw []byte) {
	if nd.meta == nil {
		if raw == nil {
			return
		}
		nd.meta = &nodeMeta{}
	}
	nd.meta.user, nd.meta.userRaw = v, raw
	if raw == nil {
		nd.meta.user = nil
	}
}

// Child is one entry of a group listing: Pyro's (name, 0) for a group and
// (name, 1) for a name.
type Child struct {
	Name string
	Type int
}

// Binding is one entry of a flat listing: an absolute name and its URI.
type Binding struct {
	Name string
	URI  compat.URI
}

// Change is a successful mutation, in the form Pyro replicates it to a twin
// Name Server with _synccall: the method name and its arguments.
type Change struct {
	Method string
	Args   []any
}

// Options configure a Namespace.
type Options struct {
	// Store keeps the name space; nil keeps it in memory only (like
	// Pyro's NameServer without -d), with nothing stored twice.
	Store Store
	// DefaultGroup expands relative names that reach the server; "" means
	// ":Default". It is created at start, as is ":Pyro".
	DefaultGroup string
	// ResolveHost turns the host of a URI given as a string into the address
	// stored, as Pyro does with gethostbyname; nil keeps hosts as given.
	ResolveHost func(host string) (string, error)
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Metrics, if set, receives the name server's figures: names, groups,
	// operations (counted by Server) and store commit latency.
	Metrics metrics.Registry
}

// Namespace is Pyro's hierarchical name space: groups holding names bound to
// URIs and other groups, each with user and system meta data. Its methods
// have the semantics, results and errors of the methods of Pyro 3.16's Name
// Server object (Pyro.naming.NameServer). Reads come from memory; every
// change is validated, applied to the Store, and applied to memory (and
// acknowledged) only once the Store confirmed it. A Namespace is safe for
// concurrent use.
type Namespace struct {
	*nsState
	quiet bool // changes are not passed to the OnChange function
}

type nsState struct {
	mu           sync.RWMutex
	root         *node
	store        Store
	defaultGroup string
	resolveHost  func(string) (string, error)
	now          func() time.Time
	failed       error // the last store commit failed (cleared by one that succeeds)
	onChange     func(Change)
	// pending are the batches given to the store and not yet answered; a
	// change touching one of their names waits for it (see conflicting).
	pending []*pendingBatch
	// stopWatch ends the watch of a WatchStore (nil without one).
	stopWatch context.CancelFunc
	metrics   *metrics.NameServer // nil without Options.Metrics
	// strs interns the protocol and address strings of stored URIs, which
	// few distinct values take, so 100k names do not hold 100k copies.
	strs map[string]string
}

// maxInterned bounds strs; later distinct strings are kept as they are.
const maxInterned = 4096

// intern returns the shared copy of s; n.mu must be held for writing.
func (n *Namespace) intern(s string) string {
	if v, ok := n.strs[s]; ok {
		return v
	}
	if n.strs == nil {
		n.strs = make(map[string]string)
	}
	if len(n.strs) < maxInterned {
		n.strs[s] = s
	}
	return s
}

// NewNamespace loads the name space kept in opts.Store and makes sure the
// groups ":Pyro" and the default group exist.
func NewNamespace(opts Options) (*Namespace, error) {
	n := &Namespace{nsState: &nsState{
		store:        opts.Store,
		defaultGroup: opts.DefaultGroup,
		resolveHost:  opts.ResolveHost,
		now:          opts.Now,
	}}
	if n.defaultGroup == "" {
		n.defaultGroup = DefaultGroup
	}
	if n.now == nil {
		n.now = time.Now
	}
	n.root = &node{group: true, children: make(map[string]*node), created: n.timestamp()}
	if n.store != nil {
		if err := n.store.Load(n.loadRecord); err != nil {
			return nil, fmt.Errorf("ns: loading the name space: %w", err)
		}
	}
	if ws, ok := n.store.(WatchStore); ok {
		ctx, cancel := context.WithCancel(context.Background())
		n.stopWatch = cancel
		go ws.Watch(ctx, n.applyRemote)
	}
	for _, g := range []string{PyroGroup, n.defaultGroup} {
		if err := n.CreateGroup(g); err != nil && !isNamingError(err) {
			return nil, err
		}
	}
	if opts.Metrics != nil {
		m, err := metrics.NewNameServer(opts.Metrics, n.Len)
		if err != nil {
			return nil, fmt.Errorf("ns: metrics: %w", err)
		}
		n.metrics = m
	}
	return n, nil
}

// Close stops following the changes others make to a WatchStore; the
// Namespace goes on answering from memory. The Store is the caller's to
// close.
func (n *Namespace) Close() {
	if n.stopWatch != nil {
		n.stopWatch()
	}
}

func isNamingError(err error) bool {
	_, ok := err.(*compat.NamingError)
	return ok
}

// loadRecord inserts a stored record (Load's callback).
func (n *Namespace) loadRecord(r Record) error {
	n.applyOp(Op{Kind: OpPut, Record: r})
	return nil
}

// nodeOf makes the node of a stored record, nil if its URI is unreadable;
// meta data that does not unpickle is left out, so that a damaged store
// still loads.
func (n *Namespace) nodeOf(r Record) *node {
	nd := &node{group: r.Group, created: r.Created, rev: r.Rev}
	if r.Group {
		nd.children = make(map[string]*node)
	} else {
		u, err := compat.ParseURI(r.URI)
		if err != nil {
			return nil
		}
		u.Protocol, u.Address = n.intern(u.Protocol), n.intern(u.Address)
		nd.uri = u
	}
	if r.SysMeta != nil {
		if v, err := pickle.Decode(r.SysMeta); err == nil {
			nd.setSysMeta(v, r.SysMeta)
		}
	}
	if r.UserMeta != nil {
		if v, err := pickle.Decode(r.UserMeta); err == nil {
			nd.setUserMeta(v, r.UserMeta)
		}
	}
	return nd
}

// applyOp makes a confirmed store op in memory, with n.mu held for writing
// (or before the Namespace is shared). A Put creates or replaces a node
// (a group replaced by a group keeps its children); a Put whose parent is
// missing or no group is skipped, as are deletes of missing nodes.
func (n *Namespace) applyOp(op Op) {
	name := op.Record.Name
	switch op.Kind {
	case OpPut:
		nd := op.mem
		if nd == nil {
			if nd = n.nodeOf(op.Record); nd == nil {
				return
			}
		}
		if name == ":" {
			n.root.created, n.root.meta, n.root.rev = nd.created, nd.meta, nd.rev
			return
		}
		p, last, ok := n.parentOf(name)
		if !ok {
			return
		}
		if old := p.children[last]; old != nil && old.group && nd.group {
			old.created, old.meta, old.rev = nd.created, nd.meta, nd.rev
			return
		}
		p.children[last] = nd
	case OpDelete, OpDeleteTree:
		if name == ":" {
			clear(n.root.children)
			n.root.meta = nil
			return
		}
		if p, last, ok := n.parentOf(name); ok {
			delete(p.children, last)
		}
	}
}

// parentOf returns the group holding the absolute name and the name's last
// component; false if there is no such group.
func (n *Namespace) parentOf(name string) (*node, string, bool) {
	parent, last, inRoot := splitLast(name)
	p := n.root
	if !inRoot {
		var berr branchError
		if p, berr = n.getBranch(parent); berr != branchOK {
			return nil, "", false
		}
	}
	return p, last, p.group && last != ""
}

// applyRemote applies a batch committed to a WatchStore.
func (n *Namespace) applyRemote(ops []Op) {
	n.mu.Lock()
	for _, op := range ops {
		n.applyOp(op)
	}
	n.mu.Unlock()
}

// OnChange sets a function called, in order and with the Namespace locked,
// after every successful change (for replication to a twin). It must not
// block or call back into the Namespace.
func (n *Namespace) OnChange(fn func(Change)) {
	n.mu.Lock()
	n.onChange = fn
	n.mu.Unlock()
}

// Quiet returns a view of the same name space whose changes are not passed
// to the OnChange function: for applying changes that came from the twin.
func (n *Namespace) Quiet() *Namespace { return &Namespace{nsState: n.nsState, quiet: true} }

// DefaultGroupName returns the group that relative names are expanded into.
func (n *Namespace) DefaultGroupName() string { return n.defaultGroup }

func (n *Namespace) timestamp() float64 {
	t := n.now()
	return float64(t.UnixNano()) / 1e9
}

// branchError says why getBranch failed, mirroring the Python exception
// Pyro's reduce(lambda x,y: x[y], ...) raises.
type branchError int

const (
	branchOK      branchError = iota
	branchMissing             // KeyError
	branchThrough             // TypeError: indexing a NameValue
)

// getBranch is Pyro's NameServer.getBranch on an absolute name.
func (n *Namespace) getBranch(name string) (*node, branchError) {
	path := name[1:]
	if path == "" {
		return n.root, branchOK
	}
	cur := n.root
	for {
		if !cur.group {
			return nil, branchThrough
		}
		i := strings.IndexByte(path, '.')
		comp := path
		if i >= 0 {
			comp = path[:i]
		}
		next := cur.children[comp]
		if next == nil {
			return nil, branchMissing
		}
		cur = next
		if i < 0 {
			return cur, branchOK
		}
		path = path[i+1:]
	}
}

// throughLeaf is the TypeError Python raises when a name is used as a group
// on the way to another name.
func throughLeaf() error {
	return compat.TypeError("'NameValue' object has no attribute '__getitem__'")
}

// locate is Pyro's locateGrpAndName: the parent node and last component.
func (n *Namespace) locate(name string) (*node, string, error) {
	parent, last, inRoot := splitLast(name)
	if inRoot {
		return n.root, last, nil
	}
	p, berr := n.getBranch(parent)
	switch berr {
	case branchMissing:
		return nil, "", compat.NewNamingError("(parent)group not found", parent)
	case branchThrough:
		return nil, "", throughLeaf()
	}
	return p, last, nil
}

// locateLeaf is locate for a name that must not be the root: name is the
// caller's spelling, which the error names.
func (n *Namespace) locateLeaf(name, full string) (*node, string, error) {
	parent, last, err := n.locate(full)
	if err == nil && last == "" {
		err = compat.NewNamingError("invalid name", name)
	}
	return parent, last, err
}

func (n *Namespace) validate(name string) (string, error) {
	return ValidateName(name, n.defaultGroup)
}

// update makes one change. With n.mu held for writing, change validates
// it against memory, without changing memory, and returns the store ops
// that make it and the Change replicated to a twin; update gives the ops
// to the store, waits for its answer with n.mu released, and only once the
// store confirmed them applies them to memory and passes the Change on.
// An error from change is returned as it is, nothing committed.
func (n *Namespace) update(change func() ([]Op, Change, error)) error {
	return n.updateMany(func() ([]Op, []Change, error) {
		ops, ch, err := change()
		return ops, []Change{ch}, err
	})
}

// pendingBatch is a batch given to the store and not yet answered.
type pendingBatch struct {
	ops  []Op
	done chan struct{} // closed once answered
}

// updateMany is update for a change replicated as several Changes; one
// without ops commits nothing.
//
// Changes whose names are apart are committed concurrently (the store
// shares one commit among them); a change touching a name of a pending
// batch (the same name, one inside the other's group, or the root) waits
// for that batch and is validated again, so that what it was validated
// against is what the store holds when it commits.
func (n *Namespace) updateMany(change func() ([]Op, []Change, error)) error {
	_, watched := n.store.(WatchStore)
	conflicts := 0
	n.mu.Lock()
	for {
		ops, chs, err := change()
		if err != nil || len(ops) == 0 {
			n.mu.Unlock()
			return err
		}
		if n.store == nil {
			n.applyLocal(ops, chs)
			n.mu.Unlock()
			return nil
		}
		if busy := n.conflicting(ops); busy != nil {
			n.mu.Unlock()
			<-busy
			n.mu.Lock()
			continue
		}
		p := &pendingBatch{ops: ops, done: make(chan struct{})}
		n.pending = append(n.pending, p)
		done := n.store.Apply(ops)
		n.mu.Unlock()
		start := time.Now()
		err = <-done
		if done != closedDone {
			n.metrics.Committed(start)
		}
		n.mu.Lock()
		n.pending = slicesDelete(n.pending, p)
		close(p.done)
		if errors.Is(err, ErrStoreConflict) && conflicts < maxConflicts {
			// memory has caught up with what the other writer did
			conflicts++
			continue
		}
		n.failed = err
		if err == nil {
			if watched {
				ops = nil // the watch has applied them
			}
			n.applyLocal(ops, chs)
		}
		n.mu.Unlock()
		return storeError(err)
	}
}

// maxConflicts bounds how often one change is validated again because
// another writer of a shared store got there first.
const maxConflicts = 16

// slicesDelete returns ps without p.
func slicesDelete(ps []*pendingBatch, p *pendingBatch) []*pendingBatch {
	for i, q := range ps {
		if q == p {
			return append(ps[:i], ps[i+1:]...)
		}
	}
	return ps
}

// applyLocal applies a confirmed batch of this Namespace's own to memory
// and passes its Changes to the OnChange function, with n.mu held.
func (n *Namespace) applyLocal(ops []Op, chs []Change) {
	for _, op := range ops {
		n.applyOp(op)
	}
	for _, ch := range chs {
		if n.onChange != nil && !n.quiet && ch.Method != "" {
			n.onChange(ch)
		}
	}
}

// conflicting returns the done channel of a pending batch that touches a
// name of ops, nil if there is none; n.mu must be held.
func (n *Namespace) conflicting(ops []Op) <-chan struct{} {
	for _, p := range n.pending {
		for _, a := range p.ops {
			for _, b := range ops {
				if related(a.Record.Name, b.Record.Name) {
					return p.done
				}
			}
		}
	}
	return nil
}

// related reports whether two absolute names are the same, or one lies in
// the other's group (the root holds everything).
func related(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return a == ":" || a == b || strings.HasPrefix(b, a) && b[len(a)] == '.'
}

// storeError is the answer to a change the store did not confirm: its own
// NamingError for a change it found invalid, a NamingError saying the
// change is refused for now if it is unavailable, else 'storage failure'.
func storeError(err error) error {
	if err == nil {
		return nil
	}
	var ne *compat.NamingError
	if errors.As(err, &ne) {
		return ne
	}
	if errors.Is(err, ErrStoreUnavailable) {
		return compat.NewNamingError("store unavailable, change refused (try again later)", err.Error())
	}
	return compat.NewNamingError("storage failure", err.Error())
}

// Healthy returns nil while the name space accepts changes, else the
// NamingError the last change got from the store (until one succeeds).
func (n *Namespace) Healthy() error {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return storeError(n.failed)
}

// parseURI is Pyro's validateURI: a URI is taken as is, a string is parsed
// (with its host resolved); anything else is NamingError('invalid URI', uri).
func (n *Namespace) parseURI(v any) (compat.URI, error) {
	switch u := v.(type) {
	case compat.URI:
		return u, nil
	case *compat.URI:
		if u != nil {
			return *u, nil
		}
	case string, pickle.ByteString:
		var s string
		if b, ok := u.(pickle.ByteString); ok {
			s = string(b)
		} else {
			s = u.(string)
		}
		parsed, err := compat.ParseURI(s)
		if err != nil || parsed.Protocol == "PYRONAME" {
			break
		}
		if n.resolveHost != nil {
			addr, err := n.resolveHost(parsed.Address)
			if err != nil || addr == "" {
				break
			}
			parsed.Address = addr
		}
		return parsed, nil
	}
	return compat.URI{}, compat.NewNamingError("invalid URI", v)
}

// Register binds name to uri (a compat.URI or a URI string), as Pyro's
// NameServer.register.
func (n *Namespace) Register(name string, uri any) error {
	full, err := n.validate(name)
	if err != nil {
		return err
	}
	if err := checkLength(full); err != nil {
		return err
	}
	u, err := n.parseURI(uri)
	if err != nil {
		return err
	}
	return n.update(func() ([]Op, Change, error) {
		parent, last, err := n.locateLeaf(name, full)
		if err != nil {
			return nil, Change{}, err
		}
		if !parent.group {
			_, pname, _ := splitLast(full[:len(full)-len(last)-1])
			return nil, Change{}, compat.NewNamingError("parent is no group", pname)
		}
		if _, exists := parent.children[last]; exists {
			return nil, Change{}, compat.NewNamingError("name already exists", last)
		}
		u.Protocol, u.Address = n.intern(u.Protocol), n.intern(u.Address)
		nd := &node{uri: u, created: n.timestamp()}
		return []Op{{Kind: OpPut, Record: Record{Name: full, URI: u.String(), Created: nd.created}, mem: nd}},
			Change{Method: "register", Args: []any{name, u}}, nil
	})
}

// Unregister removes the binding of name, as Pyro's NameServer.unregister.
func (n *Namespace) Unregister(name string) error {
	full, err := n.validate(name)
	if err != nil {
		return err
	}
	return n.update(func() ([]Op, Change, error) {
		parent, last, err := n.locateLeaf(name, full)
		if err != nil {
			return nil, Change{}, err
		}
		if !parent.group {
			return nil, Change{}, compat.AttributeError("'NameValue' object has no attribute 'cutleaf'")
		}
		nd, ok := parent.children[last]
		switch {
		case !ok:
			return nil, Change{}, compat.NewNamingError("name not found", last)
		case nd.group:
			return nil, Change{}, compat.NewNamingError("is a group, not an object", last)
		}
		return []Op{{Kind: OpDelete, Record: Record{Name: full}, Expect: nd.rev}},
			Change{Method: "unregister", Args: []any{name}}, nil
	})
}

// Resolve returns the URI bound to name, as Pyro's NameServer.resolve.
func (n *Namespace) Resolve(name string) (compat.URI, error) {
	full, err := n.validate(name)
	if err != nil {
		return compat.URI{}, err
	}
	n.mu.RLock()
	nd, berr := n.getBranch(full)
	var u compat.URI
	isGroup := nd != nil && nd.group
	if nd != nil {
		u = nd.uri
	}
	n.mu.RUnlock()
	switch {
	case berr == branchMissing:
		return compat.URI{}, compat.NewNamingError("name not found", full)
	case berr == branchThrough:
		return compat.URI{}, throughLeaf()
	case isGroup:
		return compat.URI{}, compat.NewNamingError("attempt to resolve groupname", full)
	}
	return u, nil
}

// Flatlist returns every name (not groups) with its URI, sorted by name.
func (n *Namespace) Flatlist() []Binding {
	n.mu.RLock()
	var out []Binding
	var walk func(prefix string, g *node)
	walk = func(prefix string, g *node) {
		for k, c := range g.children {
			if c.group {
				walk(prefix+k+".", c)
			} else {
				out = append(out, Binding{Name: prefix + k, URI: c.uri})
			}
		}
	}
	walk(":", n.root)
	n.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Len returns the number of names and groups (the root not counted).
func (n *Namespace) Len() (names, groups int) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	var walk func(g *node)
	walk = func(g *node) {
		for _, c := range g.children {
			if c.group {
				groups++
				walk(c)
			} else {
				names++
			}
		}
	}
	walk(n.root)
	return names, groups
}

// CreateGroup creates a group, as Pyro's NameServer.createGroup.
func (n *Namespace) CreateGroup(groupname string) error {
	full, err := n.validate(groupname)
	if err != nil {
		return err
	}
	if len(full) < 2 {
		return compat.NewNamingError("invalid groupname", full)
	}
	if err := checkLength(full); err != nil {
		return err
	}
	return n.update(func() ([]Op, Change, error) {
		parent, last, err := n.locate(full)
		if err != nil {
			return nil, Change{}, err
		}
		if !parent.group {
			return nil, Change{}, compat.NewNamingError("parent is no group", full)
		}
		if _, exists := parent.children[last]; exists {
			return nil, Change{}, compat.NewNamingError("group already exists", last)
		}
		nd := &node{group: true, children: make(map[string]*node), created: n.timestamp()}
		return []Op{{Kind: OpPut, Record: Record{Name: full, Group: true, Created: nd.created}, mem: nd}},
			Change{Method: "createGroup", Args: []any{full}}, nil
	})
}

// DeleteGroup deletes a group and everything in it, as Pyro's
// NameServer.deleteGroup.
func (n *Namespace) DeleteGroup(groupname string) error {
	full, err := n.validate(groupname)
	if err != nil {
		return err
	}
	if full == ":" {
		return compat.NewNamingError("not allowed to delete root group")
	}
	return n.update(func() ([]Op, Change, error) {
		parent, last, err := n.locate(full)
		if err != nil {
			return nil, Change{}, err
		}
		if !parent.group {
			return nil, Change{}, compat.AttributeError("'NameValue' object has no attribute 'cutbranch'")
		}
		nd, ok := parent.children[last]
		switch {
		case !ok:
			return nil, Change{}, compat.NewNamingError("group not found", full)
		case !nd.group:
			return nil, Change{}, compat.NewNamingError("is no group", full)
		}
		return []Op{{Kind: OpDeleteTree, Record: Record{Name: full}}},
			Change{Method: "deleteGroup", Args: []any{full}}, nil
	})
}

// List returns the direct children of a group, sorted by name, as Pyro's
// NameServer.list; "" lists the root.
func (n *Namespace) List(groupname string) ([]Child, error) {
	if groupname == "" {
		groupname = ":"
	}
	full, err := n.validate(groupname)
	if err != nil {
		return nil, err
	}
	n.mu.RLock()
	nd, berr := n.getBranch(full)
	var out []Child
	if berr == branchOK && nd.group {
		out = make([]Child, 0, len(nd.children))
		for k, c := range nd.children {
			t := 1
			if c.group {
				t = 0
			}
			out = append(out, Child{Name: k, Type: t})
		}
	}
	n.mu.RUnlock()
	switch {
	case berr == branchMissing:
		return nil, compat.NewNamingError("group not found", full)
	case berr == branchThrough:
		return nil, throughLeaf()
	case !nd.group:
		return nil, compat.NewNamingError("is no group", full)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// branchFor finds the node for a meta data call, with Pyro's errors.
func (n *Namespace) branchFor(full string) (*node, error) {
	nd, berr := n.getBranch(full)
	switch berr {
	case branchMissing:
		return nil, compat.NewNamingError("name not found", full)
	case branchThrough:
		return nil, throughLeaf()
	}
	return nd, nil
}

// record returns the store record of a node.
func record(full string, nd *node) Record {
	r := Record{Name: full, Group: nd.group, Created: nd.created}
	if nd.meta != nil {
		r.SysMeta, r.UserMeta = nd.meta.sysRaw, nd.meta.userRaw
	}
	if !nd.group {
		r.URI = nd.uri.String()
	}
	return r
}

// SetMeta sets the user meta data of a group or name (any picklable value;
// None clears it), as Pyro's NameServer.setMeta.
func (n *Namespace) SetMeta(name string, meta any) error {
	full, err := n.validate(name)
	if err != nil {
		return err
	}
	var raw []byte
	if _, isNone := meta.(pickle.None); meta != nil && !isNone {
		if raw, err = pickle.Marshal(meta); err != nil {
			return compat.TypeError(fmt.Sprintf("can't store meta data: %v", err))
		}
	}
	return n.updateMeta(full, Change{Method: "setMeta", Args: []any{full, meta}},
		func(nd *node) { nd.setUserMeta(meta, raw) })
}

// updateMeta stores the node of the group or name full with set applied
// and replicates change.
func (n *Namespace) updateMeta(full string, change Change, set func(*node)) error {
	return n.update(func() ([]Op, Change, error) {
		nd, err := n.branchFor(full)
		if err != nil {
			return nil, Change{}, err
		}
		return []Op{putChanged(full, nd, set)}, change, nil
	})
}

// putChanged is the Put of a copy of the node nd of full with set applied
// to it (nd itself is left as it is until the store confirms the Put).
func putChanged(full string, nd *node, set func(*node)) Op {
	cp := &node{group: nd.group, uri: nd.uri, created: nd.created}
	if nd.meta != nil {
		m := *nd.meta
		cp.meta = &m
	}
	set(cp)
	return Op{Kind: OpPut, Record: record(full, cp), mem: cp, Expect: nd.rev}
}

// GetMeta returns the user meta data of a group or name (pickle.None{} when
// there is none), as Pyro's NameServer.getMeta.
func (n *Namespace) GetMeta(name string) (any, error) {
	return n.readMeta(name, func(nd *node) any {
		if m := nd.userMeta(); m != nil {
			return m
		}
		return pickle.None{}
	})
}

// readMeta returns what get makes of the node of the group or name, read
// with n.mu held.
func (n *Namespace) readMeta(name string, get func(*node) any) (any, error) {
	full, err := n.validate(name)
	if err != nil {
		return nil, err
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	nd, err := n.branchFor(full)
	if err != nil {
		return nil, err
	}
	return get(nd), nil
}

// SetSystemMeta replaces the system meta data of a group or name; meta must
// be a Pyro.naming.NameSpaceSystemMeta instance (else Python's TypeError),
// as Pyro's NameServer._setSystemMeta.
func (n *Namespace) SetSystemMeta(name string, meta any) error {
	full, err := n.validate(name)
	if err != nil {
		return err
	}
	// Pyro reports a missing name before a wrong meta type.
	n.mu.RLock()
	_, err = n.branchFor(full)
	n.mu.RUnlock()
	if err != nil {
		return err
	}
	if !isSystemMeta(meta) {
		return compat.TypeError("system meta info must be NameSpaceSystemMeta object")
	}
	raw, err := pickle.Marshal(meta)
	if err != nil {
		return compat.TypeError(fmt.Sprintf("can't store meta data: %v", err))
	}
	return n.updateMeta(full, Change{Method: "_setSystemMeta", Args: []any{full, meta}},
		func(nd *node) { nd.setSysMeta(meta, raw) })
}

// GetSystemMeta returns the system meta data of a group or name: a
// Pyro.naming.NameSpaceSystemMeta instance, as Pyro's
// NameServer._getSystemMeta.
func (n *Namespace) GetSystemMeta(name string) (any, error) {
	return n.readMeta(name, func(nd *node) any {
		if m := nd.sysMeta(); m != nil {
			return m
		}
		return systemMeta(nd.group, nd.created)
	})
}
