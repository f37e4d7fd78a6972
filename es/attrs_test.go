package es

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// TestRemoteAttrs: the event service and a subscriber's callback object
// answer Pyro 3's attribute protocol as Python's ObjBase objects do, and
// the service's delivery timeout is no attribute a client can read or set.
func TestRemoteAttrs(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t, nil)
	sub, _ := goSubscriber(t, srv)
	answer := func(uri any, method string, args ...any) any {
		p, err := core.NewProxy(uri)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		v, err := p.Call(ctx, method, args...)
		if err != nil {
			ex := core.ToException(err)
			return ex.Class.Name + ": " + ex.Message()
		}
		return v
	}
	bs := func(s string) pickle.ByteString { return pickle.ByteString(s) }
	es, cb := srv.URI(), sub.URI()
	tests := []struct {
		name      string
		got, want any
	}{
		{"publish is a method", answer(es, "_r_ha", bs("publish")), int64(1)},
		{"subscribeMatch is a method", answer(es, "_r_ha", bs("subscribeMatch")), int64(1)},
		{"objectGUID", answer(es, "_r_ga", bs("objectGUID")), bs(es.ObjectID)},
		{"no ping", answer(es, "_r_ga", bs("ping")), "AttributeError: 'EventService' object has no attribute 'ping'"},
		{"timeout hidden", answer(es, "_r_ga", bs("DeliverTimeout")), "AttributeError: 'EventService' object has no attribute 'DeliverTimeout'"},
		{"timeout not settable", answer(es, "_r_sa", bs("deliver_timeout"), int64(-1)), "AttributeError: 'EventService' object has no attribute 'deliver_timeout'"},
		{"event is a method", answer(cb, "_r_ha", bs("event")), int64(1)},
		{"subscriber GUID", answer(cb, "_r_ga", bs("objectGUID")), bs(cb.ObjectID)},
		{"subscriber missing", answer(cb, "_r_ga", bs("nothing")), "AttributeError: 'Subscriber' object has no attribute 'nothing'"},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tc.name, diff)
		}
	}
	if got := srv.obj.DeliverTimeout; got != 5*time.Second {
		t.Errorf("DeliverTimeout = %v after the attribute requests", got)
	}
}
