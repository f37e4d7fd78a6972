package compat

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/pickle"
)

// Expected results come from Pyro 3.16's PyroURI / processStringURI under
// Python 2.7 (PYRO_DNS_URI=1, so host names are kept as given).
func TestParseURI(t *testing.T) {
	tests := []struct {
		in      string
		want    URI
		wantErr string
	}{
		{"PYRO://127.0.0.1:7766/abc", URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 7766, ObjectID: "abc"}, ""},
		{"PYRO://host/abc", URI{Protocol: "PYRO", Address: "host", Port: 7766, ObjectID: "abc"}, ""},
		{"PYRO://host/a/b", URI{}, "URIError: malformed hostname"},
		{"PYRO://host:99/a/b", URI{Protocol: "PYRO", Address: "host", Port: 99, ObjectID: "a/b"}, ""},
		{"PYROSSL://h:1/x", URI{Protocol: "PYROSSL", Address: "h", Port: 1, ObjectID: "x"}, ""},
		{"FOO://h/x", URI{Protocol: "FOO", Address: "h", Port: 7766, ObjectID: "x"}, ""},
		{"PYRO://h:0/x", URI{Protocol: "PYRO", Address: "h", Port: 7766, ObjectID: "x"}, ""},
		{"PYRO://h/", URI{Protocol: "PYRO", Address: "h", Port: 7766, ObjectID: ""}, ""},
		{"PYRO://h/x y", URI{Protocol: "PYRO", Address: "h", Port: 7766, ObjectID: "x"}, ""},
		{"PYRO://h:abc/x", URI{}, "URIError: invalid URI format"},
		{"PYRO://h", URI{}, "URIError: invalid URI format"},
		{"garbage", URI{}, "URIError: invalid URI format"},
		{"PYRO:obj_1@127.0.0.1:9090", URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 9090, ObjectID: "obj_1", Style: Pyro5Style}, ""},
		{"PYRO:Pyro.NameServer@[::1]:9090", URI{Protocol: "PYRO", Address: "::1", Port: 9090, ObjectID: "Pyro.NameServer", Style: Pyro5Style}, ""},
		{"PYRO:x@h", URI{}, "URIError: invalid URI format"},
		{"PYRONAME:test.proxy", URI{Protocol: "PYRONAME", ObjectID: "test.proxy", Style: Pyro5Style}, ""},
		{"PYRONAME:test.proxy@127.0.0.1:5555", URI{Protocol: "PYRONAME", Address: "127.0.0.1", Port: 5555, ObjectID: "test.proxy", Style: Pyro5Style}, ""},
		{"PYRONAME:n@[::1]:5", URI{Protocol: "PYRONAME", Address: "::1", Port: 5, ObjectID: "n", Style: Pyro5Style}, ""},
		{"PYROMETA:group:proxy,kind:test@ns.example:1", URI{Protocol: "PYROMETA", Address: "ns.example", Port: 1, ObjectID: "group:proxy,kind:test", Style: Pyro5Style}, ""},
		{"PYROMETA:a", URI{Protocol: "PYROMETA", ObjectID: "a", Style: Pyro5Style}, ""},
		{"://h/x", URI{}, "URIError: invalid URI format"},
		{"PYRO:/h/x", URI{}, "URIError: invalid URI format"},
		{"PYROLOC://h/name", URI{Protocol: "PYROLOC", Address: "h", Port: 7766, ObjectID: "name"}, ""},
		{"PYROLOC://h:9/:test.plain", URI{Protocol: "PYROLOC", Address: "h", Port: 9, ObjectID: ":test.plain"}, ""},
		{"PYROLOC://h/", URI{}, "URIError: invalid URI format"},
		{"PYROLOCSSL://h/n", URI{Protocol: "PYROLOCSSL", Address: "h", Port: 7766, ObjectID: "n"}, ""},
		{"PYROLOCX://h/n", URI{}, "URIError: invalid URI format"},
		{"PYRO://h:99999999999999999999999/x", URI{}, "TypeError: port must be integer"},
		{"PYRO:// h/x", URI{}, "URIError: invalid URI format"},
		{"PYRO://h\v/x", URI{}, "URIError: invalid URI format"},
		{"pyro://h/x", URI{Protocol: "pyro", Address: "h", Port: 7766, ObjectID: "x"}, ""},
		{"PYRO://h:12/x\ty", URI{Protocol: "PYRO", Address: "h", Port: 12, ObjectID: "x"}, ""},
		{"PYROLOC://a/b/c", URI{}, "URIError: malformed hostname"},
		{"PYRO://h::1/x", URI{}, "URIError: invalid URI format"},
		// PYRONAME: parsed, not resolved (Pyro's regex groups).
		{"PYRONAME://:Default.test", URI{Protocol: "PYRONAME", Address: "", Port: 0, ObjectID: ":Default.test"}, ""},
		{"PYRONAME://host/:Default.x", URI{Protocol: "PYRONAME", Address: "host", Port: 0, ObjectID: ":Default.x"}, ""},
		{"PYRONAME://host:9090/name", URI{Protocol: "PYRONAME", Address: "host", Port: 9090, ObjectID: "name"}, ""},
		{"PYRONAME://a/b/c", URI{Protocol: "PYRONAME", Address: "a/b", Port: 0, ObjectID: "c"}, ""},
		{"PYRONAME://name", URI{Protocol: "PYRONAME", Address: "", Port: 0, ObjectID: "name"}, ""},
		{"PYRONAME://host:9090", URI{Protocol: "PYRONAME", Address: "", Port: 0, ObjectID: "host:9090"}, ""},
		{"PYRONAME://h:1/", URI{Protocol: "PYRONAME", Address: "h", Port: 1, ObjectID: ""}, ""},
		{"PYRONAME://x y", URI{Protocol: "PYRONAME", Address: "", Port: 0, ObjectID: "x"}, ""},
		{"PYRONAMESSL://h/x", URI{}, "ProtocolError: NOT SUPPORTED YET: PYRONAMESSL"},
		{"PYRONAMEX://h/x", URI{}, "URIError: invalid URI format"},
	}
	for _, tt := range tests {
		got, err := ParseURI(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseURI(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseURI(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseURI(%q) (-want +got):\n%s", tt.in, diff)
		}
		if got.Style == Pyro5Style && got.String() != tt.in {
			t.Errorf("ParseURI(%q).String() = %q", tt.in, got.String())
		}
	}
}

func TestParseURIErrorTypes(t *testing.T) {
	_, err := ParseURI("PYRO://host/a/b")
	var ue *URIError
	if !errors.As(err, &ue) {
		t.Fatalf("error %T is not a *URIError", err)
	}
	var pe *PyroError
	if !errors.As(err, &pe) || pe.Class.Name != "URIError" {
		t.Errorf("URIError is not found as a *PyroError: %v", pe)
	}
	_, err = ParseURI("PYRONAMESSL://x")
	var pre *ProtocolError
	if !errors.As(err, &pre) {
		t.Errorf("PYRONAMESSL error %T is not a *ProtocolError", err)
	}
}

func TestURIString(t *testing.T) {
	tests := []struct {
		u    URI
		want string
	}{
		{URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 7766, ObjectID: "abc"}, "PYRO://127.0.0.1:7766/abc"},
		{URI{Protocol: "PYROLOC", Address: "h", Port: 9, ObjectID: ":test.plain"}, "PYROLOC://h:9/:test.plain"},
		{URI{Protocol: "PYRO", Address: "h", Port: 7766, ObjectID: ""}, "PYRO://h:7766/"},
		{URI{Protocol: "PYRONAME", Address: "", Port: 0, ObjectID: ":Default.x"}, "PYRONAME://:Default.x"},
		{URI{Protocol: "PYRONAME", Address: "h", Port: 0, ObjectID: "x"}, "PYRONAME://h/x"},
		{URI{Protocol: "PYRONAME", Address: "h", Port: 1, ObjectID: "x"}, "PYRONAME://h:1/x"},
	}
	for _, tt := range tests {
		if got := tt.u.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.u, got, tt.want)
		}
		back, err := ParseURI(tt.want)
		if err != nil || back != tt.u {
			t.Errorf("ParseURI(%q) = %v, %v; want %v", tt.want, back, err, tt.u)
		}
	}
}

func TestNewGUID(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		g := NewGUID()
		if len(g) < 34 {
			t.Fatalf("GUID %q is %d chars, want at least 34", g, len(g))
		}
		for _, c := range g {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				t.Fatalf("GUID %q has a non-hex char", g)
			}
		}
		if seen[g] {
			t.Fatalf("duplicate GUID %q", g)
		}
		seen[g] = true
	}
	if len(InternalDaemonGUID) != 32 {
		t.Errorf("InternalDaemonGUID has %d chars", len(InternalDaemonGUID))
	}
}

// TestURIPickleState checks that a URI, which the encoder writes through
// PickleState, pickles exactly as its PickleObject result at every
// protocol.
func TestURIPickleState(t *testing.T) {
	u := URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 7766, ObjectID: "7f00000146c929cefcdb0cb175b39735c4"}
	o, err := u.PickleObject()
	if err != nil {
		t.Fatal(err)
	}
	for proto := 0; proto <= pickle.HighestProtocol; proto++ {
		enc := pickle.Encoder{Protocol: proto}
		got, err1 := enc.Append(nil, u)
		want, err2 := enc.Append(nil, o)
		if err1 != nil || err2 != nil {
			t.Fatalf("protocol %d: %v, %v", proto, err1, err2)
		}
		if string(got) != string(want) {
			t.Errorf("protocol %d: PickleState gives\n%q\nPickleObject gives\n%q", proto, got, want)
		}
	}
}

// TestDecodeURIState checks the decoding of Python's protocol 2 PyroURI
// pickle (the shape whose state skips the Dict) and that a PyroURI with a
// state not exactly Pyro's stays a generic object with its state Dict.
func TestDecodeURIState(t *testing.T) {
	const head = "\x80\x02cPyro.core\nPyroURI\nq\x00)\x81q\x01}q\x02(U\x08protocolq\x03U\x04PYROq\x04U\x04portq\x05M\x56\x1eU\x08objectIDq\x06U\x200123456789abcdef0123456789abcdefq\x07U\x07addressq\x08U\x09127.0.0.1q\x09"
	v, err := pickle.Decode([]byte(head + "ub."))
	if err != nil {
		t.Fatal(err)
	}
	want := URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 7766, ObjectID: "0123456789abcdef0123456789abcdef"}
	if v != any(want) {
		t.Errorf("decoded %#v, want %#v", v, want)
	}
	v, err = pickle.Decode([]byte(head + "U\x05extraK\x01ub."))
	if err != nil {
		t.Fatal(err)
	}
	o, ok := v.(*pickle.Object)
	if !ok {
		t.Fatalf("decoded %T, want *pickle.Object", v)
	}
	d, ok := o.State.(pickle.Dict)
	if !ok || d.Len() != 5 {
		t.Fatalf("state %#v, want a Dict of 5 items", o.State)
	}
	if x, ok := o.Attr("extra"); !ok || x != int64(1) {
		t.Errorf("Attr(extra) = %v, %v", x, ok)
	}
}

// TestParsePyro5NameURI: the Pyro 5 name URIs that do not print back as
// given: the default port, the protocol word in lower case, spaces in the
// metadata list.
func TestParsePyro5NameURI(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"PYRONAME:n@host", "PYRONAME:n@host:9090"},
		{"pyroname:n", "PYRONAME:n"},
		{"PYROMETA:a,b@h", "PYROMETA:a,b@h:9090"},
	} {
		u, err := ParseURI(tt.in)
		if err != nil || u.String() != tt.want {
			t.Errorf("ParseURI(%q) = %v, %v; want %s", tt.in, u, err, tt.want)
		}
	}
	for _, bad := range []string{"PYRONAME:n@h:x", "PYRONAME:n@[h]:1", "PYROMETA:a b"} {
		if u, err := ParseURI(bad); err == nil {
			t.Errorf("ParseURI(%q) = %v", bad, u)
		}
	}
}

func TestPyro5URI(t *testing.T) {
	dict := func(state ...any) pickle.Dict {
		d := pickle.NewDict()
		d.Set("__class__", "Pyro5.core.URI")
		d.Set("state", pickle.Tuple(state))
		return d
	}
	for _, tt := range []struct {
		name    string
		in      any
		want    string
		wantErr string
	}{
		{"class dict", dict("PYRO", "obj", pickle.None{}, "127.0.0.1", int64(4000)), "PYRO:obj@127.0.0.1:4000", ""},
		{"string", "PYRO:obj@h:1", "PYRO:obj@h:1", ""},
		{"unix socket", dict("PYRO", "obj", "/tmp/s", pickle.None{}, pickle.None{}), "", "PyroError: unsupported uri: Unix domain socket"},
		{"short state", dict("PYRO", "obj"), "", "PyroError: invalid uri: not a Pyro5.core.URI"},
		{"bad port", dict("PYRO", "obj", pickle.None{}, "h", "x"), "", "PyroError: invalid uri state"},
		{"other", int64(1), "", "PyroError: invalid uri: int"},
	} {
		u, err := Pyro5URI(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s: error %v, want %s", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("%s: %v, %v; want %s", tt.name, u, err, tt.want)
		}
	}
}
