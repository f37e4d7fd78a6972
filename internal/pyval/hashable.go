package pyval

import (
	"math/big"
	"time"

	"github.com/gopyro/gopyro/pickle"
)

// Hashable reports whether Python could hash the decoded value k, so that
// it may be a dict key or set element (and pickle.Dict can hold it): None,
// bools, numbers, str, bytes, datetimes (time.Time), frozensets and tuples of those. Lists, dicts
// and sets are not; depth bounds the tuple nesting looked into (deeper
// counts as unhashable; the decoders' depth limit is lower anyway).
func Hashable(k any, depth int) bool {
	switch x := k.(type) {
	case nil, pickle.None, bool, int64, float64, complex128, *big.Int, string, pickle.Bytes, *pickle.FrozenSet, time.Time:
		return true
	case pickle.Tuple:
		if depth <= 0 {
			return false
		}
		for _, e := range x {
			if !Hashable(e, depth-1) {
				return false
			}
		}
		return true
	}
	return false
}
