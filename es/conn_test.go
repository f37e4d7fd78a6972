package es

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// The request written for an event decodes to what Pyro's event service
// sends (trace 18): (objectID, 'event', 7, ((Event,), {})).
func TestAppendEventCall(t *testing.T) {
	ev := &compat.Event{Subject: pickle.ByteString("StockQuotes"), Msg: pickle.Tuple{pickle.ByteString("SUN"), 22.44}, Time: 1795663549.209596}
	for _, id := range []string{"7f000001309629cefd21e87e878bf2d744", strings.Repeat("x", 300), ""} {
		d := &Delivery{Event: ev}
		p, err := d.Pickle()
		if err != nil {
			t.Fatal(err)
		}
		body := appendEventCall(nil, id, p)
		got, err := pickle.Decode(body)
		if err != nil {
			t.Fatalf("id %q: %v", id, err)
		}
		tup, ok := got.(pickle.Tuple)
		if !ok || len(tup) != 4 {
			t.Fatalf("id %q: decoded %#v", id, got)
		}
		args, _ := tup[3].(pickle.Tuple)
		if len(args) != 2 {
			t.Fatalf("args %#v", tup[3])
		}
		kw, _ := args[1].(pickle.Dict)
		if kw.Len() != 0 {
			t.Errorf("kwargs %v, want {}", args[1])
		}
		want := []any{pickle.ByteString(id), pickle.ByteString("event"), int64(7), pickle.Tuple{ev}}
		if diff := cmp.Diff(want, []any{tup[0], tup[1], tup[2], args[0]}); diff != "" {
			t.Errorf("id %q (-want +got):\n%s", id, diff)
		}
	}
}
