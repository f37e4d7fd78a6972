package protocol

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/internal/wire"
)

// TLSSettings are Pyro's PYROSSL_* configuration items, from which
// ServerConfig and ClientConfig build the crypto/tls configuration of a
// PYROSSL daemon and of its clients with Pyro's semantics:
//
//   - Both sides present the certificate in Cert (with its private key in
//     Key, or in the Cert file itself when Key is empty) and verify the
//     peer's certificate chain against the CA certificate(s) in CACert:
//     mutual certificate authentication.
//   - The server asks for a client certificate and verifies it if one is
//     sent; a client without one is refused by SSLValidator (DenySecurity,
//     "security reasons"), the default validator of a PYROSSL daemon.
//   - The client checks that the server's certificate names the host it
//     connected to (M2Crypto's post-connection check) unless PostConnCheck
//     is false.
//
// File names are relative to CertDir unless absolute, as os.path.join makes
// them in Pyro. (Pyro also calls M2Crypto's set_allow_unknown_ca, but without
// a verify callback that has no effect: OpenSSL's default verification, which
// refuses unknown CAs, applies. So does Go's.)
type TLSSettings struct {
	CertDir string // PYROSSL_CERTDIR
	CACert  string // PYROSSL_CA_CERT: PEM file of the trusted CA certificate(s)
	Cert    string // PYROSSL_CERT: PEM file of our certificate chain
	Key     string // PYROSSL_KEY: PEM file of our private key; "" = in Cert
	// PostConnCheck makes the client verify the server's host name
	// (PYROSSL_POSTCONNCHECK, on by default in Pyro).
	PostConnCheck bool
	// CheckCertificate, if set, is given the peer's verified leaf
	// certificate on both sides; an error fails the TLS handshake. (On a
	// daemon, SSLValidator.CheckCertificate is Pyro's hook with Pyro's
	// effect: a "security reasons" refusal the client sees.)
	CheckCertificate func(cert *x509.Certificate) error
	// ClientMaxVersion is the highest TLS version a client offers; 0 means
	// TLS 1.2. A Pyro 3 server (M2Crypto on OpenSSL 3, which Pyro sets up
	// with an empty client-CA list) sends, in TLS 1.3, a certificate
	// request with an empty certificate_authorities extension that Go
	// rejects ("error decoding message"); in TLS 1.2 the same request is
	// valid. Set tls.VersionTLS13 when every server is a Go one.
	ClientMaxVersion uint16
}

// TLSSettingsFromConfig returns the PYROSSL_* items of c.
func TLSSettingsFromConfig(c *config.Config) TLSSettings {
	return TLSSettings{
		CertDir: c.SSLCertDir, CACert: c.SSLCACert, Cert: c.SSLCert, Key: c.SSLKey,
		PostConnCheck: c.SSLPostConnCheck,
	}
}

func (s TLSSettings) path(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(s.CertDir, name)
}

func (s TLSSettings) load() (tls.Certificate, *x509.CertPool, error) {
	certFile := s.path(s.Cert)
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("protocol: PYROSSL_CERT: %w", err)
	}
	keyPEM, keyFile := certPEM, certFile
	if s.Key != "" {
		keyFile = s.path(s.Key)
		if keyPEM, err = os.ReadFile(keyFile); err != nil {
			return tls.Certificate{}, nil, fmt.Errorf("protocol: PYROSSL_KEY: %w", err)
		}
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("protocol: PYROSSL_CERT %s / key %s: %w", certFile, keyFile, err)
	}
	caFile := s.path(s.CACert)
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("protocol: PYROSSL_CA_CERT: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return tls.Certificate{}, nil, fmt.Errorf("protocol: PYROSSL_CA_CERT %s: no PEM certificate in it", caFile)
	}
	return cert, pool, nil
}

// ServerConfig returns the TLS configuration of a PYROSSL daemon.
func (s TLSSettings) ServerConfig() (*tls.Config, error) {
	cert, pool, err := s.load()
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		ClientAuth:   tls.VerifyClientCertIfGiven,
		MinVersion:   tls.VersionTLS12,
	}
	if check := s.CheckCertificate; check != nil {
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return nil // SSLValidator refuses it with a Pyro answer
			}
			return check(cs.PeerCertificates[0])
		}
	}
	return cfg, nil
}

// ClientConfig returns the TLS configuration of a client connecting to the
// PYROSSL daemon at serverName (the host of its URI).
func (s TLSSettings) ClientConfig(serverName string) (*tls.Config, error) {
	cert, pool, err := s.load()
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		RootCAs:      pool,
		ServerName:   serverName,
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   s.ClientMaxVersion,
	}
	if cfg.MaxVersion == 0 {
		cfg.MaxVersion = tls.VersionTLS12
	}
	check := s.CheckCertificate
	if !s.PostConnCheck {
		// Verify the chain ourselves, without the host name.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("protocol: the server sent no certificate")
			}
			opts := x509.VerifyOptions{Roots: pool, Intermediates: x509.NewCertPool(), CurrentTime: time.Now()}
			if cfg.Time != nil {
				opts.CurrentTime = cfg.Time()
			}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
				return fmt.Errorf("tls: failed to verify certificate: %w", err)
			}
			if check != nil {
				return check(cs.PeerCertificates[0])
			}
			return nil
		}
	} else if check != nil {
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return check(cs.PeerCertificates[0]) }
	}
	return cfg, nil
}

// DefaultTLSHelloTimeout is how long a TLSListener's connection waits for
// the client's first TLS byte before concluding it is a plain PYRO client.
const DefaultTLSHelloTimeout = 5 * time.Second

// TLSListener accepts PYROSSL connections: Accept returns *tls.Conn values
// whose TLS handshake ServerHandshake performs (before Validator.AcceptHost,
// which then sees the client's certificate in ConnInfo.TLS).
//
// A Pyro client always waits for the server to speak first, so a plain
// (PYRO://) client on a PYROSSL port would wait forever for a challenge
// while the TLS server waits for its ClientHello. When a client has sent
// nothing for HelloTimeout, ServerHandshake answers it with a raw
// "DENIED3", which Pyro clients report as ConnectionDeniedError('security
// reasons'), and returns an ErrTLS error that says what happened.
type TLSListener struct {
	net.Listener
	Config       *tls.Config
	HelloTimeout time.Duration // 0 means DefaultTLSHelloTimeout
}

// NewTLSListener wraps inner so that its connections speak TLS with config
// (usually from TLSSettings.ServerConfig).
func NewTLSListener(inner net.Listener, config *tls.Config) *TLSListener {
	return &TLSListener{Listener: inner, Config: config, HelloTimeout: DefaultTLSHelloTimeout}
}

// Accept waits for the next connection and returns it as a *tls.Conn.
func (l *TLSListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	timeout := l.HelloTimeout
	if timeout <= 0 {
		timeout = DefaultTLSHelloTimeout
	}
	return tls.Server(&sniffConn{Conn: c, helloTimeout: timeout}, l.Config), nil
}

// sniffConn notes whether the client has sent anything.
type sniffConn struct {
	net.Conn
	helloTimeout time.Duration
	got          atomic.Bool
}

func (c *sniffConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.got.Store(true)
	}
	return n, err
}

// DialTLS connects to address (host:port) over TCP and returns the TLS
// client connection for ClientHandshake, which runs the TLS handshake first.
// An empty config.ServerName is set to the host of address.
func DialTLS(ctx context.Context, address string, config *tls.Config) (*tls.Conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", address)
	if err != nil {
		return nil, err
	}
	if config.ServerName == "" {
		host, _, _ := net.SplitHostPort(address)
		config = config.Clone()
		config.ServerName = host
	}
	return tls.Client(nc, config), nil
}

// serverTLS runs the server side of the TLS handshake of a PYROSSL
// connection and returns its state.
func (c *Conn) serverTLS(ctx context.Context, tc *tls.Conn) (*tls.ConnectionState, error) {
	stop, err := c.dl.Watch(ctx, true)
	if err != nil {
		return nil, err
	}
	defer stop()
	sc, _ := tc.NetConn().(*sniffConn)
	dl := c.dl.Deadline(ctx)
	if sc != nil {
		if hello := time.Now().Add(sc.helloTimeout); dl.IsZero() || hello.Before(dl) {
			dl = hello
		}
	}
	if err := tc.SetDeadline(dl); err != nil {
		return nil, c.dl.IOError(ctx, err, true, true)
	}
	err = tc.Handshake()
	_ = tc.SetDeadline(time.Time{})
	c.dl.Forget()
	if err != nil {
		if ctx.Err() != nil {
			return nil, wire.ContextError(ctx.Err(), true)
		}
		if sc != nil && !sc.got.Load() && errors.Is(err, os.ErrDeadlineExceeded) {
			// A plain Pyro client waiting for its challenge: refuse it in
			// words it understands.
			_ = sc.Conn.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = sc.Conn.Write([]byte{'D', 'E', 'N', 'I', 'E', 'D', DenySecurity.code()})
			return nil, newError(ErrTLS, "TLS handshake failed: the client sent nothing (a plain PYRO client on a PYROSSL port?); answered DENIED3", err)
		}
		return nil, newError(ErrTLS, "TLS handshake failed: "+err.Error(), err)
	}
	st := tc.ConnectionState()
	return &st, nil
}

// clientTLS runs the client side of the TLS handshake of a PYROSSL
// connection.
func (c *Conn) clientTLS(ctx context.Context, tc *tls.Conn) error {
	stop, err := c.dl.Watch(ctx, true)
	if err != nil {
		return err
	}
	defer stop()
	if err := tc.SetDeadline(c.dl.Deadline(ctx)); err != nil {
		return c.dl.IOError(ctx, err, true, true)
	}
	err = tc.Handshake()
	_ = tc.SetDeadline(time.Time{})
	c.dl.Forget()
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return wire.ContextError(ctx.Err(), true)
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) && (bytes.HasPrefix(rh.RecordHeader[:], []byte("PYRO")) || bytes.HasPrefix(rh.RecordHeader[:], []byte("DENIE"))) {
		return newError(ErrTLS, "TLS handshake failed: the server answered in plain PYRO, it is not a PYROSSL server", err)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return newError(ErrTimeout, "TLS handshake failed: "+wire.TimeoutText(true), err)
	}
	if alert := wire.TLSAlertError(err); alert != nil {
		return alert
	}
	return newError(ErrTLS, "TLS handshake failed: "+err.Error(), err)
}

// tlsConnOf returns the *tls.Conn that nc is, or wraps: a wrapper (such as
// a read buffer) exposes what it wraps with a NetConn() net.Conn method, as
// *tls.Conn itself does. Nothing may have been read through the wrapper yet
// when the TLS handshake runs on the returned connection.
func tlsConnOf(nc net.Conn) *tls.Conn {
	for range 8 {
		switch c := nc.(type) {
		case *tls.Conn:
			return c
		case interface{ NetConn() net.Conn }:
			nc = c.NetConn()
		default:
			return nil
		}
	}
	return nil
}

// looksLikeTLS reports whether a message header is really the start of a
// TLS handshake record (a PYROSSL client on a plain port).
func looksLikeTLS(hdr []byte) bool {
	return len(hdr) >= 3 && hdr[0] == 0x16 && hdr[1] == 0x03
}
