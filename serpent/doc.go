// Package serpent encodes and decodes serpent, the serializer Pyro 4 and
// Pyro 5 use by default (serializer id 1 in both).
//
// Serpent data is UTF-8 text: a header comment line, then one Python
// literal that ast.literal_eval reads. Python's serpent 1.43 is the oracle:
// the encoder writes what serpent.dumps(v, module_in_classname=True) writes
// (as Pyro's SerpentSerializer calls it) byte for byte, and the decoder
// reads what serpent.loads reads, refusing the rest. The golden vectors in
// testdata are recorded from serpent 1.43 and Pyro5 5.17 by
// scripts/capture_serpent.py.
//
// # API
//
//	Decode(data []byte) (any, error)          serpent.loads, DefaultLimits
//	Unmarshal(data []byte, dst any) error     Decode with Restore, then pickle.Assign into dst
//	Marshal(v any) ([]byte, error)            serpent.dumps as Pyro calls it
//	type Decoder struct{ Limits; Restore }    (*Decoder).Decode(data []byte) (any, error)
//	type Encoder struct{ BytesRepr; SetsAsTuples; ClassNameOnly; MaxDepth }
//	                                          (*Encoder).Append(dst []byte, v any) ([]byte, error)
//	ToBytes(v any) ([]byte, error)            serpent.tobytes: the bytes a base64 dict stands for
//	type Marshaler interface                  Go types that cross as another value (class dicts)
//	type Limits struct{...}; DefaultLimits    bounds on what one decode may allocate
//	type Error, EncodeError                   decode (position, sentinel) and encode (path) errors
//	Header, Header26                          the two header lines
//
// # Headers
//
// Serpent 1.43 writes "# serpent utf-8 python3.2" and set literals. Writers
// without set literals (serpent on Python 2 before it had them, Pyrolite
// with set literals off) write "# serpent utf-8 python2.6" and sets as
// tuples; Encoder.SetsAsTuples does the same. The header is a comment to
// the parser: the decoder reads either, other comments, and no header.
//
// # Decoding: Python literal → Go value
//
// Values decode into the value model of package pickle, so that one Go
// method serves Pyro 3 (pickle) and Pyro 4/5 (serpent) callers with the
// same Go types; serpent's Python 3 semantics map as follows:
//
//	None                 pickle.None
//	True, False          bool
//	int                  int64, or *big.Int beyond int64 (Python 3 has one int type)
//	float                float64 (1e30000 is +Inf, as in Python)
//	complex, 1+2j        complex128
//	str                  string (lone surrogates, from \ud800 escapes, as their
//	                     three-byte form, as package pickle keeps them)
//	bytes literal b''    pickle.Bytes (serpent writes bytes as base64 dicts,
//	                     Pyro 5 with SERPENT_BYTES_REPR as b'' literals)
//	tuple                pickle.Tuple
//	list                 *pickle.List
//	dict                 pickle.Dict (Python key equality)
//	set, set()           *pickle.Set (duplicates dropped by Python equality)
//
// Serpent writes some values as stand-ins that serpent.loads returns as they
// are: bytes, bytearray and memoryview as {'data': <base64>, 'encoding':
// 'base64'}, NaN as {'__class__': 'float', 'value': 'nan'}, a complex with a
// NaN part as {'__class__': 'complex', 'real': ..., 'imag': ...}, decimals,
// UUIDs, dates and times as strings, timedeltas as float seconds, and class
// instances and exceptions as dicts with '__class__' (Pyro's class dicts).
// Decode returns the dicts too, like serpent.loads; with Decoder.Restore
// (and in Unmarshal) the bytes, NaN and complex stand-ins come back as
// pickle.Bytes, float64 and complex128, as Pyro restores them on the Python
// side. ToBytes converts one value, as serpent.tobytes does. Class dicts
// stay dicts: recreating Pyro classes is the protocol's business.
//
// The parser accepts what ast.literal_eval accepts: comments, line
// continuations and line breaks inside brackets, every string prefix but f
// (u, r, b, br, rb in any case), single, double and triple quotes, all
// escapes, adjacent literals joined, ints in decimal, hex, octal and binary
// with underscores, floats, imaginary numbers, one sign on a number, the
// complex sums real±imaginary, parentheses for grouping, trailing commas,
// a bare tuple at the top level and set(). It refuses, with an *Error,
// everything else: names, calls, operators and f-strings (ErrNotLiteral),
// bad syntax (ErrSyntax), unhashable dict keys and set elements
// (ErrUnhashable), data that is not UTF-8 or holds NUL bytes (ErrEncoding),
// and data over the Limits (ErrLimit): more than 200 nested brackets, as
// Python's parser, or ints of more than 4300 digits, as Python's int. Two
// literals Python reads have no value here (ErrUnsupported): the Ellipsis,
// and \N{name} escapes, for want of a Unicode name table in Go.
//
// # Encoding: Go value → Python literal
//
// Every value of the decoding table encodes to the literal it came from.
// Go values map as follows:
//
//	nil, pickle.None              None
//	bool                          True, False
//	int, int8 ... uint64          int
//	*big.Int, big.Int             int (at most 4300 digits, which Python reads)
//	float32, float64              repr(float): 0.1, 1e+16, 1e30000 and -1e30000
//	                              for the infinities, NaN as serpent's class dict
//	complex64, complex128         (1.0+2.0j), NaN parts as serpent's class dict
//	string                        repr(str): ' quotes unless the text holds ' and
//	                              no "; \t \n \r \\ and \x \u \U escapes for what
//	                              Python's str.isprintable refuses; UTF-8 otherwise
//	pickle.Bytes, ByteString,     {'data': '<base64>', 'encoding': 'base64'},
//	ByteArray, []byte, [N]byte    or b'...' with Encoder.BytesRepr
//	pickle.Tuple                  (), (x,), (x,y)
//	*pickle.List, []T, [N]T       [x,y] (a nil slice is [])
//	pickle.Dict, map[K]V          {k:v}, keys sorted: numbers by value, then str,
//	                              bytes, tuples (a nil map is {})
//	*pickle.Set, *pickle.FrozenSet  {x,y} in Items order; an empty set is ()
//	                              as serpent writes it
//	*pickle.Object                its state dict, keys sorted, then
//	                              '__class__': 'module.Name' (serpent's form of
//	                              a class instance); Encoder.ClassNameOnly
//	                              drops the module
//	time.Time                     its isoformat string with the UTC offset,
//	                              microseconds (as Python's datetime)
//	time.Duration                 float seconds (as serpent writes a timedelta)
//	Marshaler                     the value MarshalSerpent returns
//	struct                        dict of the exported fields keyed by str in
//	                              declaration order, by pickle.Fields (the
//	                              rule every gopyro codec shares): `pyro:"name"`,
//	                              `pyro:"-"`, omitempty, embedded structs
//	                              flattened
//	pointer, interface            what it holds; nil is None
//
// Channels, functions, unsafe pointers, pickle.Class and error values
// (Pyro's protocol turns errors into exception class dicts) fail with an
// *EncodeError wrapping ErrUnsupportedType that names the path, like
// `[1]["f"]`. Dict keys and set elements Python could not read back fail
// with ErrUnsupportedValue: None, containers, and bytes, NaN and complex NaN,
// whose serpent forms are dicts (serpent writes them and then cannot load
// its own output). Go strings that are not UTF-8 (three-byte surrogates
// aside) fail with ErrInvalidUTF8, and nesting deeper than MaxDepth (default
// 200, what the decoder reads) with ErrEncodeDepth.
//
// Output matches serpent's byte for byte wherever Go has the order Python
// has: dicts are written in sorted key order (Python writes insertion
// order), and repr decides printability by Go's Unicode tables (Unicode 15)
// where Python 3.11 uses Unicode 14, so a character assigned in 15 is
// escaped by Python and written as it is by Go; either reads back the same.
//
// # Speed
//
// scripts/bench_codec.sh serpent times Decode and Append against Python's serpent
// 1.43 (serpent.loads, and serpent.dumps with module_in_classname=True) on
// the same bytes in one run, Go and Python alternating for five rounds and
// each keeping its best: Pyro5's call message of 173 bytes, and the
// 205-byte dict of an exception with its traceback. On the shared 2-core
// development machine (3 Dec 2026, load average 1.4 to 2.0):
//
//	                     Go ns/op  allocs/op  Python ns/op  Python/Go
//	decode call message      2623         13         66781       25.5
//	encode call message       592          0         13471       22.8
//	decode exception         2437         13         37749       15.5
//	encode exception          632          0         13936       22.1
//
// Python's figures swing most with the machine's load (its best decode of
// the call message ran from 56 to 102 us in four runs that day), so the
// ratios move from run to run: 20.8x to 36.3x for decoding the call message
// and 20.0x to 50.1x for encoding it. Four of the decoder's 13
// allocations and a fifth of its time (in a CPU profile) go to making the
// two pickle.Dicts of the call message and setting their keys (og-rek's
// Dict seeds a hash per dict and hashes a key three times when it is set),
// the price of one value model for every codec.
//
// # Safety
//
// Decoding runs no code and never panics; every failure is an *Error with
// the offset, line and column and a sentinel. Decoder and Encoder are
// configuration only; Decode and Append are safe for concurrent use. Short
// strings are interned in pooled parser state, so that the object ids,
// method names and keys that recur in Pyro traffic cost no allocation.
package serpent
