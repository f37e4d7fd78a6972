package pyjson_test

import (
	"fmt"

	"github.com/gopyro/gopyro/pyjson"
)

type fruit struct {
	Name  string  `pyro:"name"`
	Price float64 `pyro:"price"`
}

// A Pyro5 json call message, as JsonSerializer.dumpsCall writes it, read
// into Go values, and a struct written as Pyro writes the dict.
func Example() {
	call := []byte(`{"object": "thing", "method": "add", "params": [1, "two"], "kwargs": {"n": 3}}`)
	var msg struct {
		Object string         `pyro:"object"`
		Method string         `pyro:"method"`
		Params []any          `pyro:"params"`
		Kwargs map[string]int `pyro:"kwargs"`
	}
	if err := pyjson.Unmarshal(call, &msg); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(msg.Object, msg.Method, msg.Params, msg.Kwargs)

	out, err := pyjson.Marshal(fruit{Name: "apple", Price: 1.5})
	fmt.Printf("%s %v\n", out, err)
	// Output:
	// thing add [1 two] map[n:3]
	// {"name": "apple", "price": 1.5} <nil>
}
