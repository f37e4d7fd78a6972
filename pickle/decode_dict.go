package pickle

import (
	"unsafe"

	"github.com/aristanetworks/gomap"
	ogórek "github.com/kisielk/og-rek"
)

// og-rek's Dict is a struct holding one *gomap.Map. EMPTY_DICT creates a
// dict before the pickle says how many items SETITEMS will put in it, and
// growing a gomap rehashes it: presizing the map when the first batch of
// items arrives makes decoding the call message's 10-item dict about a third
// cheaper. The map is replaced in place, so copies of the Dict (memo) see it.

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
