package ns

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// dumpLocked returns the whole name space as Pyro's _resync answers it:
// the root NamedTree object graph, or with tuples the persistent Name
// Server's ([(group, sysmeta, usermeta)...], [(name, uri, sysmeta,
// usermeta)...]). n.mu must be held.
func (n *Namespace) dumpLocked(tuples bool) any {
	if !tuples {
		return treeObject("<root>", n.root)
	}
	var groups, names []any
	var walk func(full string, nd *node)
	walk = func(full string, nd *node) {
		if nd.group {
			groups = append(groups, pickle.Tuple{pickle.ByteString(full), nodeSysMeta(nd), nodeUserMeta(nd)})
			keys := make([]string, 0, len(nd.children))
			for k := range nd.children {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				child := full + "." + k
				if full == ":" {
					child = ":" + k
				}
				walk(child, nd.children[k])
			}
			return
		}
		names = append(names, pickle.Tuple{pickle.ByteString(full), pickle.ByteString(nd.uri.String()), nodeSysMeta(nd), nodeUserMeta(nd)})
	}
	walk(":", n.root)
	return pickle.Tuple{&pickle.List{Items: groups}, &pickle.List{Items: names}}
}

func nodeSysMeta(nd *node) any {
	if nd.sysMeta != nil {
		return nd.sysMeta
	}
	return systemMeta(nd.group, nd.created)
}

func nodeUserMeta(nd *node) any {
	if nd.userMeta == nil {
		return pickle.None{}
	}
	return nd.userMeta
}

func treeObject(name string, nd *node) *pickle.Object {
	if !nd.group {
		return newInstance(nameValueClass, "name", pickle.ByteString(name), "systemMeta", nodeSysMeta(nd),
			"userMeta", nodeUserMeta(nd), "value", nd.uri)
	}
	branches := pickle.NewDict()
	for k, c := range nd.children {
		branches.Set(pickle.ByteString(k), treeObject(k, c))
	}
	return newInstance(namedTreeClass, "name", pickle.ByteString(name), "systemMeta", nodeSysMeta(nd),
		"userMeta", nodeUserMeta(nd), "branches", branches)
}

// recordsFromDump converts a twin's _resync answer, in either form, to
// records (parents before children).
func recordsFromDump(dump any) ([]Record, error) {
	if t, ok := dump.(pickle.Tuple); ok && len(t) == 2 {
		return recordsFromTuples(t)
	}
	o, ok := asObject(dump)
	if !ok || o.Class != namedTreeClass {
		return nil, compat.NewNamingError("invalid resync dump from twin", pyTypeName(dump))
	}
	var recs []Record
	if err := treeRecords(":", o, &recs); err != nil {
		return nil, err
	}
	return recs, nil
}

func treeRecords(full string, o *pickle.Object, recs *[]Record) error {
	r := Record{Name: full, Group: o.Class == namedTreeClass}
	if err := metaInto(&r, attr(o, "systemMeta"), attr(o, "userMeta")); err != nil {
		return err
	}
	if !r.Group {
		u, ok := attr(o, "value").(compat.URI)
		if !ok {
			return compat.NewNamingError("invalid URI in resync dump", full)
		}
		r.URI = u.String()
		*recs = append(*recs, r)
		return nil
	}
	*recs = append(*recs, r)
	branches, ok := attr(o, "branches").(pickle.Dict)
	if !ok {
		return compat.NewNamingError("invalid group in resync dump", full)
	}
	type kv struct {
		k string
		o *pickle.Object
	}
	var kids []kv
	for k, v := range branches.Iter() {
		name, ok := pyStr(k)
		child, isObj := asObject(v)
		if !ok || !isObj || (child.Class != namedTreeClass && child.Class != nameValueClass) {
			return compat.NewNamingError("invalid entry in resync dump", full)
		}
		kids = append(kids, kv{name, child})
	}
	sort.Slice(kids, func(i, j int) bool { return kids[i].k < kids[j].k })
	for _, c := range kids {
		child := full + "." + c.k
		if full == ":" {
			child = ":" + c.k
		}
		if err := treeRecords(child, c.o, recs); err != nil {
			return err
		}
	}
	return nil
}

func attr(o *pickle.Object, name string) any {
	v, _ := o.Attr(name)
	return v
}

// metaInto stores a node's meta data in a record: the timestamp of a plain
// system meta as Created, anything else pickled.
func metaInto(r *Record, sys, user any) error {
	if m, ok := ParseSystemMeta(sys); ok {
		r.Created = m.Timestamp
		if _, none := m.Owner.(pickle.None); !none {
			raw, err := pickle.Marshal(sys)
			if err != nil {
				return fmt.Errorf("ns: system meta of %s: %w", r.Name, err)
			}
			r.SysMeta = raw
		}
	}
	if _, none := user.(pickle.None); user != nil && !none {
		raw, err := pickle.Marshal(user)
		if err != nil {
			return fmt.Errorf("ns: meta data of %s: %w", r.Name, err)
		}
		r.UserMeta = raw
	}
	return nil
}

func recordsFromTuples(t pickle.Tuple) ([]Record, error) {
	groups, ok1 := t[0].(*pickle.List)
	names, ok2 := t[1].(*pickle.List)
	if !ok1 || !ok2 {
		return nil, compat.NewNamingError("invalid resync dump from twin", "tuple")
	}
	var recs []Record
	for _, g := range groups.Items {
		e, ok := g.(pickle.Tuple)
		if !ok || len(e) != 3 {
			return nil, compat.NewNamingError("invalid group in resync dump", pyTypeName(g))
		}
		name, ok := pyStr(e[0])
		if !ok {
			return nil, compat.NewNamingError("invalid group in resync dump", pyTypeName(e[0]))
		}
		r := Record{Name: name, Group: true}
		if err := metaInto(&r, e[1], e[2]); err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	for _, v := range names.Items {
		e, ok := v.(pickle.Tuple)
		if !ok || len(e) != 4 {
			return nil, compat.NewNamingError("invalid name in resync dump", pyTypeName(v))
		}
		name, ok1 := pyStr(e[0])
		uri, ok2 := pyStr(e[1])
		if !ok1 || !ok2 {
			return nil, compat.NewNamingError("invalid name in resync dump", pyTypeName(e[0]))
		}
		r := Record{Name: name, URI: strings.TrimSpace(uri)}
		if err := metaInto(&r, e[2], e[3]); err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Name < recs[j].Name })
	return recs, nil
}

// replaceAll replaces the whole name space with recs, keeping the current
// binding of the name keep (the Name Server's own registration).
func (n *Namespace) replaceAll(recs []Record, keep string) error {
	n.mu.Lock()
	if err := n.checkFailed(); err != nil {
		n.mu.Unlock()
		return err
	}
	var kept *node
	if nd, berr := n.getBranch(keep); berr == branchOK && !nd.group {
		kept = nd
	}
	n.root = &node{group: true, children: make(map[string]*node), created: n.timestamp()}
	for _, r := range recs {
		n.loadRecord(r)
	}
	ops := []Op{{Kind: OpDeleteTree, Record: Record{Name: ":"}}}
	if kept != nil {
		parent, last, _ := splitLast(keep)
		p, berr := n.getBranch(parent)
		if berr != branchOK {
			p = &node{group: true, children: make(map[string]*node), created: n.timestamp()}
			n.root.children[parent[1:]] = p
			recs = append(recs, Record{Name: parent, Group: true, Created: p.created})
		}
		if p.group {
			p.children[last] = kept
			recs = append(recs, record(keep, kept))
		}
	}
	for _, r := range recs {
		ops = append(ops, Op{Kind: OpPut, Record: r})
	}
	done := n.commit(ops, Change{})
	n.mu.Unlock()
	return n.wait(done)
}
