package ns

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gopyro/gopyro/internal/metricstest"
	"github.com/gopyro/gopyro/pickle"
)

func TestNameServerMetrics(t *testing.T) {
	st, err := OpenBoltStore(filepath.Join(t.TempDir(), "ns.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := prometheus.NewRegistry()
	nsp, err := NewNamespace(Options{Store: st, Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(nsp, ServerOptions{})
	ctx := context.Background()
	calls := []struct {
		method string
		args   []any
	}{
		{"createGroup", []any{pickle.ByteString(":test")}},
		{"register", []any{pickle.ByteString(":test.a"), pickle.ByteString("PYRO://127.0.0.1:7766/0a")}},
		{"register", []any{pickle.ByteString(":test.b"), pickle.ByteString("PYRO://127.0.0.1:7766/0b")}},
		{"resolve", []any{pickle.ByteString(":test.a")}},
		{"unregister", []any{pickle.ByteString(":test.b")}},
	}
	for _, c := range calls {
		if _, err := srv.Call(ctx, c.method, c.args, nil); err != nil {
			t.Fatalf("%s: %v", c.method, err)
		}
	}
	if _, err := srv.Call(ctx, "noSuchMethod", nil, nil); err == nil {
		t.Fatal("noSuchMethod answered")
	}
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"pyro_ns_operations_total", map[string]string{"op": "register"}, 2},
		{"pyro_ns_operations_total", map[string]string{"op": "resolve"}, 1},
		{"pyro_ns_operations_total", map[string]string{"op": "noSuchMethod"}, 0},
		{"pyro_ns_operations_total", nil, 5},
		{"pyro_ns_names", nil, 1},
		{"pyro_ns_groups", nil, 3}, // :Pyro, :Default, :test
		{"pyro_ns_store_commit_seconds", nil, 4},
	}
	for _, tt := range tests {
		if got := metricstest.Value(t, reg, tt.name, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
}
