// Package pickle encodes and decodes Python pickles with Python 2 semantics,
// as Pyro 3 puts them on the wire.
//
// The API (the contract other packages code against):
//
//	Decode(data []byte) (any, error)          generic decode, DefaultLimits, DefaultRegistry
//	Unmarshal(data []byte, dst any) error     typed decode into a Go destination
//	Assign(dst any, v any) error              typed conversion of an already decoded value
//	Marshal(v any) ([]byte, error)            encode at protocol 2
//	type Decoder struct{ Limits; Registry }   (*Decoder).Decode(data []byte) (any, error)
//	type Encoder struct{ Protocol; Registry } (*Encoder).Append(dst []byte, v any) ([]byte, error)
//	type Limits struct{...}; DefaultLimits
//	type Error struct{ Offset int; Op byte; Err error }   decode errors
//
// Python 2 values decode to these Go values:
//
//	None        pickle.None
//	bool        bool
//	int         int64
//	long        *big.Int
//	float       float64
//	str         pickle.ByteString
//	unicode     string
//	tuple       pickle.Tuple
//	list        *pickle.List
//	dict        pickle.Dict
//	set         *pickle.Set
//	frozenset   *pickle.FrozenSet
//	bytearray   pickle.ByteArray
//	bytes (py3) pickle.Bytes
//	instance    the registered Go value, else *pickle.Object
//	global      pickle.Class
package pickle
