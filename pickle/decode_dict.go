package pickle

import (
	"unsafe"

	"github.com/aristanetworks/gomap"
	ogórek "github.com/kisielk/og-rek"
)

// og-rek's Dict is a struct holding one *gomap.Map, whose hash and equality
// follow Python's rules. The decoder fills dicts through the map itself:
//
//   - EMPTY_DICT creates a dict before the pickle says how many items
//     SETITEMS will put in it, and growing a gomap rehashes it, so the map
//     is presized when the first batch arrives (in place: copies of the
//     Dict in the memo share the map).
//   - Dict.Set deletes every equal key before inserting, three lookups per
//     item, to handle a str key equal to both a unicode and a bytes key
//     that differ from each other; gomap's Set does one lookup and, like
//     Dict.Set for every other key, replaces an equal key and its value.
//     Python 2 pickles never hold such a key pair.

type dictMap = gomap.Map[any, any]

// The conversions below rely on Dict being exactly one pointer.
var (
	_ [unsafe.Sizeof(Dict{}) - unsafe.Sizeof((*dictMap)(nil))]struct{}
	_ [unsafe.Sizeof((*dictMap)(nil)) - unsafe.Sizeof(Dict{})]struct{}
)

func mapOf(d Dict) *dictMap {
	return *(**dictMap)(unsafe.Pointer(&d))
}

// growDict makes the empty d ready for n items without rehashing: copies of
// d share the map, so the map itself is replaced by a presized one.
func growDict(d Dict, n int) {
	if n <= 8 {
		return
	}
	m := mapOf(d)
	if m.Len() != 0 {
		return
	}
	*m = *mapOf(ogórek.NewDictWithSizeHint(n))
}
