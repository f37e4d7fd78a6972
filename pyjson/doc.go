// Package pyjson encodes and decodes JSON as Pyro 4 and Pyro 5 use it
// (their json serializer: id 2 in Pyro 4, id 3 in Pyro 5), into the value
// model of package pickle, so that one Go method serves Pyro 3 (pickle) and
// Pyro 4/5 callers with every serializer alike.
//
// Pyro writes json.dumps(v, ensure_ascii=False, default=...) encoded as
// UTF-8 and reads json.loads of the UTF-8 text. Its default hook writes
// sets as arrays (via tuples), UUIDs, Decimals and datetimes as strings
// (isoformat), and everything else as class dicts (instances as vars()
// plus "__class__", exceptions as {"__class__", "__exception__": true,
// "args", "attributes"}); it refuses bytes, complex numbers and
// frozensets. The call message is {"object", "method", "params", "kwargs"}.
// The golden vectors in testdata are recorded from Python 3.11 and Pyro5
// 5.17 by scripts/capture_codecs.py.
//
// The scanner and writer are this package's own: encoding/json cannot keep
// Python's forms (NaN, Infinity and -Infinity, ints of any size, floats as
// repr writes them, lone surrogates from \ud800 escapes, Python's escapes
// and ", " and ": " separators).
//
// # API
//
//	Decode(data []byte) (any, error)       json.loads, serpent.DefaultLimits
//	Unmarshal(data []byte, dst any) error  Decode, then pickle.Assign into dst
//	Marshal(v any) ([]byte, error)         json.dumps as Pyro calls it
//	type Decoder struct{ Limits }          (*Decoder).Decode
//	type Encoder struct{ MaxDepth }        (*Encoder).Append(dst, v)
//	type Limits = serpent.Limits           bounds on one decode
//	type Error, EncodeError                typed errors wrapping serpent's sentinels
//
// # Decoding: JSON → Go
//
//	null, true, false              pickle.None, true, false
//	int (no fraction or exponent)  int64, *big.Int beyond int64
//	other numbers, NaN, Infinity   float64 (1e400 is +Inf, as in Python)
//	string                         string (lone surrogate escapes in their
//	                               three-byte form, as package pickle keeps them)
//	array                          *pickle.List (Pyro's tuples and sets arrive so)
//	object                         pickle.Dict with str keys (the last of
//	                               duplicate keys wins)
//
// Class dicts stay dicts, as in package serpent. Decode refuses, with an
// *Error, what json.loads refuses (ErrSyntax), data that is not UTF-8 or
// starts with a byte order mark (ErrEncoding), and data over the Limits
// (ErrLimit; MaxIntDigits is Python's 4300-digit bound on int()).
//
// # Encoding: Go → JSON
//
// Go values are walked as package serpent walks them (the rule every
// gopyro codec shares; see package pymarshal for the list); tuples, lists
// and sets become arrays, time.Time its isoformat string, time.Duration
// float seconds. Dict keys are written as Python's json writes them: str as
// it is, ints, floats, bools and None as their JSON text in quotes, sorted
// by pickle.CompareKeys; other keys fail with ErrUnsupportedValue, as in
// Python. Bytes, complex numbers and frozensets fail with
// ErrUnsupportedType, as in Pyro, and so do ints of more than 4300 digits
// (ErrUnsupportedValue). Strings are written as Python writes them with
// ensure_ascii=False, but for lone surrogates, which Pyro cannot encode as
// UTF-8 and this package writes as \u escapes (Python reads them back).
//
// # Pyro 4
//
// Pyro4 4.82's json serializer (Pyro4/util.py) writes and reads as Pyro 5's
// does; only the serializer id differs.
//
// # Speed
//
// scripts/bench_codec.sh json 200ms 5 times Decode and Append against
// Python's json (its C scanner and encoder) as Pyro5 calls it, on the same bytes in one run (Pyro5's call message
// and an exception's class dict from testdata/golden.json), Go and Python
// alternating for five rounds and each keeping its best. On the shared
// 2-core development machine (3 Dec 2026, load average 0.4 to 1.2):
//
//	                     Go ns/op  allocs/op  Python ns/op  Python/Go
//	decode call message      2706         18          4500        1.7
//	encode call message      1124          0          7203        6.4
//	decode exception         2026         10          3333        1.6
//	encode exception          829          0          5659        6.8
//
// Python's codec here is compiled code, not pure Python as serpent is;
// in a CPU profile of the msgpack decoder a fifth of the time goes to
// pickle.Dicts (a hash table each, every key hashed on Set) and another
// fifth to allocation: the price of one value model for every codec.
//
// Decoding never panics; Decode and Append are safe for concurrent use.
package pyjson
