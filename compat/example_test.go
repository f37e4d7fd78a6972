package compat_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

func ExampleParseURI() {
	u, err := compat.ParseURI("PYROLOC://127.0.0.1/:test.plain")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.Protocol, u.Address, u.Port, u.ObjectID)
	fmt.Println(u)

	_, err = compat.ParseURI("PYRO://host/a/b")
	var ue *compat.URIError
	fmt.Println(errors.As(err, &ue), err)
	// Output:
	// PYROLOC 127.0.0.1 7766 :test.plain
	// PYROLOC://127.0.0.1:7766/:test.plain
	// true URIError: malformed hostname
}

// A server answers a failed call with a capsule; a client turns the decoded
// capsule back into the error.
func ExampleCapsule() {
	reply, err := pickle.Marshal(&compat.Capsule{
		Exc:       compat.NewNamingError("name not found", ":Default.x"),
		Traceback: []string{"Traceback (most recent call last):\n", "NamingError: ('name not found', ':Default.x')\n"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := pickle.Decode(reply)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := v.(*compat.Capsule)
	err = c.Err()
	var ne *compat.NamingError
	var pe *compat.PyroError
	fmt.Println(err)
	fmt.Println(errors.As(err, &ne), errors.As(err, &pe), len(ne.Traceback))
	// Output:
	// NamingError: ('name not found', ':Default.x')
	// true true 2
}

func ExampleAsException() {
	// A user exception class unknown to Go decodes as a generic object.
	v, err := pickle.Decode([]byte("\x80\x02ccapobjs\nMyError\nU\x06customK\x01\x86R."))
	if err != nil {
		fmt.Println(err)
		return
	}
	e, ok := compat.AsException(v)
	fmt.Println(ok, e)
	// Output: true MyError: ('custom', 1)
}

func ExampleNewDynamicProxy() {
	uri := compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 7766, ObjectID: compat.NewGUID()}
	data, err := pickle.Marshal(compat.NewDynamicProxy(uri))
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := pickle.Decode(data)
	p := v.(*compat.DynamicProxy)
	fmt.Println(p.URI == uri, p.Adapter.Validator.(*compat.ConnValidator).AllowedIDs)
	// Output: true [all]
}

func ExampleRepr() {
	fmt.Println(compat.Repr(pickle.Tuple{pickle.ByteString("str"), "unicode", int64(1), 1.5, pickle.None{}}))
	// Output: ('str', u'unicode', 1, 1.5, None)
}

// Str is what Python 2's print shows; Repr is the round-trip form.
func ExampleStr() {
	f := 2.0 / 9.0
	fmt.Println(compat.Str(f), compat.Repr(f))
	fmt.Println(compat.Str(100.0), compat.Str(1e16), compat.Str(pickle.ByteString("text")))
	// Output:
	// 0.222222222222 0.2222222222222222
	// 100.0 1e+16 text
}

// PyroTraceback prints a remote error as a Python client's
// print "".join(Pyro.util.getPyroTraceback(x)) does.
func ExamplePyroTraceback() {
	err := compat.ValueError("invalid literal")
	err.Traceback = []string{"Traceback (most recent call last):\n", "  File \"server.py\", line 3, in parse\n", "ValueError: invalid literal\n"}
	lines := compat.PyroTraceback(err)
	// lines[1] is the local frame: this function's file and line.
	fmt.Print(lines[0] + strings.Join(lines[2:], ""))
	// Output:
	// Traceback (most recent call last):
	// ValueError: invalid literal
	//  +--- This exception occured remotely (Pyro) - Remote traceback:
	//  | Traceback (most recent call last):
	//  |   File "server.py", line 3, in parse
	//  | ValueError: invalid literal
	//  +--- End of remote traceback
}
