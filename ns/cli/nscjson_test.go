package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/ns"
)

func TestTakeJSON(t *testing.T) {
	tests := []struct {
		args []string
		rest []string
		json bool
	}{
		{[]string{"list"}, []string{"list"}, false},
		{[]string{"-json", "-h", "x", "list"}, []string{"-h", "x", "list"}, true},
		{[]string{"list", "--json"}, []string{"list"}, true},
		{[]string{"-", "-json"}, []string{"-", "-json"}, false},
	}
	for _, tt := range tests {
		rest, js := takeJSON(tt.args)
		if !cmp.Equal(rest, tt.rest) || js != tt.json {
			t.Errorf("takeJSON(%q) = %q, %v; want %q, %v", tt.args, rest, js, tt.rest, tt.json)
		}
	}
}

// startTestNS runs a Name Server serving Pyro 3 and Pyro 5 on loopback
// until the test ends, with two groups and three names.
func startTestNS(t *testing.T) *ns.Instance {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Load(func(k string) string {
		if k == "PYRO_STORAGE" {
			return dir
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	port := 0
	in, err := ns.Start(ctx, ns.StartOptions{Config: cfg, Host: "127.0.0.1", Port: &port, DontLookupOther: true, NoBroadcast: true})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- in.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	n := in.Namespace()
	for _, g := range []string{":Default.grp", ":Default.grp.sub"} {
		if err := n.CreateGroup(g); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{":Default.b", ":Default.grp.a", ":Default.a"} {
		u, err := compat.ParseURI("PYRO://127.0.0.1:7766/0123456789abcdef0123456789abcdef")
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Register(name, u); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

func TestNSControlJSON(t *testing.T) {
	in := startTestNS(t)
	port := strconv.Itoa(in.URI().Port)
	const uri = "PYRO://127.0.0.1:7766/0123456789abcdef0123456789abcdef"
	tests := []struct {
		args []string
		want any
	}{
		{[]string{"-json", "list"}, []any{map[string]any{"group": ":Default", "entries": []any{
			map[string]any{"name": "a", "type": "name"},
			map[string]any{"name": "b", "type": "name"},
			map[string]any{"name": "grp", "type": "group"},
		}}}},
		{[]string{"list", ":Default.grp", ":missing", "--json"}, []any{
			map[string]any{"group": ":Default.grp", "entries": []any{
				map[string]any{"name": "a", "type": "name"},
				map[string]any{"name": "sub", "type": "group"},
			}},
			map[string]any{"group": ":missing", "entries": []any{}, "error": "group not found"},
		}},
		{[]string{"-json", "listall"}, []any{
			map[string]any{"name": ":Default.a", "uri": uri},
			map[string]any{"name": ":Default.b", "uri": uri},
			map[string]any{"name": ":Default.grp.a", "uri": uri},
			map[string]any{"name": ":Pyro.NameServer", "uri": in.URI().String()},
		}},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		args := append([]string{"-h", "127.0.0.1", "-p", port}, tt.args...)
		if status := NSControlMain(context.Background(), args, &out); status != 0 {
			t.Fatalf("%v: status %d, output %s", tt.args, status, out.String())
		}
		var got any
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("%v: not one JSON document: %v\n%s", tt.args, err, out.String())
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%v (-want +got)\n%s", tt.args, diff)
		}
	}
}

func TestNSControl5JSON(t *testing.T) {
	in := startTestNS(t)
	u5, ok := in.URI5()
	if !ok {
		t.Fatal("no Pyro 5 name server")
	}
	port := strconv.Itoa(u5.Port)
	tests := []struct {
		args  []string
		names []string
	}{
		{[]string{"-json", "list"}, nil},
		{[]string{"-json", "listmatching", `.*grp.*`}, []string{"grp.a"}},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		args := append([]string{"-h", "127.0.0.1", "-p", port}, tt.args...)
		if status := NSControl5Main(context.Background(), args, strings.NewReader(""), &out, &errOut); status != 0 {
			t.Fatalf("%v: status %d, output %s %s", tt.args, status, out.String(), errOut.String())
		}
		var got []jsonRegistration
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("%v: not one JSON document: %v\n%s", tt.args, err, out.String())
		}
		if len(got) == 0 {
			t.Fatalf("%v: empty listing", tt.args)
		}
		if tt.names != nil {
			var names []string
			for _, r := range got {
				names = append(names, r.Name)
			}
			if !cmp.Equal(names, tt.names) {
				t.Errorf("%v: names %q, want %q", tt.args, names, tt.names)
			}
		}
		for _, r := range got {
			if r.URI == "" || r.Metadata == nil {
				t.Errorf("%v: entry %+v lacks a URI or metadata", tt.args, r)
			}
		}
	}
}
