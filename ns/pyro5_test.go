package ns

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

func TestPyro5Names(t *testing.T) {
	tests := []struct{ pyro5, pyro3 string }{
		{"example.greeting", ":Default.example.greeting"},
		{"quotes", ":Default.quotes"},
		{"Pyro.NameServer", ":Pyro.NameServer"},
		{"Pyro.EventService", ":Pyro.EventService"},
		{":Other.thing", ":Other.thing"},
		{"Default.x", ":Default.Default.x"},
	}
	for _, tt := range tests {
		if got := Pyro3Name(tt.pyro5, DefaultGroup); got != tt.pyro3 {
			t.Errorf("Pyro3Name(%q) = %q, want %q", tt.pyro5, got, tt.pyro3)
		}
		if got := Pyro5Name(tt.pyro3, DefaultGroup); got != tt.pyro5 {
			t.Errorf("Pyro5Name(%q) = %q, want %q", tt.pyro3, got, tt.pyro5)
		}
	}
}

// call5 calls the Pyro 5 name server object as the daemon does.
func call5(t *testing.T, s *Server5, method string, args []any, kw map[string]any) (any, error) {
	t.Helper()
	return s.Invoke(context.Background(), &core.Call{Method: method, Args: args, Kwargs: kw})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	ex := core.ToException(err)
	return ex.Class.Module + "." + ex.Class.Name + ": " + ex.Message()
}

func tagsOf(v any) []string {
	items, _ := pickle.Items(v)
	var out []string
	for _, it := range items {
		out = append(out, it.(string))
	}
	slices.Sort(out)
	return out
}

var self5 = compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 9090, ObjectID: Pyro5ObjectID, Style: compat.Pyro5Style}

func newServer5(t *testing.T, st Store) (*Namespace, *Server5) {
	t.Helper()
	n, err := NewNamespace(Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Register(NameServerName, "PYRO://127.0.0.1:9090/c0a8000116e10f0bd8d3e6a4ae1e8b43"); err != nil {
		t.Fatal(err)
	}
	return n, NewServer5(n, self5)
}

func TestServer5Errors(t *testing.T) {
	_, s := newServer5(t, nil)
	tests := []struct {
		method string
		args   []any
		kw     map[string]any
		want   string
	}{
		{"lookup", []any{"nothing"}, nil, "Pyro5.errors.NamingError: unknown name: nothing"},
		{"lookup", nil, nil, "exceptions.TypeError: NameServer.lookup() missing 1 required positional argument: 'name'"},
		{"register", nil, nil, "exceptions.TypeError: NameServer.register() missing 2 required positional arguments: 'name' and 'uri'"},
		{"lookup", []any{"a", true, 3}, nil, "exceptions.TypeError: NameServer.lookup() takes from 2 to 3 positional arguments but 4 were given"},
		{"count", []any{1}, nil, "exceptions.TypeError: NameServer.count() takes 1 positional argument but 2 were given"},
		{"lookup", []any{"a"}, map[string]any{"x": 1}, "exceptions.TypeError: NameServer.lookup() got an unexpected keyword argument 'x'"},
		{"lookup", []any{"a"}, map[string]any{"name": "b"}, "exceptions.TypeError: NameServer.lookup() got multiple values for argument 'name'"},
		{"register", []any{"a", 42}, nil, "exceptions.TypeError: only URIs or strings can be registered"},
		{"register", []any{"a", "nonsense"}, nil, "Pyro5.errors.PyroError: invalid uri"},
		{"register", []any{"a", "PYRO:obj"}, nil, "Pyro5.errors.PyroError: invalid uri"},
		{"register", []any{"a", "FOO:obj@h:1"}, nil, "Pyro5.errors.PyroError: invalid uri"},
		{"register", []any{"a", "PYROX:obj@h:1"}, nil, "Pyro5.errors.PyroError: invalid uri (protocol)"},
		{"register", []any{"a", "PYRO:obj@h:x"}, nil, "Pyro5.errors.PyroError: invalid port in uri, port=x"},
		{"register", []any{42, "PYRO:obj@h:1"}, nil, "exceptions.TypeError: name must be a str"},
		{"register", []any{"a", "PYRO:obj@h:1", false, "tag"}, nil, "exceptions.TypeError: metadata should not be a str, but another iterable (set, list, etc)"},
		{"register", []any{"a", "PYRO:obj@h:1", false, int64(5)}, nil, "exceptions.TypeError: 'int' object is not iterable"},
		{"register", []any{"a b", "PYRO:obj@h:1"}, nil, "Pyro5.errors.NamingError: invalid character(s) in name: a b"},
		{"set_metadata", []any{"nothing", []any{"x"}}, nil, "Pyro5.errors.NamingError: unknown name: nothing"},
		{"list", nil, map[string]any{"prefix": "a", "regex": "b"}, "exceptions.ValueError: you can only filter on one thing at a time"},
		{"list", nil, map[string]any{"regex": "("}, "Pyro5.errors.NamingError: invalid regex: error parsing regexp: missing closing ): `^(?:()`"},
		{"yplookup", []any{[]any{"a"}, []any{"b"}}, nil, "exceptions.ValueError: you can't use meta_all or meta_any at the same time"},
		{"yplookup", []any{"a"}, nil, "exceptions.TypeError: metadata_all should not be a str, but another iterable (set, list, etc)"},
		{"nothing", nil, nil, "exceptions.AttributeError: 'NameServer' object has no attribute 'nothing'"},
		{"_private", nil, nil, "exceptions.AttributeError: attempt to access private attribute '_private'"},
	}
	for _, tt := range tests {
		_, err := call5(t, s, tt.method, tt.args, tt.kw)
		if got := errText(err); got != tt.want {
			t.Errorf("%s%v%v: %q, want %q", tt.method, tt.args, tt.kw, got, tt.want)
		}
	}
}

func TestServer5(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ns.db")
	st, err := OpenBoltStore(path)
	if err != nil {
		t.Fatal(err)
	}
	n, s := newServer5(t, st)
	mustCall := func(method string, args []any, kw map[string]any) any {
		t.Helper()
		v, err := call5(t, s, method, args, kw)
		if err != nil {
			t.Fatalf("%s%v: %v", method, args, err)
		}
		return v
	}
	if v := mustCall("count", nil, nil); v != int64(1) {
		t.Errorf("count = %v", v)
	}
	// the name server's own registration, as Pyro 5 clients see it
	v := mustCall("lookup", []any{Pyro5ObjectID, true}, nil).(pickle.Tuple)
	if want := uriObject("Pyro5.core.URI", "PYRO:Pyro.NameServer@127.0.0.1:9090"); !reflect.DeepEqual(v[0], want) {
		t.Errorf("own lookup = %v, want %v", v[0], want)
	}
	if got := tagsOf(v[1]); !slices.Equal(got, []string{pyro5NSMeta}) {
		t.Errorf("own metadata %v", got)
	}

	mustCall("register", []any{"example.greeting", "PYRO:obj_1@127.0.0.1:5000"}, map[string]any{"metadata": &pickle.Set{Items: []any{"b", "a"}}})
	uriDict := pickle.NewDict()
	uriDict.Set("__class__", "Pyro5.core.URI")
	uriDict.Set("state", pickle.Tuple{"PYRO", "obj_2", nil, "127.0.0.1", int64(5000)})
	mustCall("register", []any{"example.other", uriDict}, nil)
	if _, err := call5(t, s, "register", []any{"example.other", "PYRO:x@h:1", true}, nil); errText(err) != "Pyro5.errors.NamingError: name already registered: example.other" {
		t.Errorf("safe register: %v", err)
	}
	if _, err := call5(t, s, "register", []any{"example", "PYRO:x@h:1"}, nil); err == nil {
		t.Error("registering a group's name succeeded")
	}
	// Pyro 3 sees the names in its tree, the tags as a set in the user meta data
	if u, err := n.Resolve("example.greeting"); err != nil || u.String() != "PYRO:obj_1@127.0.0.1:5000" {
		t.Errorf("Pyro 3 resolve = %v, %v", u, err)
	}
	if m, err := n.GetMeta(":Default.example.greeting"); err != nil || !slices.Equal(tagsOf(m), []string{"a", "b"}) {
		t.Errorf("Pyro 3 getMeta = %v, %v", m, err)
	}
	// a Pyro 3 registration and its meta data, as Pyro 5 sees them
	if err := n.Register("quotes", "PYRO://127.0.0.1:6000/c0a8000116e10f0bd8d3e6a4ae1e8b44"); err != nil {
		t.Fatal(err)
	}
	if err := n.SetMeta("quotes", &pickle.List{Items: []any{pickle.ByteString("stock"), pickle.ByteString("a")}}); err != nil {
		t.Fatal(err)
	}
	list := mustCall("list", nil, map[string]any{"return_metadata": true}).(map[string]any)
	want := map[string]any{
		"Pyro.NameServer":  pickle.Tuple{"PYRO:Pyro.NameServer@127.0.0.1:9090", tagSet([]string{pyro5NSMeta})},
		"example.greeting": pickle.Tuple{"PYRO:obj_1@127.0.0.1:5000", tagSet([]string{"a", "b"})},
		"example.other":    pickle.Tuple{"PYRO:obj_2@127.0.0.1:5000", tagSet([]string{})},
		"quotes":           pickle.Tuple{"PYRO:c0a8000116e10f0bd8d3e6a4ae1e8b44@127.0.0.1:6000", tagSet([]string{"a", "stock"})},
	}
	if !reflect.DeepEqual(list, want) {
		t.Errorf("list = %v\nwant %v", list, want)
	}
	if v := mustCall("list", []any{"example."}, nil).(map[string]any); len(v) != 2 || v["example.other"] != "PYRO:obj_2@127.0.0.1:5000" {
		t.Errorf("list(prefix) = %v", v)
	}
	if v := mustCall("list", nil, map[string]any{"regex": `.*\.other`}).(map[string]any); len(v) != 1 {
		t.Errorf("list(regex) = %v", v)
	}
	if v := mustCall("yplookup", []any{[]any{"a"}}, nil).(map[string]any); len(v) != 2 {
		t.Errorf("yplookup(meta_all=a) = %v", v)
	}
	if v := mustCall("yplookup", nil, map[string]any{"meta_any": []any{"stock", "zz"}, "return_metadata": false}).(map[string]any); !reflect.DeepEqual(v, map[string]any{"quotes": "PYRO:c0a8000116e10f0bd8d3e6a4ae1e8b44@127.0.0.1:6000"}) {
		t.Errorf("yplookup(meta_any) = %v", v)
	}
	mustCall("set_metadata", []any{"example.other", []any{"new"}}, nil)
	if v := mustCall("remove", nil, map[string]any{"prefix": "Pyro."}); v != int64(0) {
		t.Errorf("remove(prefix=Pyro.) = %v", v)
	}
	if v := mustCall("remove", []any{"quotes"}, nil); v != int64(1) {
		t.Errorf("remove(quotes) = %v", v)
	}
	if v := mustCall("remove", []any{"quotes"}, nil); v != int64(0) {
		t.Errorf("remove(quotes) again = %v", v)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// after a restart
	st, err = OpenBoltStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n2, err := NewNamespace(Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	s2 := NewServer5(n2, self5)
	v = mustCallOn(t, s2, "lookup", []any{"example.other"}, map[string]any{"return_metadata": true}).(pickle.Tuple)
	if got := tagsOf(v[1]); !slices.Equal(got, []string{"new"}) {
		t.Errorf("after restart: metadata %v", got)
	}
	if v := mustCallOn(t, s2, "remove", nil, map[string]any{"regex": "example"}); v != int64(2) {
		t.Errorf("remove(regex) = %v", v)
	}
	if v := mustCallOn(t, s2, "count", nil, nil); v != int64(1) {
		t.Errorf("count at the end = %v", v)
	}
}

func mustCallOn(t *testing.T, s *Server5, method string, args []any, kw map[string]any) any {
	t.Helper()
	v, err := call5(t, s, method, args, kw)
	if err != nil {
		t.Fatalf("%s%v: %v", method, args, err)
	}
	return v
}
