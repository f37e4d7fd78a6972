package compat

import (
	"sort"

	"github.com/gopyro/gopyro/pickle"
)

// Name space node types of NameSpaceSystemMeta.Type.
const (
	NodeGroup = 0 // a NamedTree
	NodeLeaf  = 1 // a NameValue
)

// NameSpaceSystemMeta is Pyro.naming.NameSpaceSystemMeta, the system meta
// data of a Name Server entry (returned by _getSystemMeta).
type NameSpaceSystemMeta struct {
	// Type is NodeGroup or NodeLeaf.
	Type int
	// Timestamp is the creation time in seconds since the epoch.
	Timestamp float64
	// Owner is nil (None) in Pyro 3.16.
	Owner any
}

var (
	systemMetaClass = pickle.Class{Module: "Pyro.naming", Name: "NameSpaceSystemMeta"}
	namedTreeClass  = pickle.Class{Module: "Pyro.naming", Name: "NamedTree"}
	nameValueClass  = pickle.Class{Module: "Pyro.naming", Name: "NameValue"}
)

// PickleObject returns the instance with state {'type', 'timestamp', 'owner'}.
func (m *NameSpaceSystemMeta) PickleObject() (*pickle.Object, error) {
	return &pickle.Object{
		Class: systemMetaClass, Build: pickle.BuildNewObj, Args: pickle.Tuple{},
		State: &metaState{Owner: noneIfNil(m.Owner), Timestamp: m.Timestamp, Type: int64(m.Type)},
	}, nil
}

type metaState struct {
	Owner     any     `pyro:"owner"`
	Timestamp float64 `pyro:"timestamp"`
	Type      int64   `pyro:"type"`
}

func decodeSystemMeta(o *pickle.Object) (any, error) {
	if m, ok := systemMetaFrom(o); ok {
		return m, nil
	}
	return o, nil
}

func systemMetaFrom(v any) (*NameSpaceSystemMeta, bool) {
	switch x := v.(type) {
	case *NameSpaceSystemMeta:
		return x, true
	case *pickle.Object:
		if x.Class != systemMetaClass {
			return nil, false
		}
		st, ok := newInstanceState(x, 3)
		if !ok {
			return nil, false
		}
		m := &NameSpaceSystemMeta{}
		ts, _ := st.get("timestamp")
		if m.Timestamp, ok = ts.(float64); !ok || !st.int("type", &m.Type) {
			return nil, false
		}
		m.Owner, _ = st.get("owner")
		if isNone(m.Owner) {
			m.Owner = nil
		}
		return m, true
	}
	return nil, false
}

// NamedTree is Pyro.naming.NamedTree, a group of the Name Server's name
// space as a twin Name Server's _resync transfers it.
type NamedTree struct {
	Name string
	// Branches maps the names of the group's members to *NamedTree and
	// *NameValue nodes.
	Branches   map[string]any
	UserMeta   any
	SystemMeta *NameSpaceSystemMeta
}

// NameValue is Pyro.naming.NameValue, a leaf of the name space: a name
// bound to a value (normally a URI).
type NameValue struct {
	Name       string
	Value      any
	UserMeta   any
	SystemMeta *NameSpaceSystemMeta
}

// PickleObject returns the tree with state {'name', 'branches',
// 'userMeta', 'systemMeta'}; branch names are written as str.
func (t *NamedTree) PickleObject() (*pickle.Object, error) {
	names := make([]string, 0, len(t.Branches))
	for name := range t.Branches {
		names = append(names, name)
	}
	sort.Strings(names)
	branches := pickle.NewDict()
	for _, name := range names {
		branches.Set(pickle.ByteString(name), t.Branches[name])
	}
	return &pickle.Object{
		Class: namedTreeClass, Build: pickle.BuildNewObj, Args: pickle.Tuple{},
		State: &treeState{UserMeta: noneIfNil(t.UserMeta), Branches: branches, Name: pickle.ByteString(t.Name),
			SystemMeta: systemMetaValue(t.SystemMeta)},
	}, nil
}

type treeState struct {
	UserMeta   any               `pyro:"userMeta"`
	Branches   pickle.Dict       `pyro:"branches"`
	Name       pickle.ByteString `pyro:"name"`
	SystemMeta any               `pyro:"systemMeta"`
}

// PickleObject returns the leaf with state {'name', 'value', 'userMeta',
// 'systemMeta'}.
func (v *NameValue) PickleObject() (*pickle.Object, error) {
	return &pickle.Object{
		Class: nameValueClass, Build: pickle.BuildNewObj, Args: pickle.Tuple{},
		State: &nameValueState{Value: noneIfNil(v.Value), UserMeta: noneIfNil(v.UserMeta), Name: pickle.ByteString(v.Name),
			SystemMeta: systemMetaValue(v.SystemMeta)},
	}, nil
}

type nameValueState struct {
	Value      any               `pyro:"value"`
	UserMeta   any               `pyro:"userMeta"`
	Name       pickle.ByteString `pyro:"name"`
	SystemMeta any               `pyro:"systemMeta"`
}

func systemMetaValue(m *NameSpaceSystemMeta) any {
	if m == nil {
		return pickle.None{}
	}
	return m
}

// nodeFields reads name, userMeta and systemMeta of a name space node.
func nodeFields(st instanceState) (name string, userMeta any, meta *NameSpaceSystemMeta, ok bool) {
	if !st.str("name", &name) {
		return
	}
	userMeta, _ = st.get("userMeta")
	if isNone(userMeta) {
		userMeta = nil
	}
	sm, _ := st.get("systemMeta")
	if isNone(sm) {
		return name, userMeta, nil, true
	}
	meta, ok = systemMetaFrom(sm)
	return
}

func decodeNamedTree(o *pickle.Object) (any, error) {
	st, ok := newInstanceState(o, 4)
	if !ok {
		return o, nil
	}
	name, userMeta, meta, ok := nodeFields(st)
	if !ok {
		return o, nil
	}
	b, _ := st.get("branches")
	d, ok := b.(pickle.Dict)
	if !ok {
		return o, nil
	}
	t := &NamedTree{Name: name, Branches: make(map[string]any, d.Len()), UserMeta: userMeta, SystemMeta: meta}
	for k, v := range d.Iter() {
		ks, isStr := pickle.Text(k)
		if !isStr {
			return o, nil
		}
		t.Branches[ks] = v
	}
	return t, nil
}

func decodeNameValue(o *pickle.Object) (any, error) {
	st, ok := newInstanceState(o, 4)
	if !ok {
		return o, nil
	}
	name, userMeta, meta, ok := nodeFields(st)
	if !ok {
		return o, nil
	}
	v, ok := st.get("value")
	if !ok {
		return o, nil
	}
	if isNone(v) {
		v = nil
	}
	return &NameValue{Name: name, Value: v, UserMeta: userMeta, SystemMeta: meta}, nil
}

// Event is Pyro.EventService.Event.Event, what the Event Server delivers to
// subscribers: the subject, the published message and the publication time.
type Event struct {
	// Subject is normally a str (pickle.ByteString) or unicode (string).
	Subject any
	Msg     any
	// Time is in seconds since the epoch (Python's time.time()).
	Time float64
}

var eventClass = pickle.Class{Module: "Pyro.EventService.Event", Name: "Event"}

// PickleObject returns the instance with state {'subject', 'msg', 'time'}.
func (e *Event) PickleObject() (*pickle.Object, error) {
	return &pickle.Object{
		Class: eventClass, Build: pickle.BuildNewObj, Args: pickle.Tuple{},
		State: &eventState{Msg: noneIfNil(e.Msg), Time: e.Time, Subject: noneIfNil(e.Subject)},
	}, nil
}

type eventState struct {
	Msg     any     `pyro:"msg"`
	Time    float64 `pyro:"time"`
	Subject any     `pyro:"subject"`
}

func decodeEvent(o *pickle.Object) (any, error) {
	st, ok := newInstanceState(o, 3)
	if !ok {
		return o, nil
	}
	tv, _ := st.get("time")
	t, ok := tv.(float64)
	if !ok {
		return o, nil
	}
	subj, ok1 := st.get("subject")
	msg, ok2 := st.get("msg")
	if !ok1 || !ok2 {
		return o, nil
	}
	return &Event{Subject: subj, Msg: msg, Time: t}, nil
}
