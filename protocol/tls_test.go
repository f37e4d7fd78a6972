package protocol

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/internal/testpki"
)

// testPKI writes a CA, a second ("wrong") CA and certificates signed by
// them into a directory, as PEM files for TLSSettings.
type testPKI struct {
	dir string
}

// newTestPKI writes a CA (ca.pem), a second one nobody trusts (wrongca.pem)
// and certificates as <name>.pem with the key in <name>.key; server,
// client and client2 hold their key in the .pem as well.
func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	pems, err := testpki.Make([]string{"ca", "wrongca"}, []testpki.Cert{
		{Name: "server", CA: "ca", CN: "localhost", Server: true},
		{Name: "client", CA: "ca", CN: "client"},
		{Name: "client2", CA: "ca", CN: "intruder"},
		{Name: "expiredserver", CA: "ca", CN: "localhost", Server: true, Expired: true},
		{Name: "expiredclient", CA: "ca", CN: "client", Expired: true},
		{Name: "wrongserver", CA: "wrongca", CN: "localhost", Server: true},
		{Name: "wrongclient", CA: "wrongca", CN: "client"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range pems {
		switch name {
		case "ca", "wrongca":
			p.write(t, name+".pem", c.Cert)
			continue
		case "server", "client", "client2":
			p.write(t, name+".pem", append(append([]byte{}, c.Key...), c.Cert...))
		default:
			p.write(t, name+".pem", c.Cert)
		}
		p.write(t, name+".key", c.Key)
	}
	return p
}

func (p *testPKI) write(t *testing.T, name string, data []byte) {
	if err := os.WriteFile(filepath.Join(p.dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// settings returns the TLSSettings for one certificate; the key is read
// from the .pem itself when the certificate was written combined.
func (p *testPKI) settings(cert string, separateKey bool) TLSSettings {
	s := TLSSettings{CertDir: p.dir, CACert: "ca.pem", Cert: cert + ".pem", PostConnCheck: true}
	if separateKey {
		s.Key = cert + ".key"
	}
	return s
}

func (p *testPKI) server(t *testing.T, cert string) *tls.Config {
	t.Helper()
	cfg, err := p.settings(cert, true).ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func (p *testPKI) client(t *testing.T, cert string, serverName string, postConnCheck bool) *tls.Config {
	t.Helper()
	s := p.settings(cert, true)
	s.PostConnCheck = postConnCheck
	cfg, err := s.ClientConfig(serverName)
	if err != nil {
		t.Fatal(err)
	}
	if cert == "" {
		cfg.Certificates = nil
	}
	return cfg
}

// Go↔Go PYROSSL handshakes: mutual certificate checks and what each side
// reports when they fail.
func TestTLSHandshake(t *testing.T) {
	p := newTestPKI(t)
	onlyClient := &SSLValidator{CheckCertificate: func(c *x509.Certificate) error {
		if c.Subject.CommonName != "client" {
			return errors.New("unknown client")
		}
		return nil
	}}
	noCert := p.client(t, "client", "127.0.0.1", true)
	noCert.Certificates = nil
	refuse := func(c *x509.Certificate) error { return fmt.Errorf("certificate of %s refused", c.Subject.CommonName) }
	hooked := func(cert string, server bool, postConnCheck bool) *tls.Config {
		s := p.settings(cert, true)
		s.PostConnCheck = postConnCheck
		s.CheckCertificate = refuse
		var cfg *tls.Config
		var err error
		if server {
			cfg, err = s.ServerConfig()
		} else {
			cfg, err = s.ClientConfig("127.0.0.1")
		}
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	tests := []struct {
		name      string
		server    *tls.Config
		client    *tls.Config
		validator Validator
		wantC     string // substring of the client's error, "" = granted
		wantS     string
		denied    bool // client error is a *DeniedError
		wrapped   bool
	}{
		{name: "mutual", server: p.server(t, "server"), client: p.client(t, "client", "127.0.0.1", true)},
		{name: "wrapped connections", server: p.server(t, "server"), client: p.client(t, "client", "127.0.0.1", true), wrapped: true},
		{name: "wrapped, no certificate", server: p.server(t, "server"), client: noCert, wrapped: true,
			wantC: "security reasons", wantS: "security reasons", denied: true},
		{name: "by host name", server: p.server(t, "server"), client: p.client(t, "client", "localhost", true)},
		{name: "host name mismatch", server: p.server(t, "server"), client: p.client(t, "client", "other.example", true),
			wantC: "TLS handshake failed: tls: failed to verify certificate: x509: certificate is valid for localhost, not other.example",
			wantS: "TLS handshake failed: remote error: tls: bad certificate"},
		{name: "no post-connection check", server: p.server(t, "server"), client: p.client(t, "client", "other.example", false)},
		{name: "client without certificate", server: p.server(t, "server"), client: noCert,
			wantC: "security reasons", wantS: "security reasons", denied: true},
		{name: "certificate hook refuses", server: p.server(t, "server"), client: p.client(t, "client2", "127.0.0.1", true),
			validator: onlyClient, wantC: "security reasons", wantS: "security reasons", denied: true},
		{name: "client's hook refuses the server", server: p.server(t, "server"), client: hooked("client", false, true),
			wantC: "TLS handshake failed: certificate of localhost refused", wantS: "TLS handshake failed: remote error: tls: bad certificate"},
		{name: "client's hook without post-connection check", server: p.server(t, "server"), client: hooked("client", false, false),
			wantC: "TLS handshake failed: certificate of localhost refused", wantS: "TLS handshake failed: remote error: tls: bad certificate"},
		{name: "server's TLS hook refuses the client", server: hooked("server", true, true), client: p.client(t, "client", "127.0.0.1", true),
			wantC: "TLS: the peer refused the connection: tls: bad certificate", wantS: "TLS handshake failed: certificate of client refused"},
		{name: "server's TLS hook, client without certificate", server: hooked("server", true, true), client: noCert,
			wantC: "security reasons", wantS: "security reasons", denied: true},
		{name: "certificate hook accepts", server: p.server(t, "server"), client: p.client(t, "client", "127.0.0.1", true), validator: onlyClient},
		{name: "expired client certificate", server: p.server(t, "server"), client: p.client(t, "expiredclient", "127.0.0.1", true),
			wantC: "TLS: the peer refused the connection: tls: expired certificate",
			wantS: "TLS handshake failed: tls: failed to verify certificate: x509: certificate has expired"},
		{name: "expired server certificate", server: p.server(t, "expiredserver"), client: p.client(t, "client", "127.0.0.1", true),
			wantC: "TLS handshake failed: tls: failed to verify certificate: x509: certificate has expired",
			wantS: "TLS handshake failed: remote error: tls: "},
		{name: "expired server, no post-connection check", server: p.server(t, "expiredserver"), client: p.client(t, "client", "127.0.0.1", false),
			wantC: "TLS handshake failed: tls: failed to verify certificate: x509: certificate has expired",
			wantS: "TLS handshake failed: remote error: tls: bad certificate"},
		// Go's client only sends a certificate the server's CA list
		// accepts, so it sends none...
		{name: "client of another CA", server: p.server(t, "server"), client: p.client(t, "wrongclient", "127.0.0.1", true),
			wantC: "security reasons", wantS: "security reasons", denied: true},
		// ...while OpenSSL's (Pyro's M2Crypto) sends it anyway.
		{name: "client of another CA sends it", server: p.server(t, "server"), client: alwaysSend(p.client(t, "wrongclient", "127.0.0.1", true)),
			wantC: "TLS: the peer refused the connection: tls: unknown certificate authority",
			wantS: "TLS handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"},
		{name: "server of another CA", server: p.server(t, "wrongserver"), client: p.client(t, "client", "127.0.0.1", true),
			wantC: "TLS handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority",
			wantS: "TLS handshake failed: remote error: tls: "},
	}
	for _, tt := range tests {
		for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
			t.Run(tt.name+"/"+tls.VersionName(version), func(t *testing.T) {
				v := tt.validator
				if v == nil {
					v = &SSLValidator{}
				}
				client := tt.client.Clone()
				client.MaxVersion = version
				cerr, serr := loopbackHandshake(t, v, nil, nil, &tlsPair{server: tt.server, client: client, wrapped: tt.wrapped})
				checkErr(t, "client", cerr, tt.wantC)
				checkErr(t, "server", serr, tt.wantS)
				if tt.wantC == "" {
					return
				}
				var denied *DeniedError
				if errors.As(cerr, &denied) != tt.denied {
					t.Errorf("client error %T, denied = %v", cerr, tt.denied)
				}
				if !tt.denied && !errors.Is(cerr, ErrTLS) {
					t.Errorf("client error %v is not ErrTLS", cerr)
				}
			})
		}
	}
}

// alwaysSend makes a client present its certificate whatever CAs the server
// asks for, as OpenSSL does.
func alwaysSend(cfg *tls.Config) *tls.Config {
	cert := cfg.Certificates[0]
	cfg.Certificates = nil
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	return cfg
}

func checkErr(t *testing.T, side string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: %v, want success", side, err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("%s: %v, want an error containing %q", side, err, want)
	}
}

// A plain PYRO client on a PYROSSL port is refused in words it understands
// instead of both sides waiting for the other; a PYROSSL client on a plain
// port is told the server does not speak TLS.
func TestTLSAgainstPlain(t *testing.T) {
	p := newTestPKI(t)
	t.Run("plain client, TLS server", func(t *testing.T) {
		cerr, serr := loopbackHandshake(t, &SSLValidator{}, nil, nil,
			&tlsPair{server: p.server(t, "server"), helloTimeout: 100 * time.Millisecond})
		var denied *DeniedError
		if !errors.As(cerr, &denied) || denied.Reason != DenySecurity {
			t.Errorf("client: %v, want DeniedError security reasons", cerr)
		}
		checkErr(t, "server", serr, "the client sent nothing (a plain PYRO client on a PYROSSL port?)")
		if !errors.Is(serr, ErrTLS) {
			t.Errorf("server error %v is not ErrTLS", serr)
		}
	})
	t.Run("TLS client, plain server", func(t *testing.T) {
		cerr, serr := loopbackHandshake(t, nil, nil, nil, &tlsPair{client: p.client(t, "client", "127.0.0.1", true)})
		checkErr(t, "client", cerr, "the server answered in plain PYRO, it is not a PYROSSL server")
		if !errors.Is(cerr, ErrTLS) {
			t.Errorf("client error %v is not ErrTLS", cerr)
		}
		if !errors.Is(serr, ErrVersion) || serr.Error() != "incompatible protocol version" || !strings.Contains(errors.Unwrap(serr).Error(), "TLS handshake") {
			t.Errorf("server: %v (cause %v), want ErrHeader caused by a TLS hello", serr, errors.Unwrap(serr))
		}
	})
}

func TestTLSSettingsFiles(t *testing.T) {
	p := newTestPKI(t)
	tests := []struct {
		name string
		s    TLSSettings
		want string
	}{
		{"key in certificate file", TLSSettings{CertDir: p.dir, CACert: "ca.pem", Cert: "server.pem"}, ""},
		{"separate key", TLSSettings{CertDir: p.dir, CACert: "ca.pem", Cert: "wrongserver.pem", Key: "wrongserver.key"}, ""},
		{"absolute names", TLSSettings{CertDir: "/nonexistent", CACert: filepath.Join(p.dir, "ca.pem"), Cert: filepath.Join(p.dir, "server.pem")}, ""},
		{"missing certificate", TLSSettings{CertDir: p.dir, CACert: "ca.pem", Cert: "host.pem"}, "PYROSSL_CERT: open "},
		{"missing key", TLSSettings{CertDir: p.dir, CACert: "ca.pem", Cert: "server.pem", Key: "none.key"}, "PYROSSL_KEY: open "},
		{"key not in certificate file", TLSSettings{CertDir: p.dir, CACert: "ca.pem", Cert: "wrongserver.pem"}, "PYROSSL_CERT " + filepath.Join(p.dir, "wrongserver.pem")},
		{"key of another certificate", TLSSettings{CertDir: p.dir, CACert: "ca.pem", Cert: "wrongserver.pem", Key: "client.key"}, "private key does not match public key"},
		{"missing CA", TLSSettings{CertDir: p.dir, CACert: "nope.pem", Cert: "server.pem"}, "PYROSSL_CA_CERT: open "},
		{"CA without certificate", TLSSettings{CertDir: p.dir, CACert: "server.key", Cert: "server.pem"}, "no PEM certificate in it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, serr := tt.s.ServerConfig()
			_, cerr := tt.s.ClientConfig("localhost")
			checkErr(t, "ServerConfig", serr, tt.want)
			checkErr(t, "ClientConfig", cerr, tt.want)
		})
	}
}

func TestTLSSettingsFromConfig(t *testing.T) {
	env := map[string]string{
		"PYROSSL_CERTDIR": "/etc/pyro/certs", "PYROSSL_CA_CERT": "myca.pem", "PYROSSL_CERT": "me.pem",
		"PYROSSL_KEY": "me.key", "PYROSSL_POSTCONNCHECK": "0", "PYRO_CONFIG_FILE": "",
	}
	c, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	got := TLSSettingsFromConfig(c)
	want := TLSSettings{CertDir: "/etc/pyro/certs", CACert: "myca.pem", Cert: "me.pem", Key: "me.key"}
	if got.CertDir != want.CertDir || got.CACert != want.CACert || got.Cert != want.Cert || got.Key != want.Key || got.PostConnCheck {
		t.Errorf("TLSSettingsFromConfig = %+v, want %+v", got, want)
	}
}
