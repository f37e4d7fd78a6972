package mobile

import (
	"context"
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// Objects of classes Go does not know (here servmod.Result and an old-style
// instance) decode as *pickle.Object and encode back to the same pickle, so
// a Go peer passes them on without needing their code.
func TestUnknownClassesPassThrough(t *testing.T) {
	tests := []struct {
		name string
		hex  string
	}{
		// Trace 21: the reply getresult() → servmod.Result(42), pickled by
		// Python 2.7 cPickle at protocol 2 (new-style class).
		{"new-style", "8002637365727" + "66d6f640a526573756c740a7101298171027d710355057661" + "6c756571044b2a73622e"},
		// An old-style instance of agentmod.Agent with a nested unknown
		// object in its state (cPickle protocol 2).
		{"old-style nested", "800228636167656e746d6f640a4167656e740a71016f71027d71032855046e616d6571045504626f6e64710555036b6974710663736572766d6f640a526573756c740a7107298171087d7109550576616c7565710a4b07736275622e"},
	}
	echo := core.InvokerFunc(func(ctx context.Context, c *core.Call) (any, error) { return c.Args[0], nil })
	p := serve(t, echo)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := hex.DecodeString(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			v, err := pickle.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := v.(*pickle.Object); !ok {
				t.Fatalf("decoded %T, want *pickle.Object", v)
			}
			// Encoding gives the same object back (the bytes differ only in
			// memo entries for strings and dict order, which cPickle does
			// not rely on).
			again, err := pickle.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			back, err := pickle.Decode(again)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(v, back, dictEqual); diff != "" {
				t.Errorf("re-encoded (-decoded +re-decoded):\n%s", diff)
			}
			// Through a Go daemon and back.
			got, err := p.Call(context.Background(), "echo", v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(v, got, dictEqual); diff != "" {
				t.Errorf("echoed (-sent +got):\n%s", diff)
			}
		})
	}
}
