// Package pickle encodes and decodes Python pickles with Python 2 semantics,
// as Pyro 3 puts them on the wire.
//
// Python 2 keeps distinctions that most Go pickle libraries lose: str and
// unicode, int and long, tuple and list, old-style and new-style instances.
// This package keeps each of them in its own Go type, so a value that goes
// from Python through Go and back comes out equal and of the same types.
//
// # API
//
//	Decode(data []byte) (any, error)          generic decode, DefaultLimits, DefaultRegistry
//	Unmarshal(data []byte, dst any) error     Decode, then Assign into a Go destination
//	Assign(dst any, v any) error              typed conversion of an already decoded value
//	Marshal(v any) ([]byte, error)            encode at protocol 2, as Pyro 3 does
//	type Decoder struct{ Limits; Registry }   (*Decoder).Decode(data []byte) (any, error)
//	type Encoder struct{ Protocol; ... }     (*Encoder).Append(dst []byte, v any) ([]byte, error)
//	type Registry                             Python class path → Go DecodeFunc; DefaultRegistry
//	type Pickler interface                    Go types that cross the wire as Python instances
//	type StatePickler interface               a Pickler the encoder writes without building its Object
//	type Limits struct{...}; DefaultLimits    bounds on what one decode may allocate
//	type Error                                decode errors (offset, opcode, sentinel)
//	type EncodeError, AssignError             encode and Assign errors (path, types, sentinel)
//	PythonType(v any) string                  the Python type name of a decoded value
//
// # Decoding: Python 2 value → Go value
//
// Decode reads every opcode of protocols 0 to 5, so pickles from Python 3
// peers decode too. Values come out as:
//
//	None                 pickle.None
//	bool                 bool
//	int                  int64
//	long                 *big.Int (even when small: the type is kept)
//	float                float64 (nan and inf included)
//	str                  pickle.ByteString
//	unicode              string
//	tuple                pickle.Tuple
//	list                 *pickle.List (shared and self-containing lists stay so)
//	dict                 pickle.Dict (Python key equality: tuple keys, 'a' == u'a')
//	set, frozenset       *pickle.Set, *pickle.FrozenSet (py2 REDUCE form and py3 opcodes)
//	bytearray            pickle.ByteArray
//	bytes (Python 3)     pickle.Bytes
//	class or global      pickle.Class
//	instance             the value the registered DecodeFunc returns, else *pickle.Object
//
// An *Object keeps the class, how the instance was built (Build: NEWOBJ,
// REDUCE, old-style OBJ/INST, copy_reg._reconstructor), the constructor
// arguments and the BUILD state, so encoding it again rebuilds an equal
// Python object of the same class.
//
// # Encoding: Go value → Python 2 value
//
// The Encoder writes protocols 0, 1 and 2 (Python 2; Pyro 3 peers accept only
// these), and 3 to 5 for Python 3 peers (BINBYTES, and from 4 on
// SHORT_BINUNICODE, STACK_GLOBAL, MEMOIZE, the set opcodes and NEWOBJ_EX;
// no FRAME opcodes, which loaders do not require). Every value of the
// decoding table encodes to the Python value it came from. Go-native values
// map as follows:
//
//	nil, pickle.None              None
//	bool                          bool
//	int, int8 ... int64           int
//	uint ... uint64               int; long above the int64 range
//	*big.Int, big.Int             long (always long, even when small)
//	float32, float64              float
//	string                        unicode (must be UTF-8; encoded surrogates pass)
//	pickle.ByteString             str
//	[]byte, [N]byte               str
//	pickle.Bytes                  bytes: BINBYTES at protocol 3; below it the form
//	                              Python 3 writes, _codecs.encode(u'...', 'latin1'),
//	                              which Python 2 loads as str
//	pickle.ByteArray              bytearray, as Python 2 reduces it:
//	                              bytearray(u'latin-1 text', 'latin-1')
//	                              (bytearray(bytes) at 3 and 4, BYTEARRAY8 at 5)
//	pickle.Tuple                  tuple
//	*pickle.List, []T, [N]T       list (a nil slice is an empty list)
//	pickle.Dict                   dict
//	map[K]V                       dict, keys sorted for deterministic output
//	                              (a nil map is an empty dict)
//	*pickle.Set, *pickle.FrozenSet  set([...]), frozenset([...]) in Python 2's form
//	pickle.Class                  the global (GLOBAL module\nname)
//	*pickle.Object                the instance, built as its Build says:
//	                              NEWOBJ at protocol 2 (copy_reg._reconstructor
//	                              below it), REDUCE, old-style OBJ (INST at
//	                              protocol 0); then ListItems, DictItems and
//	                              BUILD State, in CPython's order; Kwargs need
//	                              protocol 4 (NEWOBJ_EX)
//	Pickler                       the instance its PickleObject returns (also
//	                              for a struct value whose pointer is a Pickler);
//	                              a StatePickler writes the same bytes directly
//	struct                        dict of the exported fields keyed by str (the
//	                              type of Python 2 attribute and keyword names):
//	                              `pyro:"name"` renames, `pyro:"-"` skips,
//	                              `pyro:",omitempty"` drops zero values,
//	                              untagged embedded structs are flattened
//	pointer                       what it points to; a nil pointer is None
//	interface                     its dynamic value
//
// Channels, functions, complex numbers, unsafe pointers and error values
// (exceptions are Pyro's business: package compat turns errors into Python
// exceptions) fail with an *EncodeError wrapping ErrUnsupportedType that
// names the Go type and the path to it, like `[1].items[0]`.
//
// The output follows cPickle's choices opcode for opcode: BININT1, BININT2
// and BININT for ints that fit 32 bits and the INT text form above,
// LONG1/LONG4 for longs, BINFLOAT, SHORT_BINSTRING/BINSTRING, BINUNICODE,
// EMPTY_LIST/EMPTY_DICT then APPENDS/SETITEMS in batches of 1000, TUPLE1 to
// TUPLE3, NEWTRUE/NEWFALSE, memo indexes from 1, and protocol 0 text the way
// cPickle writes it. None, bools, numbers, one-character strings, and lists,
// top-level tuples, sets and bytearrays of them, classes and globals encode
// byte for byte as cPickle.dumps(x, protocol) does. CPython decides which
// strings and nested tuples to memoize from reference counts, which Go does
// not have, and orders dicts by hash; the encoder memoizes non-empty tuples,
// and strings, bytes and longs of 64 bytes or more inside containers, and
// writes dict keys sorted (so the output is deterministic), so other pickles
// differ from cPickle's in BINPUT opcodes and item order only, and load as
// equal values of the same types.
//
// Values with identity in Go — *List, Dict, *Set, *FrozenSet, *Object,
// Picklers that are pointers, and tuples, bytearrays and those long strings
// by the address and length of their contents — are memoized: a value
// referenced twice is written once and fetched from the memo after, so a
// decoded value encodes about as short as the pickle it came from (a tuple
// holding the same tuple twice, forty deep, is 205 bytes, as with cPickle,
// not 2^40 items). A list or instance that contains itself is written as
// Python writes it (memoized before its contents), and so is a tuple that
// contains itself through one. Go values without identity (other slices,
// maps, structs) are written each time they occur; a cycle through them,
// possible only through pointers or maps, fails with ErrEncodeDepth once the
// nesting passes MaxDepth (default 1000, Python's recursion limit) instead
// of exhausting the stack.
//
// An Encoder's MaxOutput (default DefaultMaxOutput, 64 MiB, the message size
// a gopyro peer accepts by default) bounds the pickle's length: past it,
// Append fails with an *EncodeError wrapping ErrOutputLimit, having written
// at most one string beyond the limit, rather than building a pickle no peer
// would take.
//
// An Encoder is configuration only; Append is safe for concurrent use. It
// uses no reflection for the value model and common Go types, and allocates
// only to grow dst, plus the boxing reflection needs for other Go types.
//
// # Typed decoding
//
// Assign converts a decoded value into a Go destination much as
// encoding/json's Unmarshal does (see Assign for the rules): strings accept
// both str and unicode, integers check for overflow, structs are filled from
// dicts or instance state dicts matching keys to `pyro:"name"` tags, field
// names, or field names ignoring case and underscores (balance_due fills
// BalanceDue), and None zeroes the destination. A mismatch is an
// *AssignError such as
//
//	pickle: cannot assign unicode to int at [1].count
//
// # Untrusted input
//
// Decoding runs no Python code: GLOBAL and REDUCE only name classes and record
// arguments, turned into Go values by the functions in a Registry. It never
// panics; a Decoder's Limits bound nesting depth, memo size, string and
// container lengths and long size, and every failure is an *Error naming the
// offset and opcode and wrapping a sentinel (ErrTruncated, ErrLimit, ...).
// Persistent ids are refused with ErrPersistentID.
package pickle
