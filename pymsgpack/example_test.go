package pymsgpack_test

import (
	"fmt"

	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/pymsgpack"
)

type fruit struct {
	Name  string  `pyro:"name"`
	Price float64 `pyro:"price"`
}

// A Pyro5 msgpack call message, the bytes of
// MsgpackSerializer.dumpsCall("thing", "add", (1, "two"), {"n": 3}), read
// into Go values, and a struct written as Pyro writes the map.
func Example() {
	call := []byte("\x94\xa5thing\xa3add\x92\x01\xa3two\x81\xa1n\x03")
	var parts []any // the array (object, method, vargs, kwargs)
	if err := pymsgpack.Unmarshal(call, &parts); err != nil {
		fmt.Println(err)
		return
	}
	var params []any
	var kwargs map[string]int
	if err := pickle.Assign(&params, parts[2]); err != nil {
		fmt.Println(err)
	}
	if err := pickle.Assign(&kwargs, parts[3]); err != nil {
		fmt.Println(err)
	}
	fmt.Println(parts[0], parts[1], params, kwargs)

	out, err := pymsgpack.Marshal(fruit{Name: "apple", Price: 1.5})
	fmt.Printf("%q %v\n", out, err)
	// Output:
	// thing add [1 two] map[n:3]
	// "\x82\xa4name\xa5apple\xa5price\xcb?\xf8\x00\x00\x00\x00\x00\x00" <nil>
}
