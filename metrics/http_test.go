package metrics

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestLoopbackDefault(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{":9080", "127.0.0.1:9080", false},
		{"127.0.0.1:0", "127.0.0.1:0", false},
		{"0.0.0.0:9080", "0.0.0.0:9080", false},
		{"[::1]:9080", "[::1]:9080", false},
		{"9080", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := loopbackDefault(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("loopbackDefault(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestHTTP(t *testing.T) {
	reg := prometheus.NewRegistry()
	d, err := NewDaemon(reg)
	if err != nil {
		t.Fatal(err)
	}
	d.Refused(RefusedHostBlocked)
	var notReady error = errors.New("store not writable")
	h, err := ListenHTTP(HTTPOptions{Addr: ":0", Registry: reg, Ready: func() error { return notReady }})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Shutdown(context.Background())
	if ip := h.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		t.Errorf("listening on %v, want loopback", ip)
	}
	base := "http://" + h.Addr().String()
	tests := []struct {
		path   string
		status int
		has    string
	}{
		{"/healthz", 200, "ok"},
		{"/readyz", 503, "not ready: store not writable"},
		{"/metrics", 200, `pyro_daemon_connections_refused_total{reason="host_blocked"} 1`},
		{"/nothing", 404, ""},
	}
	for _, tt := range tests {
		status, body := get(t, base+tt.path)
		if status != tt.status || !strings.Contains(body, tt.has) {
			t.Errorf("GET %s = %d %q, want %d with %q", tt.path, status, body, tt.status, tt.has)
		}
	}
	notReady = nil
	if status, _ := get(t, base+"/readyz"); status != 200 {
		t.Errorf("GET /readyz = %d once ready, want 200", status)
	}
}
