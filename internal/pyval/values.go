package pyval

import (
	"fmt"
	"math"
	"math/big"

	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/serpent"
)

// MaxNaNKeys bounds the dict keys and set elements holding a float NaN in
// one decode: NaN keys never compare equal and all hash alike, so inserting
// n of them takes time quadratic in n (package pickle has the same bound).
const MaxNaNKeys = 1000

// KeyCheck vets the dict keys and set elements of one decode. The zero
// KeyCheck is ready.
type KeyCheck struct{ nans int }

// Check returns nil when Python could hash the decoded value k, so that it
// may be a dict key or set element (and pickle.Dict can hold it): None,
// bools, numbers, str, bytes, frozensets (compared by identity, as in
// package pickle) and tuples of those, nested at most depth deep. Else it
// returns an error wrapping serpent.ErrUnhashable, or serpent.ErrLimit past
// MaxNaNKeys keys holding a NaN.
func (c *KeyCheck) Check(k any, depth int) error {
	ok, nan := hashable(k, depth)
	if !ok {
		return fmt.Errorf("%w: unhashable type: '%s'", serpent.ErrUnhashable, pickle.PythonType(k))
	}
	if nan {
		if c.nans++; c.nans > MaxNaNKeys {
			return fmt.Errorf("%w: over %d dict keys or set elements holding a NaN", serpent.ErrLimit, MaxNaNKeys)
		}
	}
	return nil
}

// Reset starts a new decode.
func (c *KeyCheck) Reset() { c.nans = 0 }

func hashable(k any, depth int) (ok, nan bool) {
	switch x := k.(type) {
	case float64:
		return true, x != x
	case complex128:
		return true, real(x) != real(x) || imag(x) != imag(x)
	case nil, pickle.None, bool, int64, *big.Int, string, pickle.Bytes, *pickle.FrozenSet:
		return true, false
	case pickle.Tuple:
		if depth <= 0 {
			return false, false
		}
		for _, e := range x {
			eok, enan := hashable(e, depth-1)
			if !eok {
				return false, false
			}
			nan = nan || enan
		}
		return true, nan
	}
	return false, false
}

// Dedup drops the items equal (by Python's rules: 1 == 1.0 == True) to an
// earlier one, as building a Python set does; the items must have passed
// a KeyCheck.
func Dedup(items []any) []any {
	if len(items) < 2 {
		return items
	}
	seen := pickle.NewDict()
	out := items[:0]
	for _, x := range items {
		if _, dup := seen.Get_(x); !dup {
			seen.Set(x, nil)
			out = append(out, x)
		}
	}
	clear(items[len(out):])
	return out
}

// pythonNaN is the bits of Python's float('nan'); Go's math.NaN() has a
// payload bit set that Python's does not.
const pythonNaN = 0x7ff8000000000000

// FloatBits is math.Float64bits with every NaN written as Python's NaN (its
// sign kept), so that the binary codecs write NaN as Python does.
func FloatBits(f float64) uint64 {
	if f != f {
		return pythonNaN | math.Float64bits(f)&(1<<63)
	}
	return math.Float64bits(f)
}
