package core_test

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/internal/metricstest"
	"github.com/gopyro/gopyro/internal/servetest"
	"github.com/gopyro/gopyro/pickle"
)

type metered struct{}

func (metered) Echo(v any) any { return v }
func (metered) Fail() error    { return compat.NewNamingError("no such thing", "x") }

func gathered(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) float64 {
	t.Helper()
	return metricstest.Value(t, reg, name, want)
}

func TestDaemonMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	d := startDaemon(t, core.DaemonOptions{Metrics: reg, Identifications: []string{"secret"}})
	uri, err := d.Connect(metered{}, "metered")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := newProxy(t, uri, core.WithIdentification("secret"))
	for range 3 {
		if _, err := p.Call(ctx, "echo", pickle.ByteString("x")); err != nil {
			t.Fatal(err)
		}
	}
	var ne *compat.NamingError
	if _, err := p.Call(ctx, "fail"); !errors.As(err, &ne) {
		t.Fatalf("fail: %v, want a NamingError", err)
	}
	bad := newProxy(t, uri, core.WithIdentification("wrong"))
	if _, err := bad.Call(ctx, "echo", pickle.ByteString("x")); err == nil {
		t.Fatal("a wrong identification was accepted")
	}
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"pyro_daemon_call_duration_seconds", map[string]string{"object": "metered", "method": "echo", "protocol": "pyro3"}, 3},
		{"pyro_daemon_call_duration_seconds", map[string]string{"object": "metered", "method": "fail"}, 1},
		{"pyro_daemon_call_errors_total", map[string]string{"exception": "NamingError"}, 1},
		{"pyro_daemon_connections_accepted_total", map[string]string{"protocol": "pyro3"}, 1},
		{"pyro_daemon_connections_open", map[string]string{"protocol": "pyro3"}, 1},
		{"pyro_daemon_connections_refused_total", map[string]string{"reason": "security"}, 1},
	}
	for _, tt := range tests {
		// The daemon counts a refusal after the client has read it.
		deadline := time.Now().Add(5 * time.Second)
		for gathered(t, reg, tt.name, tt.labels) != tt.want && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := gathered(t, reg, tt.name, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	for _, name := range []string{"pyro_daemon_received_bytes_total", "pyro_daemon_sent_bytes_total"} {
		if got := gathered(t, reg, name, map[string]string{"protocol": "pyro3"}); got < 100 {
			t.Errorf("%s = %v, want the bytes of 4 calls", name, got)
		}
	}
	p.Close()
	bad.Close()
}

// TestDaemonMetricsUnknownMethods: calls of names the object does not
// expose share one series, whatever the names.
func TestDaemonMetricsUnknownMethods(t *testing.T) {
	reg := prometheus.NewRegistry()
	d := startDaemon(t, core.DaemonOptions{Metrics: reg})
	uri, err := d.Connect(metered{}, "metered")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := newProxy(t, uri)
	for i := range 5 {
		if _, err := p.Call(ctx, "nosuch"+strconv.Itoa(i)); err == nil {
			t.Fatalf("nosuch%d answered", i)
		}
	}
	if _, err := p.Call(ctx, "echo", int64(1)); err != nil {
		t.Fatal(err)
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]uint64{}
	for _, f := range fams {
		if f.GetName() != "pyro_daemon_call_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "method" {
					methods[l.GetValue()] += m.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	want := map[string]uint64{"(other)": 5, "echo": 1}
	if !cmp.Equal(methods, want) {
		t.Errorf("calls by method %v, want %v", methods, want)
	}
	if got := gathered(t, reg, "pyro_daemon_call_errors_total", map[string]string{"exception": "AttributeError"}); got != 5 {
		t.Errorf("AttributeErrors counted %v, want 5", got)
	}
}

// TestDaemonMetricsShared: two daemons of one process register the same
// collectors in one registry and add up.
func TestDaemonMetricsShared(t *testing.T) {
	reg := prometheus.NewRegistry()
	ctx := context.Background()
	for range 2 {
		d := startDaemon(t, core.DaemonOptions{Metrics: reg})
		uri, err := d.Connect(metered{}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newProxy(t, uri).Call(ctx, "echo", int64(1)); err != nil {
			t.Fatal(err)
		}
	}
	if got := gathered(t, reg, "pyro_daemon_call_duration_seconds", map[string]string{"object": "(transient)"}); got != 2 {
		t.Errorf("calls = %v, want 2", got)
	}
}

// BenchmarkCallMetrics compares a call without a registry (off, which
// must allocate no more than before metrics existed) with one counted in
// a registry (on): compare allocs/op.
func BenchmarkCallMetrics(b *testing.B) {
	for _, bc := range []struct {
		name string
		reg  *prometheus.Registry
	}{{"off", nil}, {"on", prometheus.NewRegistry()}} {
		b.Run(bc.name, func(b *testing.B) {
			opts := core.DaemonOptions{}
			if bc.reg != nil {
				opts.Metrics = bc.reg
			}
			d := startDaemon(b, opts)
			uri, err := d.Connect(&benchObj{}, "bench")
			if err != nil {
				b.Fatal(err)
			}
			p := newProxy(b, uri)
			ctx := context.Background()
			arg := benchArg(uri)
			if _, err := p.Call(ctx, "echo", arg); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := p.Call(ctx, "echo", arg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// scrape reads the /metrics text of the daemon's HTTP listener and returns
// the value of the sample name{labels} (labels in Prometheus' order).
func scrape(t *testing.T, base, sample string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	return 0
}

func TestDaemonHTTP(t *testing.T) {
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true, HTTP: ":0"})
	if err != nil {
		t.Fatal(err)
	}
	h := d.HTTP()
	if h == nil {
		t.Fatal("no HTTP listener")
	}
	base := "http://" + h.Addr().String()
	status := func(path string) int {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz before Serve = %d, want 503", got)
	}
	servetest.Run(t, d)
	uri, err := d.Connect(metered{}, "metered")
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, uri)
	const calls = 5
	for range calls {
		if _, err := p.Call(context.Background(), "echo", int64(1)); err != nil {
			t.Fatal(err)
		}
	}
	if got := status("/healthz"); got != http.StatusOK {
		t.Errorf("/healthz = %d", got)
	}
	if got := status("/readyz"); got != http.StatusOK {
		t.Errorf("/readyz while serving = %d", got)
	}
	sample := `pyro_daemon_call_duration_seconds_count{method="echo",object="metered",protocol="pyro3"}`
	if got := scrape(t, base, sample); got != calls {
		t.Errorf("%s = %v, want %d", sample, got, calls)
	}
	if got := scrape(t, base, `pyro_daemon_connections_open{protocol="pyro3"}`); got != 1 {
		t.Errorf("connections open = %v, want 1", got)
	}
	if err := d.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the HTTP listener outlived Shutdown")
	}
}
