package pickle_test

import (
	"errors"
	"fmt"

	"github.com/gopyro/gopyro/pickle"
)

// A Decoder with its own registry turns instances of a Python class into a Go
// type, here geo.Point(x=1, y=2) pickled by Python 2 at protocol 2.
func ExampleDecoder() {
	type Point struct{ X, Y any }
	reg := pickle.NewRegistry(nil)
	reg.Register("geo", "Point", func(o *pickle.Object) (any, error) {
		x, _ := o.Attr("x")
		y, _ := o.Attr("y")
		return Point{x, y}, nil
	})
	dec := pickle.Decoder{Registry: reg, Limits: pickle.Limits{MaxStringLen: 1 << 20}}
	v, err := dec.Decode([]byte("\x80\x02cgeo\nPoint\nq\x01)\x81q\x02}q\x03(U\x01xK\x01U\x01yK\x02ub."))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", v)
	// Output:
	// {X:1 Y:2}
}

// Decoding errors say where the pickle went wrong and wrap a sentinel error.
func ExampleError() {
	_, err := pickle.Decode([]byte("\x80\x02]q\x01h\x07."))
	fmt.Println(err)
	var perr *pickle.Error
	if errors.As(err, &perr) {
		fmt.Println(perr.Offset, errors.Is(err, pickle.ErrMemoMissing))
	}
	// Output:
	// pickle: offset 5, opcode 'h' (BINGET): memo index 7 not defined
	// 5 true
}
