package protocol

import (
	"context"
	"errors"
	"hash/adler32"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gopyro/gopyro/internal/frametest"
)

// fixedValidator is a DefaultValidator with a fixed challenge, to replay the
// captures byte for byte.
type fixedValidator struct {
	*DefaultValidator
	challenge []byte
}

func (f fixedValidator) CreateChallenge(ConnInfo) ([]byte, error) { return f.challenge, nil }

// blockingValidator refuses every host with a fixed reason.
type blockingValidator struct {
	DefaultValidator
	reason DenyReason
}

func (b *blockingValidator) AcceptHost(ConnInfo) (bool, DenyReason) { return false, b.reason }

// outcome is what a handshake did: its error (kind or denial text) and the
// bytes it sent.
type outcome struct {
	Err  string
	Sent []byte
}

func outcomeOf(err error, sent []byte) outcome {
	o := outcome{Sent: sent}
	var pe *FrameError
	var de *DeniedError
	switch {
	case err == nil:
	case errors.As(err, &pe):
		o.Err = "kind: " + pe.Kind.Error() + ": " + pe.Msg
	case errors.As(err, &de):
		o.Err = "denied: " + de.Error()
	default:
		o.Err = "other: " + err.Error()
	}
	return o
}

func TestServerHandshakeReplay(t *testing.T) {
	frames := traceFrames(t)
	f := func(name string) []byte { return frame(t, frames, name) }
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	validator := func(challenge string, allowed []string) Validator {
		dv := &DefaultValidator{}
		dv.SetAllowedIdentifications(allowed)
		return fixedValidator{dv, unhex(t, challenge)}
	}
	connect := func(body []byte, flags uint16) []byte {
		return append(NewHeader(int32(len(body)), flags, 0).Append(nil), body...)
	}
	tests := []struct {
		name  string
		v     Validator
		conns int
		opts  Options
		in    []byte // what the client sends
		want  outcome
	}{
		{
			name: "trace 01 granted",
			v:    validator("54ed7bf7ed94f44cdc1a35e9a9d8b5b0", nil),
			in:   f("01-handshake/conn1/2-C2S"),
			want: outcome{Sent: cat(f("01-handshake/conn1/1-S2C"), f("01-handshake/conn1/3-S2C"))},
		},
		{
			name: "trace 11 identification accepted",
			v:    validator("e218b9918ee54eb029c4eae274b349d7", []string{"s3cr3t"}),
			in:   f("11-auth_ok/conn1/2-C2S"),
			want: outcome{Sent: cat(f("11-auth_ok/conn1/1-S2C"), []byte("GRANTED"))},
		},
		{
			name: "trace 12 wrong identification",
			v:    validator("5629b30cc882a1b2e50a87978391d986", []string{"s3cr3t"}),
			in:   f("12-auth_denied/conn1/2-C2S"),
			want: outcome{Err: "denied: security reasons",
				Sent: cat(f("12-auth_denied/conn1/1-S2C"), f("12-auth_denied/conn1/3-S2C"))},
		},
		{
			name: "trace 12 no identification",
			v:    validator("163456f64e05b8798785fae61c369d0f", []string{"s3cr3t"}),
			in:   f("12-auth_denied/conn2/2-C2S"),
			want: outcome{Err: "denied: security reasons",
				Sent: cat(f("12-auth_denied/conn2/1-S2C"), []byte("DENIED3"))},
		},
		{
			name:  "trace 13 too many connections",
			v:     &DefaultValidator{MaxConnections: 1},
			conns: 1,
			in:    f("01-handshake/conn1/2-C2S"),
			want:  outcome{Err: "denied: server too busy", Sent: f("13-maxconn_denied/conn1/1-S2C")},
		},
		{
			name: "host blocked",
			v:    &blockingValidator{reason: DenyHostBlocked},
			want: outcome{Err: "denied: host blocked", Sent: []byte("DENIED2")},
		},
		{
			name: "trace 14 CONNECT with checksum",
			v:    validator("4fe31d19b771b38c644c4f0fb34326df", nil),
			in:   f("14-compress_checksum/conn1/2-C2S"),
			want: outcome{Sent: cat(f("14-compress_checksum/conn1/1-S2C"), []byte("GRANTED"))},
		},
		{
			name: "server checksums its challenge",
			v:    validator("4fe31d19b771b38c644c4f0fb34326df", nil),
			opts: Options{Compress: true, Checksum: true},
			in:   f("14-compress_checksum/conn1/2-C2S"),
			want: outcome{Sent: cat(
				NewHeader(16, FlagChecksum, int32(adler32.Checksum(unhex(t, "4fe31d19b771b38c644c4f0fb34326df")))).Append(nil),
				unhex(t, "4fe31d19b771b38c644c4f0fb34326df"), []byte("GRANTED"))},
		},
		{
			name: "trace 22 body not starting with CONNECT: no reply",
			v:    validator("fe40beacee5a86c8726833299ac2f527", nil),
			in:   f("22-protocol_errors/conn6/2-C2S"),
			want: outcome{Err: "kind: handshake failed: invalid handshake message: no CONNECT",
				Sent: f("22-protocol_errors/conn6/1-S2C")},
		},
		{
			name: "trace 22 CONNECT with empty token, no ids set",
			v:    validator("f8df5ebeec7d35dfccec9ea16a653631", nil),
			in:   f("22-protocol_errors/conn7/2-C2S"),
			want: outcome{Sent: cat(f("22-protocol_errors/conn7/1-S2C"), []byte("GRANTED"))},
		},
		{
			name: "CONNECT with empty token, ids set",
			v:    validator("f8df5ebeec7d35dfccec9ea16a653631", []string{"s3cr3t"}),
			in:   f("22-protocol_errors/conn7/2-C2S"),
			want: outcome{Err: "denied: security reasons",
				Sent: cat(f("22-protocol_errors/conn7/1-S2C"), []byte("DENIED3"))},
		},
		{
			name: "CONNECT flagged XML is still a handshake",
			v:    validator("54ed7bf7ed94f44cdc1a35e9a9d8b5b0", nil),
			in:   connect([]byte("CONNECT"), FlagXMLPickle),
			want: outcome{Sent: cat(f("01-handshake/conn1/1-S2C"), []byte("GRANTED"))},
		},
		{
			name: "CONNECT with version 4",
			v:    validator("54ed7bf7ed94f44cdc1a35e9a9d8b5b0", nil),
			in:   frameOf("PYRO", 4, 18, 7, 0, 0, []byte("CONNECT")),
			want: outcome{Err: "kind: incompatible protocol version: incompatible protocol version",
				Sent: f("01-handshake/conn1/1-S2C")},
		},
		{
			name: "CONNECT with bad magic",
			v:    validator("54ed7bf7ed94f44cdc1a35e9a9d8b5b0", nil),
			in:   frameOf("XXXX", 5, 18, 7, 0, 0, []byte("CONNECT")),
			want: outcome{Err: "kind: invalid header: invalid header", Sent: f("01-handshake/conn1/1-S2C")},
		},
		{
			name: "CONNECT with bad checksum",
			v:    validator("54ed7bf7ed94f44cdc1a35e9a9d8b5b0", nil),
			in:   frameOf("PYRO", 5, 18, 7, FlagChecksum, 1, []byte("CONNECT")),
			want: outcome{Err: "kind: checksum error: checksum error", Sent: f("01-handshake/conn1/1-S2C")},
		},
		{
			name: "client closes at once",
			v:    validator("54ed7bf7ed94f44cdc1a35e9a9d8b5b0", nil),
			want: outcome{Err: "kind: connection closed: connection closed", Sent: f("01-handshake/conn1/1-S2C")},
		},
		{
			name: "client sends half a CONNECT",
			v:    validator("54ed7bf7ed94f44cdc1a35e9a9d8b5b0", nil),
			in:   f("01-handshake/conn1/2-C2S")[:30],
			want: outcome{Err: "kind: connection lost: connection lost", Sent: f("01-handshake/conn1/1-S2C")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bc := frametest.NewBytesConn(tt.in)
			conns := tt.conns
			if conns == 0 {
				conns = 1
			}
			err := ServerHandshake(context.Background(), NewConn(bc, tt.opts), tt.v, ConnInfo{Connections: conns})
			if diff := cmp.Diff(tt.want, outcomeOf(err, bc.Out.Bytes()), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ServerHandshake (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientHandshakeReplay(t *testing.T) {
	frames := traceFrames(t)
	f := func(name string) []byte { return frame(t, frames, name) }
	munge := (&DefaultValidator{}).MungeIdent
	challenge := f("01-handshake/conn1/1-S2C")
	connect := f("01-handshake/conn1/2-C2S")
	tests := []struct {
		name  string
		ident []byte
		opts  Options
		in    []byte // what the server sends
		want  outcome
	}{
		{
			name: "trace 01 granted",
			in:   append(bytesOf(challenge), "GRANTED"...),
			want: outcome{Sent: connect},
		},
		{
			name:  "trace 11 with identification",
			ident: munge("s3cr3t"),
			in:    append(bytesOf(f("11-auth_ok/conn1/1-S2C")), "GRANTED"...),
			want:  outcome{Sent: f("11-auth_ok/conn1/2-C2S")},
		},
		{
			name:  "trace 12 wrong identification",
			ident: munge("wrong"),
			in:    append(bytesOf(f("12-auth_denied/conn1/1-S2C")), f("12-auth_denied/conn1/3-S2C")...),
			want:  outcome{Err: "denied: security reasons", Sent: f("12-auth_denied/conn1/2-C2S")},
		},
		{
			name: "trace 14 checksummed CONNECT",
			opts: Options{Compress: true, Checksum: true},
			in:   append(bytesOf(f("14-compress_checksum/conn1/1-S2C")), "GRANTED"...),
			want: outcome{Sent: f("14-compress_checksum/conn1/2-C2S")},
		},
		{
			name: "trace 13 early DENIED1",
			in:   f("13-maxconn_denied/conn1/1-S2C"),
			want: outcome{Err: "denied: server too busy"},
		},
		{
			name: "early DENIED with bad code",
			in:   []byte("DENIEDx"),
			want: outcome{Err: "denied: invalid response"},
		},
		{
			name: "denied with unknown code",
			in:   append(bytesOf(challenge), "DENIED7"...),
			want: outcome{Err: "denied: invalid response", Sent: connect},
		},
		{
			name: "denied unspecified",
			in:   append(bytesOf(challenge), "DENIED0"...),
			want: outcome{Err: "denied: unspecified reason", Sent: connect},
		},
		{
			name: "garbage verdict",
			in:   append(bytesOf(challenge), "WHATEVR"...),
			want: outcome{Err: "kind: handshake failed: no connection available in remoteinvocation", Sent: connect},
		},
		{
			name: "verdict cut short",
			in:   append(bytesOf(challenge), "GRAN"...),
			want: outcome{Err: "kind: connection lost: connection lost", Sent: connect},
		},
		{
			name: "server closes after challenge",
			in:   challenge,
			want: outcome{Err: "kind: connection closed: connection closed", Sent: connect},
		},
		{
			name: "server closes at once",
			want: outcome{Err: "kind: connection closed: connection closed"},
		},
		{
			name: "DENIE and close",
			in:   []byte("DENIE"),
			want: outcome{Err: "kind: connection lost: connection lost"},
		},
		{
			name: "15-byte challenge",
			in:   frameOf("PYRO", 5, 18, 15, 0, 0, make([]byte, 15)),
			want: outcome{Err: "kind: handshake failed: Received version must be 5 and auth challenge must be exactly 16 bytes"},
		},
		{
			name: "challenge with version 4",
			in:   frameOf("PYRO", 4, 18, 16, 0, 0, make([]byte, 16)),
			want: outcome{Err: "kind: incompatible protocol version: incompatible protocol version"},
		},
		{
			name: "challenge flagged XML",
			in:   append(frameOf("PYRO", 5, 18, 16, FlagXMLPickle, 0, unhex(t, "54ed7bf7ed94f44cdc1a35e9a9d8b5b0")), "GRANTED"...),
			want: outcome{Sent: connect},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bc := frametest.NewBytesConn(tt.in)
			err := ClientHandshake(context.Background(), NewConn(bc, tt.opts), nil, tt.ident)
			if diff := cmp.Diff(tt.want, outcomeOf(err, bc.Out.Bytes()), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ClientHandshake (-want +got):\n%s", diff)
			}
		})
	}
}

func bytesOf(b []byte) []byte { return append([]byte(nil), b...) }

// pipes returns connected pairs: an in-memory net.Pipe and a loopback TCP
// connection.
func pipes(t *testing.T) map[string]func() (client, server net.Conn) {
	return map[string]func() (net.Conn, net.Conn){
		"pipe": func() (net.Conn, net.Conn) { return net.Pipe() },
		"tcp": func() (net.Conn, net.Conn) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			type res struct {
				c   net.Conn
				err error
			}
			ch := make(chan res, 1)
			go func() {
				c, err := ln.Accept()
				ch <- res{c, err}
			}()
			cc, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			r := <-ch
			if r.err != nil {
				t.Fatal(r.err)
			}
			return cc, r.c
		},
	}
}

func TestHandshakeBothRoles(t *testing.T) {
	munge := (&DefaultValidator{}).MungeIdent
	tests := []struct {
		name       string
		allowed    []string
		maxConn    int
		conns      int
		ident      []byte
		clientOpts Options
		serverOpts Options
		wantServer string
		wantClient string
	}{
		{name: "no identification"},
		{name: "right identification", allowed: []string{"s3cr3t"}, ident: munge("s3cr3t")},
		{name: "one of several", allowed: []string{"a", "b", "c"}, ident: munge("b")},
		{name: "wrong identification", allowed: []string{"s3cr3t"}, ident: munge("wrong"),
			wantServer: "denied: security reasons", wantClient: "denied: security reasons"},
		{name: "missing identification", allowed: []string{"s3cr3t"},
			wantServer: "denied: security reasons", wantClient: "denied: security reasons"},
		{name: "identification not checked", ident: munge("anything")},
		{name: "server too busy", maxConn: 3, conns: 3,
			wantServer: "denied: server too busy", wantClient: "denied: server too busy"},
		{name: "below the limit", maxConn: 3, conns: 2},
		{name: "compression and checksums", allowed: []string{"pw"}, ident: munge("pw"),
			clientOpts: Options{Compress: true, Checksum: true}, serverOpts: Options{Checksum: true}},
	}
	for pname, mk := range pipes(t) {
		for _, tt := range tests {
			t.Run(pname+"/"+tt.name, func(t *testing.T) {
				cc, sc := mk()
				defer cc.Close()
				defer sc.Close()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				v := &DefaultValidator{MaxConnections: tt.maxConn}
				v.SetAllowedIdentifications(tt.allowed)
				conns := max(tt.conns, 1)
				serverErr := make(chan error, 1)
				server := NewConn(sc, tt.serverOpts)
				go func() {
					err := ServerHandshake(ctx, server, v, ConnInfo{Connections: conns})
					if err != nil {
						server.Close() // as a server does on every failure
					}
					serverErr <- err
				}()
				client := NewConn(cc, tt.clientOpts)
				cerr := ClientHandshake(ctx, client, v, tt.ident)
				serr := <-serverErr
				got := []string{outcomeOf(serr, nil).Err, outcomeOf(cerr, nil).Err}
				if diff := cmp.Diff([]string{tt.wantServer, tt.wantClient}, got); diff != "" {
					t.Fatalf("server, client errors (-want +got):\n%s", diff)
				}
				if cerr != nil {
					return
				}
				// The connection carries messages both ways afterwards.
				go func() {
					body, _, err := server.ReadMessage(ctx)
					if err == nil {
						err = server.WriteMessage(ctx, append(body, '!'))
					}
					serverErr <- err
				}()
				if err := client.WriteMessage(ctx, []byte("ping")); err != nil {
					t.Fatal(err)
				}
				body, _, err := client.ReadMessage(ctx)
				if err != nil || string(body) != "ping!" {
					t.Fatalf("reply %q, %v", body, err)
				}
				if err := <-serverErr; err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestServerHandshakeBadChallenge(t *testing.T) {
	v := fixedValidator{&DefaultValidator{}, make([]byte, 15)}
	bc := frametest.NewBytesConn(nil)
	err := ServerHandshake(context.Background(), NewConn(bc, Options{}), v, ConnInfo{Connections: 1})
	if err == nil || bc.Out.Len() != 0 {
		t.Errorf("15-byte challenge: err %v, sent %x; want an error and nothing sent", err, bc.Out.Bytes())
	}
}

// A client that connects and then says nothing must not hold the server
// past its deadline.
func TestServerHandshakeTimeout(t *testing.T) {
	cc, sc := net.Pipe()
	defer cc.Close()
	defer sc.Close()
	go func() { // read the challenge, then stall
		buf := make([]byte, 34)
		cc.Read(buf)
	}()
	err := ServerHandshake(context.Background(), NewConn(sc, Options{IOTimeout: 50 * time.Millisecond}), nil, ConnInfo{Connections: 1})
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("err = %v, want ErrTimeout", err)
	}
}
