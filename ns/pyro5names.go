package ns

import (
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// Pyro 5's flat names on Pyro 3's tree: one name space serves both.
//
// A Pyro 5 name is a Pyro 3 name relative to the default group, except
// for the names of Pyro's own objects and names written absolute:
//
//	Pyro 5 name            Pyro 3 name
//	example.greeting       :Default.example.greeting   (the default group, PYRO_NS_DEFAULTGROUP)
//	Pyro.NameServer        :Pyro.NameServer            (names starting "Pyro." are in the group :Pyro)
//	:Other.thing           :Other.thing                (a name starting ':' is taken as it is)
//
// so what a Pyro 3 program registers under a relative name is found by a
// Pyro 5 program under that name and the reverse. The groups of a name
// registered by a Pyro 5 client are created as needed. A Pyro 3 name
// outside the default group and :Pyro appears to Pyro 5 clients with its
// leading ':'.

// Pyro5Name returns the Pyro 5 name of the absolute Pyro 3 name full, in a
// name space whose default group is defaultGroup.
func Pyro5Name(full, defaultGroup string) string {
	switch {
	case strings.HasPrefix(full, defaultGroup+"."):
		return full[len(defaultGroup)+1:]
	case strings.HasPrefix(full, PyroGroup+"."):
		return full[1:]
	}
	return full
}

// Pyro3Name returns the absolute Pyro 3 name of the Pyro 5 name name, in a
// name space whose default group is defaultGroup.
func Pyro3Name(name, defaultGroup string) string {
	switch {
	case strings.HasPrefix(name, ":"):
		return name
	case strings.HasPrefix(name, PyroGroup[1:]+"."):
		return ":" + name
	}
	return defaultGroup + "." + name
}

// Entry is a name bound to a URI, with its user meta data (nil for None).
type Entry struct {
	Name string // absolute
	URI  compat.URI
	Meta any
}

// Entries returns every name (not groups) with its URI and user meta data,
// sorted by name.
func (n *Namespace) Entries() []Entry {
	n.mu.RLock()
	var out []Entry
	var walk func(prefix string, g *node)
	walk = func(prefix string, g *node) {
		for k, c := range g.children {
			if c.group {
				walk(prefix+k+".", c)
			} else {
				out = append(out, Entry{Name: prefix + k, URI: c.uri, Meta: c.userMeta()})
			}
		}
	}
	walk(":", n.root)
	n.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the name full (absolute) with its URI and user meta data,
// and false if there is no such name (a group is none).
func (n *Namespace) Lookup(full string) (Entry, bool) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	nd, berr := n.getBranch(full)
	if berr != branchOK || nd.group {
		return Entry{}, false
	}
	return Entry{Name: full, URI: nd.uri, Meta: nd.userMeta()}, true
}

// Errors of Bind, which Pyro 5's name server reports in its own words.
var (
	// ErrBound is a name that exists already, given to Bind with safe.
	ErrBound = errors.New("ns: name already bound")
	// ErrGroupInTheWay is a name that is a group, or lies below a name.
	ErrGroupInTheWay = errors.New("ns: name clashes with a group or a name of the tree")
)

// Bind binds the absolute name full to u with the user meta data meta
// (nil for None), replacing the URI and meta data of an existing name
// unless safe is set (then ErrBound), and creating the groups on the way
// as needed, as Pyro 5's register does. A group by that name, or a name
// on the way, is ErrGroupInTheWay. The change is replicated to a twin as
// the Pyro 3 calls that make it.
func (n *Namespace) Bind(full string, u compat.URI, meta any, safe bool) error {
	if _, err := ValidateName(full, n.defaultGroup); err != nil {
		return err
	}
	if err := checkLength(full); err != nil {
		return err
	}
	raw, err := metaPickle(meta)
	if err != nil {
		return err
	}
	return n.updateMany(func() ([]Op, []Change, error) {
		var ops []Op
		var changes []Change
		parent, last, inRoot := splitLast(full)
		g := n.root
		if !inRoot {
			// find or create the groups of parent, each below the last
			path := strings.Split(parent[1:], ".")
			var missing []string
			for i, comp := range path {
				c := g.children[comp]
				if c == nil {
					missing = path[i:]
					break
				}
				if !c.group {
					return nil, nil, ErrGroupInTheWay
				}
				g = c
			}
			name := ":" + strings.Join(path[:len(path)-len(missing)], ".")
			for _, comp := range missing {
				if name != ":" {
					name += "."
				}
				name += comp
				nd := &node{group: true, children: make(map[string]*node), created: n.timestamp()}
				g = nd
				ops = append(ops, Op{Kind: OpPut, Record: Record{Name: name, Group: true, Created: nd.created}, mem: nd})
				changes = append(changes, Change{Method: "createGroup", Args: []any{name}})
			}
		}
		var expect int64
		if old, exists := g.children[last]; exists {
			switch {
			case old.group:
				return nil, nil, ErrGroupInTheWay
			case safe:
				return nil, nil, ErrBound
			}
			expect = old.rev
			changes = append(changes, Change{Method: "unregister", Args: []any{full}})
		}
		u.Protocol, u.Address = n.intern(u.Protocol), n.intern(u.Address)
		nd := &node{uri: u, created: n.timestamp()}
		nd.setUserMeta(meta, raw)
		ops = append(ops, Op{Kind: OpPut, Record: record(full, nd), mem: nd, Expect: expect})
		changes = append(changes, Change{Method: "register", Args: []any{full, u}})
		if raw != nil {
			changes = append(changes, Change{Method: "setMeta", Args: []any{full, meta}})
		}
		return ops, changes, nil
	})
}

// SetNameMeta sets the user meta data (nil for None) of the name full
// (absolute), and reports false if there is no such name; a group is
// none.
func (n *Namespace) SetNameMeta(full string, meta any) (bool, error) {
	raw, err := metaPickle(meta)
	if err != nil {
		return false, err
	}
	found := false
	err = n.updateMany(func() ([]Op, []Change, error) {
		nd, berr := n.getBranch(full)
		if berr != branchOK || nd.group {
			return nil, nil, nil
		}
		found = true
		var m any = pickle.None{}
		if raw != nil {
			m = meta
		}
		return []Op{putChanged(full, nd, func(nd *node) { nd.setUserMeta(meta, raw) })},
			[]Change{{Method: "setMeta", Args: []any{full, m}}}, nil
	})
	return found, err
}

// RemoveNames removes those of the names fulls (absolute) that exist (not
// groups) and returns how many it removed.
func (n *Namespace) RemoveNames(fulls []string) (int, error) {
	removed := 0
	err := n.updateMany(func() ([]Op, []Change, error) {
		var ops []Op
		var changes []Change
		seen := make(map[string]bool, len(fulls))
		for _, full := range fulls {
			if seen[full] {
				continue
			}
			seen[full] = true
			parent, last, inRoot := splitLast(full)
			g := n.root
			if !inRoot {
				var berr branchError
				if g, berr = n.getBranch(parent); berr != branchOK || !g.group {
					continue
				}
			}
			nd, ok := g.children[last]
			if !ok || nd.group {
				continue
			}
			ops = append(ops, Op{Kind: OpDelete, Record: Record{Name: full}, Expect: nd.rev})
			changes = append(changes, Change{Method: "unregister", Args: []any{full}})
		}
		removed = len(ops)
		return ops, changes, nil
	})
	return removed, err
}

// metaPickle returns the pickle of user meta data, nil for None.
func metaPickle(meta any) ([]byte, error) {
	if _, isNone := meta.(pickle.None); meta == nil || isNone {
		return nil, nil
	}
	raw, err := pickle.Marshal(meta)
	if err != nil {
		return nil, compat.TypeError("can't store meta data: " + err.Error())
	}
	return raw, nil
}

// MetadataSet is the user meta data that holds Pyro 5 metadata tags: a
// set of the tags, sorted, or nil (None) for none.
func MetadataSet(tags []string) any {
	if len(tags) == 0 {
		return nil
	}
	tags = slices.Clone(tags)
	slices.Sort(tags)
	tags = slices.Compact(tags)
	items := make([]any, len(tags))
	for i, t := range tags {
		items[i] = t
	}
	return &pickle.Set{Items: items}
}

// MetadataTags returns the Pyro 5 metadata tags that user meta data holds:
// the strings of a set, frozenset, list or tuple of strings (as a Pyro 3
// program may set with setMeta), sorted; anything else holds none.
func MetadataTags(meta any) []string {
	items, ok := pickle.Items(meta)
	if !ok {
		return nil
	}
	tags := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := pickle.Text(it)
		if !ok {
			return nil
		}
		tags = append(tags, s)
	}
	slices.Sort(tags)
	return slices.Compact(tags)
}
