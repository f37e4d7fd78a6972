package ns

import (
	"context"
	"reflect"
	"testing"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// nsObject is the name server object of Pyro 4 or 5.
type nsObject interface {
	Invoke(context.Context, *core.Call) (any, error)
}

func callNS(o nsObject, method string, args []any, kw map[string]any) (any, error) {
	return o.Invoke(context.Background(), &core.Call{Method: method, Args: args, Kwargs: kw})
}

// TestServer4 runs Pyro 4's API on a name space shared with Pyro 5's and
// Pyro 3's: what one generation registers, the others find.
func TestServer4(t *testing.T) {
	n, s5 := newServer5(t, nil)
	s4 := NewServer4(n, self5)
	uri4 := pickle.NewDict()
	uri4.Set("__class__", "Pyro4.core.URI")
	uri4.Set("state", pickle.Tuple{"PYRO", "obj_4", nil, "127.0.0.1", int64(5004)})
	setup := []struct {
		o      nsObject
		method string
		args   []any
		kw     map[string]any
	}{
		{s4, "register", []any{"four", uri4}, map[string]any{"metadata": &pickle.Set{Items: []any{"g4", "x"}}}},
		{s5, "register", []any{"five", "PYRO:obj_5@127.0.0.1:5005"}, map[string]any{"metadata": []any{"g5", "x"}}},
		{s4, "register", []any{"plain", "PYRO:obj_p@127.0.0.1:5006", true}, nil},
	}
	for _, c := range setup {
		if _, err := callNS(c.o, c.method, c.args, c.kw); err != nil {
			t.Fatalf("%s%v: %v", c.method, c.args, err)
		}
	}
	if err := n.Register("three", "PYRO://127.0.0.1:5003/c0a8000116e10f0bd8d3e6a4ae1e8b44"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		o      nsObject
		method string
		args   []any
		kw     map[string]any
		want   any
		err    string
	}{
		{"count", s4, "count", nil, nil, int64(5), ""},
		{"ping", s4, "ping", nil, nil, nil, ""},
		{"lookup Pyro 4 URI class", s4, "lookup", []any{"five"}, nil,
			map[string]any{"__class__": "Pyro4.core.URI", "state": pickle.Tuple{"PYRO", "obj_5", nil, "127.0.0.1", int64(5005)}}, ""},
		{"lookup metadata as a list", s4, "lookup", []any{"five", true}, nil,
			pickle.Tuple{map[string]any{"__class__": "Pyro4.core.URI", "state": pickle.Tuple{"PYRO", "obj_5", nil, "127.0.0.1", int64(5005)}}, []any{"g5", "x"}}, ""},
		{"a Pyro 3 name in Pyro 4 syntax", s4, "list", []any{"three"}, nil,
			map[string]any{"three": "PYRO:c0a8000116e10f0bd8d3e6a4ae1e8b44@127.0.0.1:5003"}, ""},
		{"Pyro 5 finds Pyro 4's", s5, "lookup", []any{"four", true}, nil,
			pickle.Tuple{map[string]any{"__class__": "Pyro5.core.URI", "state": pickle.Tuple{"PYRO", "obj_4", nil, "127.0.0.1", int64(5004)}}, tagSet([]string{"g4", "x"})}, ""},
		{"own registration", s4, "list", nil, map[string]any{"prefix": "Pyro.", "return_metadata": true},
			map[string]any{"Pyro.NameServer": pickle.Tuple{"PYRO:Pyro.NameServer@127.0.0.1:9090", []any{pyro4NSMeta}}}, ""},
		{"regex", s4, "list", nil, map[string]any{"regex": "f"},
			map[string]any{"four": "PYRO:obj_4@127.0.0.1:5004", "five": "PYRO:obj_5@127.0.0.1:5005"}, ""},
		{"metadata_all", s4, "list", nil, map[string]any{"metadata_all": []any{"x", "g4"}},
			map[string]any{"four": "PYRO:obj_4@127.0.0.1:5004"}, ""},
		{"metadata_any", s4, "list", nil, map[string]any{"metadata_any": &pickle.Set{Items: []any{"g4", "g5"}}, "return_metadata": true},
			map[string]any{"four": pickle.Tuple{"PYRO:obj_4@127.0.0.1:5004", []any{"g4", "x"}}, "five": pickle.Tuple{"PYRO:obj_5@127.0.0.1:5005", []any{"g5", "x"}}}, ""},
		{"two filters", s4, "list", []any{"f", pickle.None{}, []any{}}, nil, nil,
			"exceptions.ValueError: you can only filter on one thing at a time"},
		{"metadata_any a str", s4, "list", nil, map[string]any{"metadata_any": "x"}, nil,
			"exceptions.TypeError: metadata_any should not be a str, but another iterable (set, list, etc)"},
		{"no yplookup", s4, "yplookup", nil, nil, nil,
			"exceptions.AttributeError: 'NameServer' object has no attribute 'yplookup'"},
		{"safe", s4, "register", []any{"plain", "PYRO:y@127.0.0.1:1"}, map[string]any{"safe": true}, nil,
			"Pyro5.errors.NamingError: name already registered: plain"},
		{"invalid uri", s4, "register", []any{"bad", "nonsense"}, nil, nil,
			"Pyro5.errors.PyroError: invalid uri"},
		{"unknown", s4, "lookup", []any{"nothing"}, nil, nil,
			"Pyro5.errors.NamingError: unknown name: nothing"},
		{"remove by prefix keeps the name server", s4, "remove", nil, map[string]any{"prefix": "P"}, int64(0), ""},
		{"remove by regex", s4, "remove", nil, map[string]any{"regex": "f"}, int64(2), ""},
		{"count after", s5, "count", nil, nil, int64(3), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := callNS(tt.o, tt.method, tt.args, tt.kw)
			if errText(err) != tt.err {
				t.Fatalf("error %q, want %q", errText(err), tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("= %#v\nwant %#v", got, tt.want)
			}
		})
	}
}
