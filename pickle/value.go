package pickle

import (
	"iter"

	ogórek "github.com/kisielk/og-rek"
)

// Python values that have no natural Go type. The scalar and string types are
// og-rek's, so values built for og-rek work here and the reverse.
type (
	// None is Python's None.
	None = ogórek.None
	// Tuple is a Python tuple.
	Tuple = ogórek.Tuple
	// ByteString is a Python 2 str: a byte string with any content.
	ByteString = ogórek.ByteString
	// Bytes is a Python 3 bytes object.
	Bytes = ogórek.Bytes
	// Dict is a Python dict with Python key equality (str and unicode with the
	// same ASCII content are one key; tuples may be keys). It is pointer-like:
	// copies share their contents, as Python references do.
	Dict = ogórek.Dict
	// Class is a Python class or other global, named by module and name.
	Class = ogórek.Class
)

// NewDict returns an empty Dict.
func NewDict() Dict { return ogórek.NewDict() }

// DictItems returns an iterator over the key, value pairs of d, in no
// particular order, like d.Iter; a range loop over it allocates nothing,
// where d.Iter allocates its iterator.
func DictItems(d Dict) iter.Seq2[any, any] {
	return func(yield func(k, v any) bool) {
		for it := mapOf(d).Iter(); it.Next(); {
			if !yield(it.Key(), it.Elem()) {
				return
			}
		}
	}
}

// List is a Python list. Lists are decoded as *List so that a list referenced
// twice in a pickle, or containing itself, is one Go value, as in Python.
type List struct {
	Items []any
}

// NewList returns a *List holding items.
func NewList(items ...any) *List { return &List{Items: items} }

// Set is a Python set; Items keeps the order in which the pickle listed them.
type Set struct {
	Items []any
}

// FrozenSet is a Python frozenset; Items keeps the pickle's order.
type FrozenSet struct {
	Items []any
}

// ByteArray is a Python bytearray.
type ByteArray []byte

// Build says which pickle construction produced an Object, so that encoding it
// again yields the same Python object built the same way.
type Build uint8

const (
	// BuildNewObj is cls.__new__(cls, *Args) (protocol 2 NEWOBJ, or NEWOBJ_EX
	// with Kwargs): new-style class instances such as Pyro.core.PyroURI.
	BuildNewObj Build = iota
	// BuildReduce is Callable(*Args) through REDUCE: exceptions, sets,
	// copy_reg-registered types and any other __reduce__ result whose callable
	// is not a class reconstructor.
	BuildReduce
	// BuildOldStyle is an old-style (classic) class instance, OBJ or INST:
	// for example Pyro.errors.PyroExceptionCapsule.
	BuildOldStyle
	// BuildReconstructor is copy_reg._reconstructor(cls, base, baseState), the
	// protocol 0/1 form of a new-style instance; Base and BaseState hold the
	// second and third arguments.
	BuildReconstructor
)

// Object is an instance of a Python class for which no Go type is registered,
// or the generic form of one that is. It keeps everything the pickle said, so
// encoding it again reproduces an equal Python object of the same class.
type Object struct {
	// Class is the instance's class (for BuildReduce, the callable).
	Class Class
	// Build is how the instance is constructed.
	Build Build
	// Args are the constructor or callable arguments (may be empty).
	Args Tuple
	// Kwargs are NEWOBJ_EX keyword arguments; nil otherwise.
	Kwargs map[string]any
	// Base and BaseState are copy_reg._reconstructor's second and third
	// arguments when Build is BuildReconstructor (usually object and None).
	Base      Class
	BaseState any
	// State is the argument of BUILD (usually the instance __dict__ as a Dict,
	// or a (dict, slots) Tuple); nil when the pickle had no BUILD. Only the
	// DecodeFunc of a class registered with RegisterItems may see a
	// *StateItems here.
	State any
	// ListItems and DictItems are items APPENDed or SETITEMed onto the object
	// itself after construction (list and dict subclasses); DictItems holds
	// key, value pairs flattened.
	ListItems []any
	DictItems []any
}

// Pickler is implemented by Go types that cross the wire as instances of a
// Python class. PickleObject returns the generic form that is encoded.
type Pickler interface {
	PickleObject() (*Object, error)
}

// Attr returns the value of the named key of o's state dict (the instance
// __dict__), accepting str and unicode keys alike.
func (o *Object) Attr(name string) (any, bool) {
	if s, ok := o.State.(*StateItems); ok {
		return s.Get(name)
	}
	d, ok := o.State.(Dict)
	if !ok {
		if t, isTuple := o.State.(Tuple); isTuple && len(t) == 2 {
			d, ok = t[0].(Dict)
		}
		if !ok {
			return nil, false
		}
	}
	return d.Get_(name)
}
