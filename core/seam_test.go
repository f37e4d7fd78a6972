package core_test

// The dispatch driven through a fake in-memory protocol, as net/rpc tests its
// codecs: the fake speaks JSON lines over net.Pipe, with a handshake of its
// own, its own internal daemon object, its own exceptions and close rules,
// and implements core.Protocol with core's exported API only. What the
// daemon does for it is the dispatch alone: find the object, bind the
// arguments, call, answer with the result or the error.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/protocol"
)

// pipeListener is a net.Listener whose connections are net.Pipe halves.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	select {
	case <-l.closed:
	default:
		close(l.closed)
	}
	return nil
}

// Addr is a TCP address, as a Daemon publishes a port.
func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1} }

func (l *pipeListener) dial(ctx context.Context) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// The fake's messages.
type (
	fakeHello struct {
		Hello string `json:"hello"`
	}
	fakeVerdict struct {
		Denied string `json:"denied,omitempty"`
	}
	fakeRequest struct {
		ID     string         `json:"id"`
		Method string         `json:"method"`
		Args   []any          `json:"args"`
		Kwargs map[string]any `json:"kwargs,omitempty"`
		Oneway bool           `json:"oneway,omitempty"`
	}
	fakeReply struct {
		Result any    `json:"result,omitempty"`
		Error  string `json:"error,omitempty"`
	}
)

// fakeDaemonID is the id of the fake's internal daemon object.
const fakeDaemonID = "fake.daemon"

// fakeProtocol is the FAKE:// protocol over the listener ln.
type fakeProtocol struct{ ln *pipeListener }

func (*fakeProtocol) Schemes() []string { return []string{"FAKE"} }

func (*fakeProtocol) URI(host string, port int, id string) compat.URI {
	return compat.URI{Protocol: "FAKE", Address: host, Port: port, ObjectID: id}
}

// fakeDaemon is the fake's internal daemon object.
type fakeDaemon struct{ d *core.Daemon }

// Registered lists the names of the daemon's objects and its own.
func (f fakeDaemon) Registered() []string {
	names := []string{"FakeDaemon"}
	for _, n := range f.d.Registered() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (*fakeProtocol) DaemonObject(d *core.Daemon) (string, string, any) {
	return fakeDaemonID, "FakeDaemon", fakeDaemon{d}
}

func (*fakeProtocol) Accept(ctx context.Context, nc net.Conn, a *core.Admission) (core.ServerCodec, error) {
	s := &fakeServer{nc: nc, dec: json.NewDecoder(nc), enc: json.NewEncoder(nc)}
	var h fakeHello
	if err := s.dec.Decode(&h); err != nil {
		return nil, err
	}
	var v fakeVerdict
	switch {
	case h.Hello != "fake":
		v.Denied = "not fake"
	case a.OverHost || !a.Grant():
		v.Denied = "busy"
	}
	if err := s.enc.Encode(v); err != nil {
		return nil, err
	}
	if v.Denied != "" {
		return nil, errors.New("fake: denied " + v.Denied)
	}
	return s, nil
}

func (p *fakeProtocol) Dial(ctx context.Context, uri compat.URI, _ core.DialSettings) (core.ClientCodec, compat.URI, error) {
	nc, err := p.ln.dial(ctx)
	if err != nil {
		return nil, uri, &core.CommError{Op: "dial", URI: uri, Err: err, Exc: compat.NewProtocolError("connection failed")}
	}
	c := &fakeClient{nc: nc, dec: json.NewDecoder(nc), enc: json.NewEncoder(nc)}
	var v fakeVerdict
	if err := c.enc.Encode(fakeHello{Hello: "fake"}); err == nil {
		err = c.dec.Decode(&v)
	}
	if err == nil && v.Denied != "" {
		err = errors.New(v.Denied)
	}
	if err != nil {
		nc.Close()
		return nil, uri, &core.CommError{Op: "handshake", URI: uri, Err: err, Exc: compat.NewConnectionDeniedError(err.Error())}
	}
	return c, uri, nil
}

type fakeServer struct {
	nc     net.Conn
	dec    *json.Decoder
	enc    *json.Encoder
	req    core.Request
	oneway bool // of the last request
}

func (s *fakeServer) ReadRequest(context.Context) (*core.Request, error) {
	var m fakeRequest
	if err := s.dec.Decode(&m); err != nil {
		return nil, err
	}
	s.oneway = m.Oneway
	if m.Method == "" {
		return nil, &core.RequestError{Err: errors.New("no method"), Reply: errors.New("fake: a request needs a method")}
	}
	s.req = core.Request{ObjectID: m.ID, Call: core.Call{Method: m.Method, Args: m.Args, Kwargs: m.Kwargs, Oneway: m.Oneway}}
	return &s.req, nil
}

func (s *fakeServer) WriteResult(_ context.Context, result any) error {
	return s.enc.Encode(fakeReply{Result: result})
}

// WriteError: the fake's exceptions are texts; an unknown object is
// answered unless the call was oneway, and the connection goes on.
func (s *fakeServer) WriteError(_ context.Context, err error) error {
	var pe *core.PanicError
	msg := err.Error()
	switch {
	case errors.Is(err, core.ErrUnknownObject):
		if s.oneway {
			return nil
		}
		msg = "fake: no such object"
	case errors.As(err, &pe):
		msg = fmt.Sprintf("fake: the server panicked: %v", pe.Value)
	}
	return s.enc.Encode(fakeReply{Error: msg})
}

func (s *fakeServer) Close() error { return s.nc.Close() }

type fakeClient struct {
	nc  net.Conn
	dec *json.Decoder
	enc *json.Encoder
}

// fakeRemoteError is a remote exception of the fake protocol.
type fakeRemoteError struct{ msg string }

func (e *fakeRemoteError) Error() string { return e.msg }

// WriteRequest refuses the attribute styles: the fake has no remote
// attributes.
func (c *fakeClient) WriteRequest(_ context.Context, r *core.Request) error {
	if r.Style >= core.StyleGetAttr {
		return fmt.Errorf("fake: no remote attributes (%s)", r.Method)
	}
	return c.enc.Encode(fakeRequest{ID: r.ObjectID, Method: r.Method, Args: r.Args, Kwargs: r.Kwargs, Oneway: r.Oneway})
}

func (c *fakeClient) ReadReply(context.Context) (any, error) {
	var m fakeReply
	if err := c.dec.Decode(&m); err != nil {
		return nil, &core.CommError{Op: "read", Err: err, Exc: compat.NewConnectionClosedError("connection lost")}
	}
	if m.Error != "" {
		return nil, &fakeRemoteError{m.Error}
	}
	return m.Result, nil
}

func (*fakeClient) ClosesConnection(error) bool { return false }

func (c *fakeClient) Close() error { return c.nc.Close() }

// fakeSvc is the object the tests call.
type fakeSvc struct{ notes chan string }

func (*fakeSvc) Echo(s string) string { return s }

func (*fakeSvc) Add(a, b float64) float64 { return a + b }

func (*fakeSvc) Greet(greeting string, kw core.Kwargs) string {
	return fmt.Sprintf("%s, %v", greeting, kw["name"])
}

func (*fakeSvc) Fail() error { return errors.New("it failed") }

func (*fakeSvc) Boom() { panic("oops") }

func (*fakeSvc) HasCaller(ctx context.Context) bool {
	_, ok := core.CallerFromContext(ctx)
	return ok
}

func (s *fakeSvc) Note(text string) { s.notes <- text }

// startFake runs a daemon serving the fake protocol, with fakeSvc
// connected as "svc", and returns the protocol (registered for FAKE://
// URIs), the svc's URI and the svc.
func startFake(t *testing.T, opts core.DaemonOptions) (*fakeProtocol, compat.URI, *fakeSvc) {
	t.Helper()
	ln := newPipeListener()
	p := &fakeProtocol{ln: ln}
	core.RegisterProtocol(p)
	opts.Listener, opts.Protocol = ln, p
	d := startDaemon(t, opts)
	svc := &fakeSvc{notes: make(chan string, 1)}
	uri, err := d.Connect(svc, "svc")
	if err != nil {
		t.Fatal(err)
	}
	return p, uri, svc
}

func TestFakeProtocolDispatch(t *testing.T) {
	_, uri, _ := startFake(t, core.DaemonOptions{})
	if uri.Protocol != "FAKE" {
		t.Fatalf("the daemon's URI is %s, want the protocol's FAKE scheme", uri)
	}
	p := newProxy(t, uri, core.WithTimeout(10*time.Second))
	ctx := context.Background()
	tests := []struct {
		name    string
		method  string
		args    []any
		kwargs  map[string]any
		want    any
		wantErr string
	}{
		{"result", "echo", []any{"hi"}, nil, "hi", ""},
		{"Go name", "Echo", []any{"hi"}, nil, "hi", ""},
		{"arguments bound", "add", []any{2.0, 3.5}, nil, 5.5, ""},
		{"keywords", "greet", []any{"hello"}, map[string]any{"name": "fake"}, "hello, fake", ""},
		{"context", "has_caller", nil, nil, true, ""},
		{"error mapped by the protocol", "fail", nil, nil, nil, "it failed"},
		{"panic mapped by the protocol", "boom", nil, nil, nil, "fake: the server panicked: oops"},
		{"wrong arguments", "echo", nil, nil, nil, "echo() takes exactly 1 argument (0 given)"},
		{"unknown method", "nope", nil, nil, nil, "'fakeSvc' object has no attribute 'nope'"},
		// Remote attributes are Pyro 3's protocol, not the dispatch's.
		{"no Pyro 3 attributes", "_r_ga", []any{"notes"}, nil, nil, "'fakeSvc' object has no attribute '_r_ga'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := p.CallKw(ctx, tc.method, tc.args, tc.kwargs)
			if tc.wantErr != "" {
				var re *fakeRemoteError
				if !errors.As(err, &re) || re.msg != tc.wantErr {
					t.Fatalf("%s: err %v, want the fake's %q", tc.method, err, tc.wantErr)
				}
				return
			}
			if err != nil || !cmp.Equal(got, tc.want) {
				t.Fatalf("%s = %#v, %v; want %#v", tc.method, got, err, tc.want)
			}
		})
	}
}

// TestFakeProtocolAttributes: a proxy's attribute access goes through the
// protocol, which may have none.
func TestFakeProtocolAttributes(t *testing.T) {
	_, uri, _ := startFake(t, core.DaemonOptions{})
	p := newProxy(t, uri, core.WithTimeout(10*time.Second))
	ctx := context.Background()
	if v, err := p.GetAttr(ctx, "notes"); err == nil || !strings.Contains(err.Error(), "fake: no remote attributes") {
		t.Errorf("GetAttr = %v, %v; want the fake's refusal", v, err)
	}
	if err := p.SetAttr(ctx, "notes", nil); err == nil || !strings.Contains(err.Error(), "fake: no remote attributes") {
		t.Errorf("SetAttr: %v; want the fake's refusal", err)
	}
	if is, err := p.IsMethod(ctx, "echo"); err == nil || is {
		t.Errorf("IsMethod = %v, %v; want the fake's refusal", is, err)
	}
	if got, err := p.Call(ctx, "echo", "then a call"); err != nil || got != "then a call" {
		t.Errorf("echo = %v, %v", got, err)
	}
}

func TestFakeProtocolOneway(t *testing.T) {
	_, uri, svc := startFake(t, core.DaemonOptions{})
	p := newProxy(t, uri, core.WithTimeout(10*time.Second))
	if err := p.Oneway(context.Background(), "note", "sent oneway"); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-svc.notes:
		if got != "sent oneway" {
			t.Fatalf("note got %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the oneway call did not run")
	}
	// No reply was sent for it: the next call reads its own.
	if got, err := p.Call(context.Background(), "echo", "next"); err != nil || got != "next" {
		t.Fatalf("echo after oneway = %v, %v", got, err)
	}
}

// TestFakeProtocolDaemonObject: the daemon serves the protocol's internal
// daemon object under the protocol's id.
func TestFakeProtocolDaemonObject(t *testing.T) {
	_, uri, _ := startFake(t, core.DaemonOptions{})
	uri.ObjectID = fakeDaemonID
	p := newProxy(t, uri, core.WithTimeout(10*time.Second))
	got, err := p.Call(context.Background(), "registered")
	if want := []any{"FakeDaemon", "svc"}; err != nil || !cmp.Equal(got, want) {
		t.Fatalf("registered = %#v, %v; want %#v", got, err, want)
	}
}

// TestFakeProtocolCloseRules: what follows an unknown object and an
// unreadable request is the protocol's rule (the fake answers and goes on;
// Pyro 3 closes after an unknown object).
func TestFakeProtocolCloseRules(t *testing.T) {
	proto, uri, svc := startFake(t, core.DaemonOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := proto.Dial(ctx, uri, core.DialSettings{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	steps := []struct {
		name    string
		req     core.Request
		want    any
		wantErr string
	}{
		{"unknown object", core.Request{ObjectID: "nobody", Call: core.Call{Method: "echo", Args: []any{"x"}}}, nil, "fake: no such object"},
		{"after it", core.Request{ObjectID: uri.ObjectID, Call: core.Call{Method: "echo", Args: []any{"still"}}}, "still", ""},
		{"unknown object, oneway", core.Request{ObjectID: "nobody", Call: core.Call{Method: "echo", Oneway: true}}, nil, ""},
		{"request error", core.Request{ObjectID: uri.ObjectID}, nil, "fake: a request needs a method"},
		{"after that", core.Request{ObjectID: uri.ObjectID, Call: core.Call{Method: "echo", Args: []any{"again"}}}, "again", ""},
	}
	for _, st := range steps {
		if err := c.WriteRequest(ctx, &st.req); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if st.req.Oneway {
			continue
		}
		got, err := c.ReadReply(ctx)
		var re *fakeRemoteError
		switch {
		case st.wantErr != "" && (!errors.As(err, &re) || re.msg != st.wantErr):
			t.Fatalf("%s: err %v, want %q", st.name, err, st.wantErr)
		case st.wantErr == "" && (err != nil || got != st.want):
			t.Fatalf("%s: %v, %v; want %v", st.name, got, err, st.want)
		}
	}
	select {
	case n := <-svc.notes:
		t.Fatalf("unexpected note %q", n)
	default:
	}
}

// TestFakeProtocolAdmission: the daemon's connection limit reaches the
// protocol's handshake through Admission.Grant (MaxConnections 1 refuses
// every client, as in Pyro), also when a Validator, which is Pyro 3's, is
// set.
func TestFakeProtocolAdmission(t *testing.T) {
	tests := []struct {
		name string
		opts core.DaemonOptions
	}{
		{"limit", core.DaemonOptions{MaxConnections: 1}},
		{"limit and a Pyro 3 validator", core.DaemonOptions{MaxConnections: 1, Validator: &protocol.DefaultValidator{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, uri, _ := startFake(t, tc.opts)
			p := newProxy(t, uri, core.WithTimeout(10*time.Second))
			_, err := p.Call(context.Background(), "echo", "x")
			var ce *core.CommError
			if !errors.As(err, &ce) || ce.Op != "handshake" || !strings.Contains(err.Error(), "busy") {
				t.Fatalf("call on a full daemon: %v, want the fake's refusal", err)
			}
		})
	}
}

// A daemon serving a protocol of one's own (here the fake one of these
// tests), and a proxy dialing it by its URI scheme.
func ExampleRegisterProtocol() {
	ln := newPipeListener()
	proto := &fakeProtocol{ln: ln}
	core.RegisterProtocol(proto) // proxies dial FAKE:// URIs with it
	d, err := core.NewDaemon(core.DaemonOptions{Protocol: proto, Listener: ln})
	if err != nil {
		fmt.Println(err)
		return
	}
	go d.Serve(context.Background())
	defer d.Shutdown(context.Background())
	uri, _ := d.Connect(&fakeSvc{}, "svc")
	p, _ := core.NewProxy(uri)
	defer p.Close()
	res, err := p.Call(context.Background(), "echo", "over the fake protocol")
	fmt.Println(uri.Protocol, res, err)
	// Output: FAKE over the fake protocol <nil>
}
