package pickle_test

import (
	"errors"
	"fmt"

	"github.com/gopyro/gopyro/pickle"
)

// An Encoder with MaxOutput refuses to build a pickle longer than the peer
// would accept. Values the decoder shares are written once, as cPickle
// writes them; Go slices have no identity and are written each time.
func ExampleEncoder_maxOutput() {
	shared, _ := pickle.Decode([]byte("\x80\x02K\x01" + "2\x86" + "2\x86" + "2\x86" + "."))
	e := pickle.Encoder{Protocol: 2, MaxOutput: 64}
	data, err := e.Append(nil, shared)
	fmt.Printf("%q %v\n", data, err)

	var doubled any = 1
	for range 8 {
		doubled = []any{doubled, doubled}
	}
	_, err = e.Append(nil, doubled)
	fmt.Println(errors.Is(err, pickle.ErrOutputLimit))
	// Output:
	// "\x80\x02K\x01K\x01\x86q\x01h\x01\x86q\x02h\x02\x86q\x03." <nil>
	// true
}
