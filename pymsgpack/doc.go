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
// as ext 0x31 and 0x30, time.Time as ext 0x32 (its timestamp, as Pyro
// writes a naive datetime: a Go time is an instant, where Pyro refuses an
// aware datetime), time.Duration as float seconds, map keys sorted by
// pickle.CompareKeys. Frozensets fail with ErrUnsupportedType and ints of
// more than 4300 digits with ErrUnsupportedValue, as in Pyro; strings that
// are not UTF-8 (lone surrogates included, which Python's packer refuses)
// with ErrInvalidUTF8.
//
// Decoding never panics; Decode and Append are safe for concurrent use.
package pymsgpack
