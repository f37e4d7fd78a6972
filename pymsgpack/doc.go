// Package pymsgpack encodes and decodes msgpack as Pyro 4 and Pyro 5 use it
// (their msgpack serializer: id 6 in Pyro 4, id 4 in Pyro 5), into the
// value model of package pickle, so that one Go method serves Pyro 3
// (pickle) and Pyro 4/5 callers with every serializer alike. The wire forms
// are written and read with github.com/vmihailenco/msgpack/v5's low-level
// calls; this package maps them to Python's values.
//
// Pyro writes msgpack.packb(v, use_bin_type=True, default=...) and reads
// msgpack.unpackb(data, raw=False, ext_hook=...). Its default hook writes
// sets as arrays (via tuples), UUIDs and Decimals as strings, and these ext
// types (the same in Pyro 4 and 5, in native byte order: little-endian):
//
//	0x30  complex: real and imaginary float64 (struct "dd")
//	0x31  int beyond the 64-bit range: its decimal digits
//	0x32  naive datetime: its timestamp, float64 (struct "d")
//	0x33  date: its proleptic Gregorian ordinal, int64 (struct "l")
//
// and everything else as class dicts (instances as vars() plus
// "__class__", exceptions as {"__class__", "__exception__": true, "args",
// "attributes"}); it refuses frozensets and aware datetimes. The call
// message is the array (object, method, vargs, kwargs). The golden vectors
// in testdata are recorded from Python 3.11, msgpack 1.2.4 and Pyro5 5.17 by
// scripts/capture_codecs.py.
//
// # API
//
//	Decode(data []byte) (any, error)       msgpack.unpackb as Pyro calls it
//	Unmarshal(data []byte, dst any) error  Decode, then pickle.Assign into dst
//	Marshal(v any) ([]byte, error)         msgpack.packb as Pyro calls it
//	type Decoder struct{ Limits }          (*Decoder).Decode
//	type Encoder struct{ MaxDepth }        (*Encoder).Append(dst, v)
//	type Limits = serpent.Limits           bounds on one decode
//	type Error, EncodeError                typed errors wrapping serpent's sentinels
//
// # Decoding: msgpack → Go
//
//	nil, true, false        pickle.None, true, false
//	ints                    int64; uint64 above int64 as *big.Int
//	float32, float64        float64
//	str                     string (must be UTF-8, as with raw=False)
//	bin                     pickle.Bytes
//	array                   *pickle.List (Pyro's tuples and sets arrive so)
//	map                     pickle.Dict
//	ext 0x30                complex128
//	ext 0x31                int64 or *big.Int
//	ext 0x32, 0x33          time.Time in UTC (Python makes naive local times
//	                        of the timestamp; a date is its midnight)
//
// Class dicts stay dicts, as in package serpent. Map keys may be any
// hashable value (Python's unpackb takes str and bytes keys only, by
// strict_map_key). Decode refuses, with an *Error, what unpackb with Pyro's
// hook refuses (ErrSyntax: truncated data, the never-used code 0xc1, extra
// data after the value, other ext types and bad ext payloads; ErrEncoding
// for a str that is not UTF-8; ErrUnhashable for array and map keys), data
// over the Limits (ErrLimit), and msgpack's own timestamp ext -1, which
// Python returns as a msgpack.Timestamp and Pyro never writes
// (ErrUnsupported).
//
// # Encoding: Go → msgpack
//
// Go values are walked as package serpent walks them (the rule every
// gopyro codec shares; see package pymarshal for the list), in msgpack's
// smallest forms as Python's packer writes them: tuples, lists and sets
// as arrays, bytes as bin, ints beyond the 64-bit range and complex numbers
// as ext 0x31 and 0x30, map keys of any hashable value as Pyro writes them
// (though Python's unpackb reads str and bytes keys only), time.Time as
// ext 0x32 (its timestamp, as Pyro
// writes a naive datetime: a Go time is an instant, where Pyro refuses an
// aware datetime), time.Duration as float seconds, map keys sorted by
// pickle.CompareKeys. Frozensets fail with ErrUnsupportedType and ints of
// more than 4300 digits with ErrUnsupportedValue, as in Pyro; strings that
// are not UTF-8 (lone surrogates included, which Python's packer refuses)
// with ErrInvalidUTF8.
//
// # Pyro 4
//
// Pyro4 4.82 (Pyro4/util.py) maps values as Pyro 5 does, with one gap: its
// loadsCall passes no ext hook to unpackb, so a Pyro 4 daemon gets call
// arguments of Pyro's ext types (complex numbers, ints beyond 64 bits,
// times) as msgpack.ExtType objects, not as the values: send those to
// Pyro 4 daemons with another serializer.
//
// # Speed
//
// scripts/bench_codec.sh msgpack 200ms 5 times Decode and Append against
// Python's msgpack 1.2.4 (its Cython extension) as Pyro5 calls it, on the same bytes in one run (Pyro5's call message
// and an exception's class dict from testdata/golden.json), Go and Python
// alternating for five rounds and each keeping its best. On the shared
// 2-core development machine (3 Dec 2026, load average 0.4 to 1.2):
//
//	                     Go ns/op  allocs/op  Python ns/op  Python/Go
//	decode call message      2442         13          1179        0.5
//	encode call message       750          0          1487        2.0
//	decode exception         1845          8          1185        0.6
//	encode exception          740          0          1343        1.8
//
// Python's codec here is compiled code, not pure Python as serpent is;
// in a CPU profile of the msgpack decoder a fifth of the time goes to
// pickle.Dicts (a hash table each, every key hashed on Set) and another
// fifth to allocation: the price of one value model for every codec.
//
// Decoding never panics; Decode and Append are safe for concurrent use.
package pymsgpack
