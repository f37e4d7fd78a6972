package core_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/internal/testpki"
	"github.com/gopyro/gopyro/protocol"
)

// writePKI writes a CA ("ca.pem"), a CA nobody trusts and certificates
// (<name>.pem with the key appended) into a new directory: "server"
// (127.0.0.1), "client", "expiredserver", "expiredclient", "wrongserver" and
// "wrongclient" (signed by the untrusted CA).
func writePKI(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	pems, err := testpki.Make([]string{"ca", "wrongca"}, []testpki.Cert{
		{Name: "server", CA: "ca", CN: "server", Server: true},
		{Name: "client", CA: "ca", CN: "client"},
		{Name: "expiredserver", CA: "ca", CN: "expiredserver", Server: true, Expired: true},
		{Name: "expiredclient", CA: "ca", CN: "expiredclient", Expired: true},
		{Name: "wrongserver", CA: "wrongca", CN: "wrongserver", Server: true},
		{Name: "wrongclient", CA: "wrongca", CN: "wrongclient"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range pems {
		data := c.CertKey()
		if name == "ca" || name == "wrongca" {
			data = c.Cert
		}
		if err := os.WriteFile(filepath.Join(dir, name+".pem"), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func tlsSettings(dir, cert string) protocol.TLSSettings {
	return protocol.TLSSettings{CertDir: dir, CACert: "ca.pem", Cert: cert + ".pem", PostConnCheck: true}
}

func serverTLS(t *testing.T, dir, cert string) *tls.Config {
	t.Helper()
	cfg, err := tlsSettings(dir, cert).ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func clientTLS(t *testing.T, dir, cert string) *tls.Config {
	t.Helper()
	load := cert
	if load == "" {
		load = "client"
	}
	cfg, err := tlsSettings(dir, load).ClientConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if cert == "" {
		cfg.Certificates = nil
	}
	return cfg
}

// startTLSDaemon runs a PYROSSL daemon serving calc as "calc"; its
// listener gives plain clients helloTimeout to start TLS.
func startTLSDaemon(t *testing.T, cfg *tls.Config, helloTimeout time.Duration) (*core.Daemon, compat.URI) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tl := protocol.NewTLSListener(ln, cfg)
	tl.HelloTimeout = helloTimeout
	d := startDaemon(t, core.DaemonOptions{TLS: cfg, Listener: tl})
	uri, err := d.Connect(&calc{}, "calc")
	if err != nil {
		t.Fatal(err)
	}
	return d, uri
}

// Go proxies and Go daemons over PYROSSL: mutual certificate checks, and
// what the proxy reports when they fail.
func TestPYROSSL(t *testing.T) {
	dir := writePKI(t)
	tests := []struct {
		name         string
		server       string // certificate of the daemon
		client       string // certificate of the proxy; "" = none
		plainProxy   bool   // PYROLOC:// against the PYROSSL daemon
		wantErrClass string // Pyro error class the failure matches, "" = success
		wantErr      string // text in the error
	}{
		{name: "ok", server: "server", client: "client"},
		{name: "no client certificate", server: "server", wantErrClass: "ConnectionDeniedError", wantErr: "security reasons"},
		{name: "expired client", server: "server", client: "expiredclient", wantErrClass: "ProtocolError", wantErr: "TLS: the peer refused the connection"},
		// Go's client sends no certificate that the server's CA list
		// does not name: refused as without one.
		{name: "client of unknown CA", server: "server", client: "wrongclient", wantErrClass: "ConnectionDeniedError", wantErr: "security reasons"},
		{name: "expired server", server: "expiredserver", client: "client", wantErrClass: "ProtocolError", wantErr: "certificate has expired"},
		{name: "server of unknown CA", server: "wrongserver", client: "client", wantErrClass: "ProtocolError", wantErr: "certificate signed by unknown authority"},
		{name: "plain client", server: "server", plainProxy: true, wantErrClass: "ConnectionDeniedError", wantErr: "security reasons"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, uri := startTLSDaemon(t, serverTLS(t, dir, tt.server), 200*time.Millisecond)
			if uri.Protocol != "PYROSSL" {
				t.Fatalf("URI %s, want a PYROSSL URI", uri)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			target := []compat.URI{uri, {Protocol: "PYROLOCSSL", Address: "127.0.0.1", Port: d.Port(), ObjectID: "calc"}}
			if tt.plainProxy {
				target = []compat.URI{{Protocol: "PYROLOC", Address: "127.0.0.1", Port: d.Port(), ObjectID: "calc"}}
			}
			for _, u := range target {
				p := newProxy(t, u, core.WithTLS(clientTLS(t, dir, tt.client)))
				n, err := core.CallAs[int](ctx, p, "add", 40, 2)
				if tt.wantErrClass == "" {
					if err != nil || n != 42 {
						t.Fatalf("%s: add(40, 2) = %d, %v; want 42", u, n, err)
					}
					if got := p.URI(); got != uri {
						t.Errorf("%s: bound to %s, want %s", u, got, uri)
					}
					if la := p.LocalAddr(); la == nil || !strings.HasPrefix(la.String(), "127.0.0.1:") {
						t.Errorf("%s: LocalAddr() = %v", u, la)
					}
					continue
				}
				checkPyroErr(t, err, tt.wantErrClass, tt.wantErr)
			}
		})
	}
}

// checkPyroErr checks that err is a *core.CommError matching the Pyro error
// class and containing text.
func checkPyroErr(t *testing.T, err error, class, text string) {
	t.Helper()
	var ce *core.CommError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T), want a *core.CommError", err, err)
	}
	var ok bool
	switch class {
	case "ProtocolError":
		var pe *compat.ProtocolError
		ok = errors.As(err, &pe)
	case "ConnectionDeniedError":
		var de *compat.ConnectionDeniedError
		ok = errors.As(err, &de)
	}
	if !ok || !strings.Contains(err.Error()+" "+ce.Exc.Error(), text) {
		t.Errorf("error %v (Pyro error %v), want %s containing %q", err, ce.Exc, class, text)
	}
}

// A PYROSSL proxy against a plain daemon says what is wrong.
func TestPYROSSLProxyOnPlainDaemon(t *testing.T) {
	dir := writePKI(t)
	d := startDaemon(t, core.DaemonOptions{})
	if _, err := d.Connect(&calc{}, "calc"); err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, compat.URI{Protocol: "PYROLOCSSL", Address: "127.0.0.1", Port: d.Port(), ObjectID: "calc"},
		core.WithTLS(clientTLS(t, dir, "client")))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := p.Call(ctx, "add", 1, 2)
	checkPyroErr(t, err, "ProtocolError", "the server answered in plain PYRO, it is not a PYROSSL server")
}

// Without WithTLS, a PYROSSL proxy takes the PYROSSL_* items of the process
// configuration when it connects, as Pyro does.
func TestPYROSSLFromConfig(t *testing.T) {
	dir := writePKI(t)
	_, uri := startTLSDaemon(t, serverTLS(t, dir, "server"), time.Second)
	cfg := config.Current()
	saved := *cfg
	t.Cleanup(func() {
		cfg.SSLCertDir, cfg.SSLCACert, cfg.SSLCert, cfg.SSLKey = saved.SSLCertDir, saved.SSLCACert, saved.SSLCert, saved.SSLKey
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	cfg.SSLCertDir, cfg.SSLCACert, cfg.SSLCert, cfg.SSLKey = dir, "ca.pem", "missing.pem", ""
	p := newProxy(t, uri)
	_, err := p.Call(ctx, "add", 1, 2)
	var pe *compat.ProtocolError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "PYROSSL_CERT") {
		t.Errorf("with a missing PYROSSL_CERT: %v, want a ProtocolError naming PYROSSL_CERT", err)
	}

	cfg.SSLCert = "client.pem"
	n, err := core.CallAs[int](ctx, p, "add", 1, 2)
	if err != nil || n != 3 {
		t.Errorf("add(1, 2) = %d, %v; want 3", n, err)
	}
}

// A Go proxy received by a PYROSSL daemon's object calls back over
// PYROSSL; Daemon.ProxyFor hands out PYROSSL proxies.
func TestPYROSSLProxyFor(t *testing.T) {
	dir := writePKI(t)
	d, _ := startTLSDaemon(t, serverTLS(t, dir, "server"), time.Second)
	p, err := d.ProxyFor(&calc{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if got := p.URI().Protocol; got != "PYROSSL" {
		t.Errorf("ProxyFor gave a %s URI, want PYROSSL", got)
	}
	c := newProxy(t, p.URI(), core.WithTLS(clientTLS(t, dir, "client")))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if n, err := core.CallAs[int](ctx, c, "add", 2, 2); err != nil || n != 4 {
		t.Errorf("add(2, 2) = %d, %v; want 4", n, err)
	}
}
