package protocol

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/internal/frametest"
)

func tcpAddr(s string) net.Addr {
	ap, err := net.ResolveTCPAddr("tcp", s)
	if err != nil {
		panic(err)
	}
	return ap
}

func TestHostValidators(t *testing.T) {
	deny, err := DenyHosts(nil, "10.0.0.7", "192.168.0.0/16", "::1")
	if err != nil {
		t.Fatal(err)
	}
	allow, err := AllowHosts(&DefaultValidator{MaxConnections: 2}, "127.0.0.1", "::ffff:10.1.0.0/112")
	if err != nil {
		t.Fatal(err)
	}
	type verdict struct {
		OK     bool
		Reason DenyReason
	}
	tests := []struct {
		name  string
		v     Validator
		addr  net.Addr
		conns int
		want  verdict
	}{
		{"deny listed ip", deny, tcpAddr("10.0.0.7:1234"), 1, verdict{false, DenyHostBlocked}},
		{"deny prefix", deny, tcpAddr("192.168.44.1:1"), 1, verdict{false, DenyHostBlocked}},
		{"deny ipv6", deny, tcpAddr("[::1]:1"), 1, verdict{false, DenyHostBlocked}},
		{"deny mapped v4", deny, &net.TCPAddr{IP: net.ParseIP("::ffff:10.0.0.7"), Port: 1}, 1, verdict{false, DenyHostBlocked}},
		{"deny other passes", deny, tcpAddr("127.0.0.1:1"), 1, verdict{true, DenyUnspecified}},
		{"deny then limit", deny, tcpAddr("127.0.0.1:1"), 500, verdict{false, DenyServerTooBusy}},
		{"allow listed", allow, tcpAddr("127.0.0.1:9"), 1, verdict{true, DenyUnspecified}},
		{"allow mapped prefix", allow, tcpAddr("10.1.3.4:9"), 1, verdict{true, DenyUnspecified}},
		{"allow other", allow, tcpAddr("127.0.0.2:9"), 1, verdict{false, DenyHostBlocked}},
		{"allow then limit", allow, tcpAddr("127.0.0.1:9"), 2, verdict{false, DenyServerTooBusy}},
		{"allow non-ip addr", allow, frametest.Addr("pipe"), 1, verdict{false, DenyHostBlocked}},
		{"check func", CheckHosts(nil, func(i ConnInfo) bool { return i.Connections < 3 }), nil, 3, verdict{false, DenyHostBlocked}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := tt.v.AcceptHost(ConnInfo{RemoteAddr: tt.addr, Connections: tt.conns})
			if diff := cmp.Diff(tt.want, verdict{ok, reason}); diff != "" {
				t.Errorf("AcceptHost (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []string{"example.com", "10.0.0.0/33", ""} {
		if _, err := DenyHosts(nil, bad); err == nil {
			t.Errorf("DenyHosts(%q) accepted", bad)
		}
	}
}

// A blocked client sees Pyro's "host blocked" before any challenge.
func TestHostValidatorHandshake(t *testing.T) {
	v, err := DenyHosts(nil, "127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	cerr, serr := loopbackHandshake(t, v, nil, nil, nil)
	var denied *DeniedError
	if !errors.As(cerr, &denied) || denied.Reason != DenyHostBlocked || cerr.Error() != "host blocked" {
		t.Errorf("client: %v, want DeniedError host blocked", cerr)
	}
	if !errors.As(serr, &denied) || denied.Reason != DenyHostBlocked {
		t.Errorf("server: %v", serr)
	}
}

func TestLoginValidator(t *testing.T) {
	challenge := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	v := NewLoginValidator()
	// The user table of Pyro's examples/user_passwd_auth/connvalidator.py.
	for login, hash := range map[string]string{
		"irmen": "5ebe2294ecd0e0f08eab7690d2a6ee69",
		"guest": "084e0343a0486ff05530df6c705c8bb4",
		"root":  "bbbb2edef660739a6071ab5a4f8a869f",
	} {
		if err := v.AddUserHash(login, hash); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.AddUser("alice", "wonder"); err != nil {
		t.Fatal(err)
	}
	// Token of ("irmen", "secret") for this challenge, computed with the
	// example's createAuthToken under Python.
	golden := unhex(t, "69726d656e3ab7628b74b358ed50824f79f6ad474051")
	ident := v.MungeIdent("irmen:secret")
	token, err := v.CreateToken(challenge, ident)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(golden, token); diff != "" {
		t.Fatalf("token (-python +go):\n%s", diff)
	}
	if diff := cmp.Diff(v.MungeIdent("irmen:secret"), ident); diff != "" {
		t.Fatalf("CreateToken changed the identification:\n%s", diff)
	}

	tests := []struct {
		name  string
		ident string
		ok    bool
	}{
		{"irmen", "irmen:secret", true},
		{"guest", "guest:guest", true},
		{"root", "root:change_me", true},
		{"go user", "alice:wonder", true},
		{"password with colon", "alice:won:der", false},
		{"wrong password", "irmen:guest", false},
		{"unknown user", "bob:secret", false},
		{"no password", "irmen", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000 + i}
			tok, err := v.CreateToken(challenge, v.MungeIdent(tt.ident))
			if err != nil {
				t.Fatal(err)
			}
			ok, reason := v.AcceptIdentification(ConnInfo{RemoteAddr: addr}, challenge, tok)
			if ok != tt.ok || (!ok && reason != DenySecurity) {
				t.Fatalf("AcceptIdentification = %v, %v; want %v", ok, reason, tt.ok)
			}
			login, found := v.TakeLogin(addr)
			wantLogin, _, _ := cutColon(tt.ident)
			if !tt.ok {
				wantLogin = ""
			}
			if found != tt.ok || login != wantLogin {
				t.Errorf("TakeLogin = %q, %v; want %q, %v", login, found, wantLogin, tt.ok)
			}
			if _, again := v.TakeLogin(addr); again {
				t.Error("TakeLogin did not forget the login")
			}
		})
	}
	for _, bad := range [][]byte{nil, []byte("irmen"), []byte(":")} {
		if ok, _ := v.AcceptIdentification(ConnInfo{}, challenge, bad); ok {
			t.Errorf("token %q accepted", bad)
		}
	}
	if _, err := v.CreateToken(challenge, []byte("no colon")); err == nil {
		t.Error("CreateToken accepted an identification without login")
	}
	for _, bad := range []string{"", "a:b"} {
		if err := v.AddUser(bad, "x"); err == nil {
			t.Errorf("AddUser(%q) accepted", bad)
		}
	}
	if err := v.AddUserHash("x", "abc"); err == nil {
		t.Error("AddUserHash accepted a short hash")
	}
}

func cutColon(s string) (string, string, bool) {
	for i := range s {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// A Go client and server agree through the whole handshake.
func TestLoginValidatorHandshake(t *testing.T) {
	server := NewLoginValidator()
	if err := server.AddUser("guest", "guest"); err != nil {
		t.Fatal(err)
	}
	client := NewLoginValidator()
	cerr, serr := loopbackHandshake(t, server, client, client.MungeIdent("guest:guest"), nil)
	if cerr != nil || serr != nil {
		t.Fatalf("client %v, server %v", cerr, serr)
	}
	cerr, _ = loopbackHandshake(t, server, client, client.MungeIdent("guest:wrong"), nil)
	var denied *DeniedError
	if !errors.As(cerr, &denied) || denied.Reason != DenySecurity {
		t.Errorf("wrong password: client %v", cerr)
	}
}

func TestSSLValidator(t *testing.T) {
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: "client"}}
	v := &SSLValidator{CheckCertificate: func(c *x509.Certificate) error {
		if c.Subject.CommonName != "client" {
			return errors.New("not our client")
		}
		return nil
	}}
	type verdict struct {
		OK     bool
		Reason DenyReason
	}
	tests := []struct {
		name  string
		info  ConnInfo
		want  verdict
		plain bool
	}{
		{"plain tcp", ConnInfo{Connections: 1}, verdict{false, DenySecurity}, false},
		{"no certificate", ConnInfo{Connections: 1, TLS: &tls.ConnectionState{}}, verdict{false, DenySecurity}, false},
		{"certificate", ConnInfo{Connections: 1, TLS: &tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert}}}, verdict{true, DenyUnspecified}, false},
		{"rejected by hook", ConnInfo{Connections: 1, TLS: &tls.ConnectionState{PeerCertificates: []*x509.Certificate{{}}}}, verdict{false, DenySecurity}, false},
		{"too busy first", ConnInfo{Connections: 1000, TLS: &tls.ConnectionState{}}, verdict{false, DenyServerTooBusy}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := v.AcceptHost(tt.info)
			if diff := cmp.Diff(tt.want, verdict{ok, reason}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// loopbackHandshake runs ServerHandshake on an accepted loopback connection
// and ClientHandshake on the dialled one; wrap, if set, turns both raw
// connections into the ones the handshakes use (TLS).
func loopbackHandshake(t *testing.T, sv, cv Validator, ident []byte, wrap *tlsPair) (clientErr, serverErr error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ln net.Listener
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if wrap != nil && wrap.server != nil {
		tl := NewTLSListener(ln, wrap.server)
		if wrap.helloTimeout > 0 {
			tl.HelloTimeout = wrap.helloTimeout
		}
		ln = tl
	}
	done := make(chan error, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		if wrap != nil && wrap.wrapped {
			nc = &bufferedConn{Conn: nc, r: bufio.NewReader(nc)}
		}
		c := NewConn(nc, Options{IOTimeout: 5 * time.Second})
		defer c.Close()
		err = ServerHandshake(ctx, c, sv, ConnInfo{Connections: 1})
		if err == nil {
			// Prove the connection works: echo one message.
			var body []byte
			if body, _, err = c.ReadMessage(ctx); err == nil {
				err = c.WriteMessage(ctx, body)
			}
		}
		done <- err
	}()
	var nc net.Conn
	if wrap != nil && wrap.client != nil {
		nc, err = DialTLS(ctx, ln.Addr().String(), wrap.client)
	} else {
		nc, err = net.Dial("tcp", ln.Addr().String())
	}
	if err != nil {
		t.Fatal(err)
	}
	if wrap != nil && wrap.wrapped {
		nc = &bufferedConn{Conn: nc, r: bufio.NewReader(nc)}
	}
	c := NewConn(nc, Options{IOTimeout: 5 * time.Second})
	defer c.Close()
	clientErr = ClientHandshake(ctx, c, cv, ident)
	if clientErr == nil {
		if err := c.WriteMessage(ctx, []byte("ping")); err != nil {
			t.Fatal(err)
		}
		body, _, err := c.ReadMessage(ctx)
		if err != nil || string(body) != "ping" {
			t.Fatalf("echo after handshake: %q, %v", body, err)
		}
	} else {
		c.Close()
	}
	return clientErr, <-done
}

// tlsPair are the TLS configurations of both ends; nil means plain TCP.
type tlsPair struct {
	server, client *tls.Config
	helloTimeout   time.Duration
	wrapped        bool // both ends wrap the connection in a bufferedConn
}

// bufferedConn is a read-buffering wrapper like the one package core puts
// around connections; NetConn exposes the wrapped connection.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }
func (c *bufferedConn) NetConn() net.Conn          { return c.Conn }
