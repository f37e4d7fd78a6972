package metrics

import (
	"net"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestNilFree: without a registry every method is a no-op that allocates
// nothing, which is what makes metrics free when unused.
func TestNilFree(t *testing.T) {
	d, err := NewDaemon(nil)
	if d != nil || err != nil {
		t.Fatalf("NewDaemon(nil) = %v, %v; want nil, nil", d, err)
	}
	ns, err := NewNameServer(nil, func() (int, int) { return 0, 0 })
	if ns != nil || err != nil {
		t.Fatalf("NewNameServer(nil) = %v, %v; want nil, nil", ns, err)
	}
	es, err := NewEventService(nil, func() EventStats { return EventStats{} })
	if es != nil || err != nil {
		t.Fatalf("NewEventService(nil) = %v, %v; want nil, nil", es, err)
	}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	start := time.Now()
	allocs := testing.AllocsPerRun(100, func() {
		d.Accepted("pyro3")
		d.Closed("pyro3")
		d.Refused(RefusedTooBusy)
		d.Call("pyro3", "obj", "m", start, "TypeError")
		d.Oneway(1)
		if d.CountConn("pyro3", a) != a {
			t.Fatal("CountConn wrapped without a registry")
		}
		ns.Operation("register")
		ns.Committed(start)
		es.Published("s")
		es.Delivered("x", 1)
		es.Dropped("x")
	})
	if allocs != 0 {
		t.Errorf("nil collectors allocate %v times per call, want 0", allocs)
	}
}

// TestShared: a second registration with the same registry reuses the
// collectors of the first, so that the figures of two daemons add up.
func TestShared(t *testing.T) {
	reg := prometheus.NewRegistry()
	d1, err := NewDaemon(reg)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := NewDaemon(reg)
	if err != nil {
		t.Fatal(err)
	}
	d1.Refused(RefusedTLS)
	d2.Refused(RefusedTLS)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == "pyro_daemon_connections_refused_total" {
			if got := f.GetMetric()[0].GetCounter().GetValue(); got != 2 {
				t.Errorf("refused = %v, want 2", got)
			}
			return
		}
	}
	t.Error("pyro_daemon_connections_refused_total not gathered")
}
