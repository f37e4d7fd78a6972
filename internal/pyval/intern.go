package pyval

// Short strings recur from one Pyro message to the next (object ids,
// method names, dict keys): a decoder's pooled state keeps them boxed in
// an Interner, so that decoding one again allocates nothing. The boxed
// values are immutable strings, safe to share between the values decodes
// return.
const (
	maxInterned    = 40   // longest string interned, in bytes
	maxInternCount = 1024 // entries before the cache starts over
)

// Interner boxes strings, short ones once. The zero Interner is ready; it
// is not safe for concurrent use (each pooled decoder state has its own).
type Interner struct{ m map[string]any }

// Box returns the string of b as a value, interned when short.
func (in *Interner) Box(b []byte) any {
	if len(b) > maxInterned {
		return string(b)
	}
	if v, ok := in.m[string(b)]; ok {
		return v
	}
	if in.m == nil {
		in.m = make(map[string]any)
	}
	if len(in.m) >= maxInternCount {
		clear(in.m)
	}
	s := string(b)
	v := any(s)
	in.m[s] = v
	return v
}
