package pickle

import (
	"bytes"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	gopickle "github.com/nlpodyssey/gopickle/pickle"
	gotypes "github.com/nlpodyssey/gopickle/types"
)

// TestDecodeGopickleOracle decodes the golden corpus and the hand-written
// pickles with gopickle too and compares both results where gopickle's types
// can be compared: numbers, strings (gopickle does not tell str from unicode,
// so neither does the comparison) and the container structure. Pickles with
// protocol 0 text strings are left out: gopickle does not unescape them.
func TestDecodeGopickleOracle(t *testing.T) {
	inputs := map[string][]byte{"call message": stdCallMessage}
	for _, tc := range decOpcodeCases {
		inputs["opcode "+tc.name] = []byte(tc.in)
	}
	files, _ := filepath.Glob("testdata/golden/*.pickle")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			inputs[name] = data
		}
	}
	compared := 0
	for name, data := range inputs {
		if ops, ok := decOpList(data); !ok || bytes.IndexByte(ops, opString) >= 0 || bytes.IndexByte(ops, opUnicode) >= 0 {
			continue
		}
		if name == "opcode DICT and SETITEM" { // gopickle keeps equal keys twice
			continue
		}
		theirs, ok := decGopickle(data)
		if !ok {
			continue
		}
		tn, ok := decNormalize(theirs, 0)
		if !ok {
			continue
		}
		ours, err := decPlain(data)
		if err != nil {
			t.Errorf("%s: gopickle decodes it, we fail: %v", name, err)
			continue
		}
		on, ok := decNormalize(ours, 0)
		if !ok {
			t.Errorf("%s: our value does not normalize: %#v", name, ours)
			continue
		}
		compared++
		if on != tn {
			t.Errorf("%s:\nours     %s\ngopickle %s", name, on, tn)
		}
	}
	if compared < 50 {
		t.Errorf("only %d pickles compared", compared)
	}
}

// decGopickle decodes with gopickle, which panics on some inputs.
func decGopickle(data []byte) (v any, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	v, err := gopickle.Loads(string(data))
	return v, err == nil
}

// decNormalize renders a value of either decoder in one canonical text;
// false for values the comparison does not cover (instances, globals).
func decNormalize(v any, depth int) (string, bool) {
	if depth > 50 {
		return "", false
	}
	seq := func(open, close string, items []any, sorted bool) (string, bool) {
		parts := make([]string, len(items))
		for i, x := range items {
			s, ok := decNormalize(x, depth+1)
			if !ok {
				return "", false
			}
			parts[i] = s
		}
		if sorted {
			sort.Strings(parts)
		}
		return open + strings.Join(parts, ", ") + close, true
	}
	dict := func(kv [][2]any) (string, bool) {
		parts := make([]string, len(kv))
		for i, e := range kv {
			k, ok1 := decNormalize(e[0], depth+1)
			v, ok2 := decNormalize(e[1], depth+1)
			if !ok1 || !ok2 {
				return "", false
			}
			parts[i] = k + ": " + v
		}
		sort.Strings(parts)
		return "{" + strings.Join(parts, ", ") + "}", true
	}
	switch x := v.(type) {
	case nil, None:
		return "None", true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return "int " + strconv.Itoa(x), true
	case int64:
		return "int " + strconv.FormatInt(x, 10), true
	case *big.Int:
		return "int " + x.String(), true
	case float64:
		return "float " + strconv.FormatFloat(x, 'g', -1, 64), true
	case string:
		return "str " + strconv.Quote(x), true
	case ByteString:
		return "str " + strconv.Quote(string(x)), true
	case Bytes:
		return "str " + strconv.Quote(string(x)), true
	case []byte:
		return "str " + strconv.Quote(string(x)), true
	case ByteArray:
		return "bytearray " + strconv.Quote(string(x)), true
	case *gotypes.ByteArray:
		return "bytearray " + strconv.Quote(string(*x)), true
	case Tuple:
		return seq("(", ")", x, false)
	case *gotypes.Tuple:
		return seq("(", ")", *x, false)
	case *List:
		return seq("[", "]", x.Items, false)
	case *gotypes.List:
		return seq("[", "]", *x, false)
	case *Set:
		return seq("set{", "}", x.Items, true)
	case *gotypes.Set:
		items := make([]any, 0, len(*x))
		for k := range *x {
			items = append(items, k)
		}
		return seq("set{", "}", items, true)
	case *FrozenSet:
		return seq("frozenset{", "}", x.Items, true)
	case *gotypes.FrozenSet:
		items := make([]any, 0, len(*x))
		for k := range *x {
			items = append(items, k)
		}
		return seq("frozenset{", "}", items, true)
	case Dict:
		var kv [][2]any
		for k, v := range x.Iter() {
			kv = append(kv, [2]any{k, v})
		}
		return dict(kv)
	case *gotypes.Dict:
		var kv [][2]any
		for _, e := range *x {
			kv = append(kv, [2]any{e.Key, e.Value})
		}
		return dict(kv)
	}
	return fmt.Sprintf("%T", v), false
}
