package pickle

import (
	"reflect"
	"testing"

	ogórek "github.com/kisielk/og-rek"
)

// TestDictLayout guards the unsafe conversion in mapOf: it is only right
// while og-rek's Dict is a struct of exactly one field of type
// *gomap.Map[any, any]. The size check beside mapOf catches a second field
// but not a pointer to another type; this catches both, and checks that the
// map reached through the conversion is the one Dict's own methods use.
func TestDictLayout(t *testing.T) {
	dt := reflect.TypeFor[ogórek.Dict]()
	if dt.Kind() != reflect.Struct || dt.NumField() != 1 {
		t.Fatalf("og-rek Dict is %v with %d fields; mapOf expects a struct holding one *gomap.Map[any, any]", dt.Kind(), dt.NumField())
	}
	if got, want := dt.Field(0).Type, reflect.TypeFor[*dictMap](); got != want {
		t.Fatalf("og-rek Dict holds %v; mapOf expects %v", got, want)
	}
	d := ogórek.NewDict()
	d.Set("a", int64(1))
	m := mapOf(d)
	if v, ok := m.Get("a"); !ok || v != int64(1) || m.Len() != d.Len() {
		t.Fatalf("map reached through mapOf does not hold what Dict.Set stored: %v %v, len %d vs %d", v, ok, m.Len(), d.Len())
	}
	m.Set("b", int64(2))
	if d.Get("b") != int64(2) {
		t.Fatalf("Dict does not see what was set through mapOf")
	}
}
