package pymarshal_test

import (
	"fmt"

	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/pymarshal"
)

type fruit struct {
	Name  string  `pyro:"name"`
	Price float64 `pyro:"price"`
}

// A Pyro5 marshal call message, the bytes of
// MarshalSerializer.dumpsCall("thing", "add", (1, "two"), {"n": 3}) with
// CPython's reference flags, read into Go values, and a struct written as
// Pyro writes the dict (without reference flags).
func Example() {
	call := []byte(")\x04\xda\x05thing\xda\x03add\xdb\x02\x00\x00\x00\xe9\x01\x00\x00\x00\xda\x03two\xfb\xda\x01n\xe9\x03\x00\x00\x000")
	var parts []any // the tuple (object, method, vargs, kwargs)
	if err := pymarshal.Unmarshal(call, &parts); err != nil {
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

	out, err := pymarshal.Marshal(fruit{Name: "apple", Price: 1.5})
	fmt.Printf("%q %v\n", out, err)
	// Output:
	// thing add [1 two] map[n:3]
	// "{z\x04namez\x05applez\x05priceg\x00\x00\x00\x00\x00\x00\xf8?0" <nil>
}
