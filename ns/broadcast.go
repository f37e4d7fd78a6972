package ns

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gopyro/gopyro/internal/discovery"
)

// The commands of Pyro's UDP discovery protocol: bare ASCII datagrams.
const (
	CmdLocation = "location"
	CmdShutdown = "shutdown"
)

// CmdGetNSURI is Pyro 5's discovery request (Pyro5's BroadcastServer),
// sent to its own port (PYRO_NS_BCPORT, 9091) and answered with the URI
// of Pyro 5's name server object.
const CmdGetNSURI = "GET_NSURI"

// Replies to a shutdown request, by broadcast or by _shutdown.
const (
	ShutdownAccepted = "Will shut down shortly"
	ShutdownDenied   = "Shutdown request denied"
)

// BroadcastServer answers Pyro's UDP discovery requests: "location" with
// the Name Server's URI, "shutdown" with ShutdownAccepted (then calls the
// shutdown function) or ShutdownDenied. Other datagrams get no answer.
type BroadcastServer struct {
	conn     net.PacketConn
	mu       sync.Mutex
	uri      string
	keep     bool
	shutdown func()
	allow    func(cmd string, from net.Addr) bool
	pyro5    bool // answers CmdGetNSURI alone (ListenBroadcast5)
}

// BroadcastOptions configure a BroadcastServer.
type BroadcastOptions struct {
	// URI is the Name Server URI string sent in answer to "location".
	URI string
	// KeepRunning makes it answer ShutdownDenied (pyro-ns -k).
	KeepRunning bool
	// Shutdown is called after answering an accepted shutdown request.
	Shutdown func()
	// Allow, if set, decides whether a request is answered at all (the Go
	// equivalent of Pyro's BCGuard).
	Allow func(cmd string, from net.Addr) bool
}

// ListenBroadcast binds the UDP socket of a BroadcastServer to addr:port;
// addr "" means all interfaces, which receives both broadcasts and
// unicast requests. (Pyro on Linux binds to 255.255.255.255 and then hears
// only limited broadcasts.)
func ListenBroadcast(addr string, port int, opts BroadcastOptions) (*BroadcastServer, error) {
	if addr == "<broadcast>" {
		addr = "255.255.255.255"
	}
	conn, err := net.ListenPacket("udp4", net.JoinHostPort(addr, strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	return &BroadcastServer{conn: conn, uri: opts.URI, keep: opts.KeepRunning, shutdown: opts.Shutdown, allow: opts.Allow}, nil
}

// ListenBroadcast5 binds the UDP socket of Pyro 5's discovery to
// addr:port (addr "" means all interfaces): the BroadcastServer answers
// CmdGetNSURI with uri, the Pyro 5 URI of the name server
// (PYRO:Pyro.NameServer@host:port), and nothing else.
func ListenBroadcast5(addr string, port int, uri string) (*BroadcastServer, error) {
	conn, err := net.ListenPacket("udp4", net.JoinHostPort(addr, strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	return &BroadcastServer{conn: conn, uri: uri, pyro5: true}, nil
}

// Addr returns the address the server listens on.
func (b *BroadcastServer) Addr() net.Addr { return b.conn.LocalAddr() }

// SetURI changes the URI sent in answer to "location".
func (b *BroadcastServer) SetURI(uri string) {
	b.mu.Lock()
	b.uri = uri
	b.mu.Unlock()
}

// Serve answers requests until ctx ends or Close is called.
func (b *BroadcastServer) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { b.conn.Close() })
	defer stop()
	buf := make([]byte, 1024)
	for {
		n, from, err := b.conn.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		cmd := string(buf[:n])
		if b.pyro5 != (cmd == CmdGetNSURI) || !b.pyro5 && cmd != CmdLocation && cmd != CmdShutdown {
			continue
		}
		if b.allow != nil && !b.allow(cmd, from) {
			continue
		}
		b.mu.Lock()
		uri, keep := b.uri, b.keep
		b.mu.Unlock()
		switch {
		case cmd == CmdLocation || cmd == CmdGetNSURI:
			b.conn.WriteTo([]byte(uri), from)
		case keep:
			b.conn.WriteTo([]byte(ShutdownDenied), from)
		default:
			b.conn.WriteTo([]byte(ShutdownAccepted), from)
			if b.shutdown != nil {
				b.shutdown()
			}
		}
	}
}

// Close stops the server.
func (b *BroadcastServer) Close() error { return b.conn.Close() }

// ErrNoReply is returned by SendBroadcast when no Name Server answered.
var ErrNoReply = discovery.ErrNoReply

// SendBroadcast sends cmd as a UDP datagram (with SO_BROADCAST) to every
// destination ("host:port"; duplicates are sent once), waits timeout for the
// first reply and repeats retries more times (retries < 0: until ctx ends),
// as Pyro's NameServerLocator does. It returns the first reply.
func SendBroadcast(ctx context.Context, cmd string, dests []string, timeout time.Duration, retries int) (string, error) {
	return discovery.Send(ctx, cmd, dests, timeout, retries)
}
