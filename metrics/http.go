package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// HTTPOptions configure an HTTP listener.
type HTTPOptions struct {
	// Addr is host:port to listen on. An empty host means 127.0.0.1: the
	// listener is reachable from other machines only when a host says so
	// (0.0.0.0, [::] or an interface's address).
	Addr string
	// Registry is gathered at /metrics.
	Registry Registry
	// Ready reports whether the server is ready (/readyz); a nil func or
	// a nil error means ready.
	Ready func() error
}

// HTTP is the operator's HTTP listener of a server: /metrics (Prometheus
// text format), /healthz (200 while the process runs), /readyz (200 when
// Ready says so, else 503 with the reason), and whatever is added to Mux
// (the handlers of the program).
type HTTP struct {
	// Mux routes the requests; add handlers to it (it is safe to do so
	// while serving).
	Mux *http.ServeMux
	ln  net.Listener
	srv *http.Server
}

// ListenHTTP listens on opts.Addr and starts serving.
func ListenHTTP(opts HTTPOptions) (*HTTP, error) {
	addr, err := loopbackDefault(opts.Addr)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: HTTP listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if opts.Ready != nil {
			if err := opts.Ready(); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(w, "not ready:", err)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	h := &HTTP{Mux: mux, ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = h.srv.Serve(ln) }()
	return h, nil
}

// loopbackDefault puts 127.0.0.1 in an address without a host.
func loopbackDefault(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("metrics: HTTP address %q: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// Addr is the address the listener listens on.
func (h *HTTP) Addr() net.Addr { return h.ln.Addr() }

// Shutdown stops the listener, waiting (until ctx ends) for the requests
// being answered.
func (h *HTTP) Shutdown(ctx context.Context) error {
	err := h.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return h.srv.Close()
	}
	return err
}
