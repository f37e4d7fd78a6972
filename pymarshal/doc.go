// Package pymarshal encodes and decodes Python 3's marshal format as Pyro 4
// and Pyro 5 use it (their marshal serializer: id 3 in Pyro 4, id 2 in
// Pyro 5), into the value model of package pickle, so that one Go method
// serves Pyro 3 (pickle) and Pyro 4/5 callers with every serializer alike.
//
// Pyro calls marshal.dumps(v) with Python's current format, version 4
// (Python 3.4 and later), after turning what marshal cannot write into
// class dicts (Pyro's class_to_dict: instances as vars() plus
// '__class__', exceptions as {'__class__', '__exception__': True, 'args',
// 'attributes'}, UUIDs as strings); marshal.loads reads every version. The
// golden vectors in testdata are recorded from Python 3.11 and Pyro5 5.17
// by scripts/capture_codecs.py.
//
// # API
//
//	Decode(data []byte) (any, error)       marshal.loads, serpent.DefaultLimits
//	Unmarshal(data []byte, dst any) error  Decode, then pickle.Assign into dst
//	Marshal(v any) ([]byte, error)         marshal.dumps as Pyro calls it
//	type Decoder struct{ Limits }          (*Decoder).Decode
//	type Encoder struct{ MaxDepth }        (*Encoder).Append(dst, v)
//	type Limits = serpent.Limits           bounds on one decode
//	type Error, EncodeError                typed errors wrapping serpent's sentinels
//
// # Decoding: marshal → Go
//
//	None 'N', True 'T', False 'F'          pickle.None, true, false
//	int 'i', long 'l' (15-bit digits)      int64, *big.Int beyond int64
//	float 'g' (binary), 'f' (text)         float64
//	complex 'y', 'x'                       complex128
//	str 'u' 't' (UTF-8, surrogatepass)     string (lone surrogates in their
//	                                       three-byte form, as pickle keeps them)
//	str 'a' 'A' 'z' 'Z' (one byte a char)  string (bytes above 0x7f as Latin-1)
//	bytes 's'                              pickle.Bytes
//	tuple '(' ')'                          pickle.Tuple
//	list '['                               *pickle.List
//	dict '{' ... '0'                       pickle.Dict
//	set '<', frozenset '>'                 *pickle.Set, *pickle.FrozenSet
//	FLAG_REF, reference 'r'                the same Go value again (a list or
//	                                       dict may contain itself, as in Python)
//
// Frozensets as dict keys and set elements compare by identity, as in
// package pickle (Python compares them by value). Class dicts stay dicts,
// as in package serpent. Like marshal.loads,
// Decode ignores bytes after the value. It refuses, with an *Error, what
// marshal.loads refuses (ErrSyntax for truncated data, unknown codes, bad
// sizes and digits and references, ErrEncoding for a str that is not UTF-8,
// ErrUnhashable for list, dict or set keys and set elements), data over the
// Limits (ErrLimit: MaxDepth nested containers, MaxContainerLen items,
// MaxStringLen bytes, MaxIntDigits 15-bit digits in one int), and what
// marshal.loads reads but has no Go value (ErrUnsupported): code objects,
// Ellipsis, StopIteration and a tuple that contains itself.
//
// # Encoding: Go → marshal
//
// Every value of the decoding table encodes to what it came from; other Go
// values are walked as package serpent walks them (the rule every gopyro
// codec shares): ints of every size, uint64 above int64 as a long, []T and
// [N]T as lists, []byte as bytes, map[K]V and pickle.Dict with their keys
// sorted by pickle.CompareKeys, structs as dicts of their fields by
// pickle.Fields (`pyro:"name"` tags), *pickle.Object as Pyro's class dict,
// serpent.Marshaler values as what MarshalSerpent returns, time.Duration as
// float seconds, pointers and interfaces as what they hold. Time values
// fail with ErrUnsupportedType, as datetimes do in Pyro's marshal
// serializer; so do channels, functions and error values.
//
// The encoder writes version 4 as CPython does, str as the short ASCII form
// below 256 bytes, ASCII or UTF-8 otherwise, tuples below 256 items in the
// small form, NaN with Python's bits; but it writes no references. CPython
// flags an object for reference when its reference count is above one (and
// interns some strings), which no other writer can know; marshal.loads reads
// both. The golden tests therefore compare Marshal's output with Python's
// bytes after resolving Python's references ("plain" in the golden file),
// and Decode with Python's own bytes. Dict keys come out sorted where
// Python writes insertion order.
//
// # Pyro 4
//
// Pyro4 4.82's marshal serializer (Pyro4/util.py) writes and reads as
// Pyro 5's does on Python 3; only the serializer id differs.
//
// # Speed
//
// scripts/bench_codec.sh marshal 200ms 5 times Decode and Append against
// Python's marshal (C) as Pyro5 calls it, on the same bytes in one run (Pyro5's call message
// and an exception's class dict from testdata/golden.json), Go and Python
// alternating for five rounds and each keeping its best. On the shared
// 2-core development machine (3 Dec 2026, load average 0.4 to 1.2):
//
//	                     Go ns/op  allocs/op  Python ns/op  Python/Go
//	decode call message      1990         15          1228        0.6
//	encode call message       611          0           777        1.3
//	decode exception         1384          9          1039        0.8
//	encode exception          730          0           571        0.8
//
// Python's codec here is compiled code, not pure Python as serpent is;
// in a CPU profile of the msgpack decoder a fifth of the time goes to
// pickle.Dicts (a hash table each, every key hashed on Set) and another
// fifth to allocation: the price of one value model for every codec.
//
// Decoding runs no code and never panics; Decode and Append are safe for
// concurrent use.
package pymarshal
