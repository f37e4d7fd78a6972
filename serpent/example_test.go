package serpent_test

import (
	"errors"
	"fmt"

	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/serpent"
)

// Pyro 5 sends a call as the tuple (objectId, method, vargs, kwargs).
func ExampleDecode() {
	data := []byte("# serpent utf-8 python3.2\n('obj_1','add',(1,2.5,'x'),{'mode':'fast'})")
	v, err := serpent.Decode(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	call := v.(pickle.Tuple)
	mode, _ := call[3].(pickle.Dict).Get_("mode")
	fmt.Printf("%s.%s%v mode=%v\n", call[0], call[1], call[2], mode)
	// Output: obj_1.add[1 2.5 x] mode=fast
}

func ExampleMarshal() {
	out, err := serpent.Marshal(pickle.Tuple{"obj_1", "add", pickle.Tuple{int64(1), 2.5, []byte("\x00")}, map[string]any{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n", out)
	// Output:
	// # serpent utf-8 python3.2
	// ('obj_1','add',(1,2.5,{'data': 'AA==', 'encoding': 'base64'}),{})
}

// Serpent writes bytes as base64 dicts; Restore (or ToBytes) turns them
// back into bytes, as Pyro does on the Python side.
func ExampleDecoder_restore() {
	data := []byte("[{'data': 'aGk=', 'encoding': 'base64'}, {'__class__':'float','value':'nan'}]")
	plain, _ := serpent.Decode(data)
	d := serpent.Decoder{Restore: true}
	restored, _ := d.Decode(data)
	items := restored.(*pickle.List).Items
	fmt.Println(pickle.PythonType(plain.(*pickle.List).Items[0]), pickle.PythonType(items[0]), items[0], items[1])
	// Output: dict bytes hi NaN
}

func ExampleToBytes() {
	v, _ := serpent.Decode([]byte("{'data': 'AAEC', 'encoding': 'base64'}"))
	b, err := serpent.ToBytes(v)
	fmt.Println(b, err)
	// Output: [0 1 2] <nil>
}

func ExampleUnmarshal() {
	var args struct {
		Name    string
		Payload []byte
		Sizes   []int
	}
	err := serpent.Unmarshal([]byte("{'name':'x','payload':{'data':'AAE=','encoding':'base64'},'sizes':[1,2]}"), &args)
	fmt.Printf("%+v %v\n", args, err)
	// Output: {Name:x Payload:[0 1] Sizes:[1 2]} <nil>
}

func ExampleError() {
	_, err := serpent.Decode([]byte("{'a': [1, 2,\n  foo]}"))
	var e *serpent.Error
	if errors.As(err, &e) {
		fmt.Println(e.Line, e.Column, errors.Is(err, serpent.ErrNotLiteral))
	}
	fmt.Println(err)
	// Output:
	// 2 3 true
	// serpent: line 2 column 3 (offset 15): name "foo" is not a literal
}

// A Go type crosses as the class dict Pyro expects.
type proxyURI struct{ object, host string }

func (u proxyURI) MarshalSerpent() (any, error) {
	return map[string]any{
		"__class__": "Pyro5.core.URI",
		"state":     pickle.Tuple{"PYRO", u.object, nil, u.host, 9090},
	}, nil
}

func ExampleMarshaler() {
	out, _ := serpent.Marshal(proxyURI{"obj_1", "localhost"})
	fmt.Printf("%s\n", out[len(serpent.Header):])
	// Output: {'__class__':'Pyro5.core.URI','state':('PYRO','obj_1',None,'localhost',9090)}
}
