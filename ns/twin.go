package ns

import (
	"context"
	"crypto/md5"
	"fmt"
	"log/slog"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// TwinClient is how a Name Server in paired mode calls its twin.
type TwinClient interface {
	// URI is the twin's URI.
	URI() compat.URI
	// Resync calls the twin's _resync(me) (flags 0) and returns its dump.
	Resync(ctx context.Context, me *compat.NameServerProxy) (any, error)
	// SyncCall sends the oneway _synccall(method, *args) (flags 5).
	SyncCall(ctx context.Context, method string, args []any) error
	// Close releases the connection.
	Close() error
}

// twinQueueLen bounds the changes waiting to be sent to the twin; a twin
// that falls that far behind is dropped, as Pyro drops a failing twin.
const twinQueueLen = 4096

// twin is a connected twin Name Server with its ordered replication queue.
type twin struct {
	c    TwinClient
	q    chan Change
	done chan struct{}
}

// DialTwin, set with SetTwinDialer, makes a TwinClient for a twin's URI.
type DialTwin func(ctx context.Context, uri compat.URI) (TwinClient, error)

// SetTwinDialer sets how the Server connects to a twin that announces
// itself with _resync. Without it a Server cannot be paired.
func (s *Server) SetTwinDialer(d DialTwin) {
	s.twinMu.Lock()
	s.dial = d
	s.twinMu.Unlock()
}

// SetLogger sets where paired-mode events are reported (nil discards).
func (s *Server) SetLogger(l *slog.Logger) {
	s.twinMu.Lock()
	s.log = l
	s.twinMu.Unlock()
}

func (s *Server) logger() *slog.Logger {
	if s.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.log
}

// Twin returns the URI of the current twin, if any.
func (s *Server) Twin() (compat.URI, bool) {
	s.twinMu.Lock()
	defer s.twinMu.Unlock()
	if s.twin == nil {
		return compat.URI{}, false
	}
	return s.twin.c.URI(), true
}

// setTwin replaces the twin (closing the old one).
func (s *Server) setTwin(c TwinClient) {
	t := &twin{c: c, q: make(chan Change, twinQueueLen), done: make(chan struct{})}
	s.twinMu.Lock()
	old := s.twin
	s.twin = t
	s.twinMu.Unlock()
	if old != nil {
		close(old.done)
	}
	go s.sendLoop(t)
}

// dropTwin forgets t if it is still the twin.
func (s *Server) dropTwin(t *twin, why error) {
	s.twinMu.Lock()
	if s.twin != t {
		s.twinMu.Unlock()
		return
	}
	s.twin = nil
	s.twinMu.Unlock()
	close(t.done)
	s.logger().Warn("removing twin Name Server", "twin", t.c.URI().String(), "error", why)
}

// replicate queues a change for the twin (the Namespace's OnChange hook).
func (s *Server) replicate(ch Change) {
	s.twinMu.Lock()
	t := s.twin
	s.twinMu.Unlock()
	if t == nil {
		return
	}
	select {
	case t.q <- ch:
	default:
		go s.dropTwin(t, fmt.Errorf("replication queue full"))
	}
}

func (s *Server) sendLoop(t *twin) {
	defer t.c.Close()
	for {
		select {
		case <-t.done:
			return
		case ch := <-t.q:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := t.c.SyncCall(ctx, ch.Method, ch.Args)
			cancel()
			if err != nil {
				s.dropTwin(t, err)
				return
			}
		}
	}
}

// proxyForSelf is the NameServerProxy sent to the twin in _resync, carrying
// the munged identification the twin needs to call back.
func (s *Server) proxyForSelf() *compat.NameServerProxy {
	var u compat.URI
	if s.self != nil {
		u = s.self()
	}
	p := compat.NewNameServerProxy(u)
	if s.ident != "" {
		sum := md5.Sum([]byte(s.ident))
		p.Adapter.Ident = pickle.ByteString(sum[:])
	}
	return p
}

// ResyncWith makes c the twin and replaces the whole name space with the
// twin's, keeping this Name Server's own registration, as Pyro's
// _initialResyncWithTwin.
func (s *Server) ResyncWith(ctx context.Context, c TwinClient) error {
	dump, err := c.Resync(ctx, s.proxyForSelf())
	if err != nil {
		return err
	}
	recs, err := recordsFromDump(dump)
	if err != nil {
		return err
	}
	if err := s.ns.Quiet().replaceAll(recs, NameServerName); err != nil {
		return err
	}
	s.setTwin(c)
	return nil
}

// resync is the remote resync(): redo the initial resync with the known twin.
func (s *Server) resync(ctx context.Context) error {
	if s.role == RoleSingle {
		return compat.NewNamingError("NS is not running in 'primary' or 'secondary' mode")
	}
	s.twinMu.Lock()
	t, dial := s.twin, s.dial
	s.twinMu.Unlock()
	if t != nil && dial != nil {
		if c, err := dial(ctx, t.c.URI()); err == nil {
			if s.ResyncWith(ctx, c) == nil {
				return nil
			}
			c.Close()
		}
	}
	return compat.NewNamingError("cannot resync: twin NS is unknown or unreachable")
}

// handleResync is the remote _resync(twinProxy): remember the caller as the
// twin and return the whole name space.
func (s *Server) handleResync(proxy any) (any, error) {
	if s.role == RoleSingle {
		return nil, compat.NewNamingError("The (other) NS is not running in 'primary' or 'secondary' mode")
	}
	uri, ok := proxyURI(proxy)
	if !ok {
		return nil, compat.AttributeError(fmt.Sprintf("'%s' object has no attribute 'URI'", pickle.PythonType(proxy)))
	}
	s.twinMu.Lock()
	dial := s.dial
	s.twinMu.Unlock()
	if dial == nil {
		return nil, compat.NewNamingError("cannot resync: twin NS is unknown or unreachable")
	}
	c, err := dial(context.Background(), uri)
	if err != nil {
		return nil, err
	}
	s.logger().Info("resync requested", "twin", uri.String())
	// The dump is taken with the name space locked and the twin installed
	// in the same step, so no change falls between the two.
	s.ns.mu.Lock()
	dump := s.ns.dumpLocked(s.dumpTuples)
	s.setTwin(c)
	s.ns.mu.Unlock()
	return dump, nil
}

// proxyURI extracts the URI of a (pickled) NameServerProxy.
func proxyURI(v any) (compat.URI, bool) {
	switch p := v.(type) {
	case *compat.NameServerProxy:
		return p.URI, true
	case *compat.DynamicProxy:
		return p.URI, true
	}
	o, ok := v.(*pickle.Object)
	if !ok {
		return compat.URI{}, false
	}
	u, ok := o.Attr("URI")
	if !ok {
		return compat.URI{}, false
	}
	if uri, ok := u.(compat.URI); ok {
		return uri, true
	}
	return compat.URI{}, false
}
