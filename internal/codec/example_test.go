package codec_test

import (
	"fmt"

	"github.com/gopyro/gopyro/internal/codec"
)

func ExampleAtPath() {
	err := error(&codec.EncodeError{Codec: "pickle", Type: "chan int", Err: codec.ErrUnsupportedType})
	err = codec.AtPath(err, ".Inbox")
	err = codec.AtPath(err, codec.IndexPath(3))
	fmt.Println(err)
	// Output: pickle: cannot encode chan int at [3].Inbox: unsupported Go type
}
