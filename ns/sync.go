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
	if m := nd.sysMeta(); m != nil {
		return m
	}
	return systemMeta(nd.group, nd.created)
}

func nodeUserMeta(nd *node) any {
	if m := nd.userMeta(); m != nil {
		return m
	}
	return pickle.None{}
}

func treeObject(name string, nd *node) any {
	if !nd.group {
		return &compat.NameValue{Name: name, Value: nd.uri, UserMeta: nd.userMeta(), SystemMeta: plainSysMeta(nd)}
	}
	t := &compat.NamedTree{Name: name, Branches: make(map[string]any, len(nd.children)), UserMeta: nd.userMeta(),
		SystemMeta: plainSysMeta(nd)}
	for k, c := range nd.children {
		t.Branches[k] = treeObject(k, c)
	}
	return t
}

// plainSysMeta returns a node's system meta as compat's type (a system meta
// of unusual shape set with _setSystemMeta is sent as the synthesised one).
func plainSysMeta(nd *node) *compat.NameSpaceSystemMeta {
	if m, ok := ParseSystemMeta(nd.sysMeta()); ok {
		return &compat.NameSpaceSystemMeta{Type: m.Type, Timestamp: m.Timestamp, Owner: m.Owner}
	}
	return systemMeta(nd.group, nd.created)
}

// treeNode is a NamedTree or NameValue in either decoded form.
type treeNode struct {
	group    bool
	sys      any
	user     any
	value    any
	branches map[string]any
}

func asTreeNode(v any) (treeNode, bool) {
	switch x := v.(type) {
	case *compat.NamedTree:
		return treeNode{group: true, sys: x.SystemMeta, user: x.UserMeta, branches: x.Branches}, true
	case *compat.NameValue:
		return treeNode{sys: x.SystemMeta, user: x.UserMeta, value: x.Value}, true
	case *pickle.Object:
		tn := treeNode{sys: attr(x, "systemMeta"), user: attr(x, "userMeta")}
		switch x.Class {
		case namedTreeClass:
			d, ok := attr(x, "branches").(pickle.Dict)
			if !ok {
				return tn, false
			}
			tn.group, tn.branches = true, map[string]any{}
			for k, v := range d.Iter() {
				name, ok := pickle.Text(k)
				if !ok {
					return tn, false
				}
				tn.branches[name] = v
			}
			return tn, true
		case nameValueClass:
			tn.value = attr(x, "value")
			return tn, true
		}
	}
	return treeNode{}, false
}

// recordsFromDump converts a twin's _resync answer, in either form, to
// records (parents before children).
func recordsFromDump(dump any) ([]Record, error) {
	if t, ok := dump.(pickle.Tuple); ok && len(t) == 2 {
		return recordsFromTuples(t)
	}
	tn, ok := asTreeNode(dump)
	if !ok || !tn.group {
		return nil, compat.NewNamingError("invalid resync dump from twin", pickle.PythonType(dump))
	}
	var recs []Record
	if err := treeRecords(":", tn, &recs); err != nil {
		return nil, err
	}
	return recs, nil
}

func treeRecords(full string, tn treeNode, recs *[]Record) error {
	r := Record{Name: full, Group: tn.group}
	if err := metaInto(&r, tn.sys, tn.user); err != nil {
		return err
	}
	if !r.Group {
		u, ok := tn.value.(compat.URI)
		if !ok {
			return compat.NewNamingError("invalid URI in resync dump", full)
		}
		r.URI = u.String()
		*recs = append(*recs, r)
		return nil
	}
	*recs = append(*recs, r)
	keys := make([]string, 0, len(tn.branches))
	for k := range tn.branches {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		child, ok := asTreeNode(tn.branches[k])
		if !ok {
			return compat.NewNamingError("invalid entry in resync dump", full)
		}
		name := full + "." + k
		if full == ":" {
			name = ":" + k
		}
		if err := treeRecords(name, child, recs); err != nil {
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
		if m.Owner != nil {
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
			return nil, compat.NewNamingError("invalid group in resync dump", pickle.PythonType(g))
		}
		name, ok := pickle.Text(e[0])
		if !ok {
			return nil, compat.NewNamingError("invalid group in resync dump", pickle.PythonType(e[0]))
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
			return nil, compat.NewNamingError("invalid name in resync dump", pickle.PythonType(v))
		}
		name, ok1 := pickle.Text(e[0])
		uri, ok2 := pickle.Text(e[1])
		if !ok1 || !ok2 {
			return nil, compat.NewNamingError("invalid name in resync dump", pickle.PythonType(e[0]))
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
	return n.updateMany(func() ([]Op, []Change, error) {
		ops := make([]Op, 0, len(recs)+3)
		ops = append(ops, Op{Kind: OpDeleteTree, Record: Record{Name: ":"}})
		have := make(map[string]bool, len(recs))
		for _, r := range recs {
			ops = append(ops, Op{Kind: OpPut, Record: r})
			have[r.Name] = r.Group
		}
		if kept, berr := n.getBranch(keep); berr == branchOK && !kept.group {
			parent, _, _ := splitLast(keep)
			if isGroup, ok := have[parent]; !ok {
				ops = append(ops, Op{Kind: OpPut, Record: Record{Name: parent, Group: true, Created: n.timestamp()}})
			} else if !isGroup {
				return ops, nil, nil
			}
			ops = append(ops, Op{Kind: OpPut, Record: record(keep, kept), mem: kept})
		}
		return ops, nil, nil
	})
}
