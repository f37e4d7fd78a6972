package es

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/metrics"
)

// IdleTimeout is how long the event server keeps an idle client connection,
// as Pyro's ES daemon (setTimeout(20)).
const IdleTimeout = 20 * time.Second

// ServerOptions configure NewServer.
type ServerOptions struct {
	// Host, Port and NoRange choose where to listen, as core.DaemonOptions
	// (pyro-es -n and -p; -p 0 means NoRange with an ephemeral port).
	Host    string
	Port    int
	NoRange bool
	// Identification, if set, is required from every client (pyro-es -i).
	Identification string
	// Registrar is the name server the service registers with as Name;
	// nil registers nowhere (pyro-es -N).
	Registrar core.Registrar
	// Queue configures the subscriber queues; nil means PYRO_ES_QUEUESIZE
	// and PYRO_ES_BLOCKQUEUE from the configuration.
	Queue *BrokerOptions
	// DeliverTimeout bounds one delivery (see EventService.DeliverTimeout).
	DeliverTimeout time.Duration
	// IdleTimeout closes idle client connections; 0 means the event
	// server's 20 s, negative never.
	IdleTimeout time.Duration
	// Logger receives diagnostics (dropped subscribers among them); nil
	// discards them.
	Logger *slog.Logger
	// Metrics, if set, receives the daemon's and the event service's
	// figures (package metrics).
	Metrics metrics.Registry
	// HTTP, if set, is the address of the operator's HTTP listener
	// (core.DaemonOptions.HTTP).
	HTTP string
}

// Server is a running event service: a daemon serving the event service
// object, registered as Name.
type Server struct {
	reg core.Registrar
	d   *core.Daemon
	svc *Broker
	obj *EventService
	uri compat.URI
}

// NewServer starts listening and connects the event service object (and
// registers it, when opts.Registrar is set). Run Serve to answer calls.
func NewServer(opts ServerOptions) (*Server, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	idle := opts.IdleTimeout
	switch {
	case idle == 0:
		idle = IdleTimeout
	case idle < 0:
		idle = 0
	}
	dopts := core.DaemonOptions{
		Host: opts.Host, Port: opts.Port, NoRange: opts.NoRange,
		IdleTimeout: idle, Registrar: opts.Registrar, Logger: log, Metrics: opts.Metrics, HTTP: opts.HTTP,
	}
	if opts.Identification != "" {
		dopts.Identifications = []string{opts.Identification}
	}
	d, err := core.NewDaemon(dopts)
	if err != nil {
		return nil, err
	}
	var qopts BrokerOptions
	if opts.Queue != nil {
		qopts = *opts.Queue
	} else {
		cfg := config.Current()
		qopts = BrokerOptions{QueueSize: cfg.ESQueueSize, BlockQueue: cfg.ESBlockQueue}
	}
	if qopts.Logf == nil {
		qopts.Logf = func(format string, args ...any) { log.Warn("event service: " + fmt.Sprintf(format, args...)) }
	}
	svc := NewBroker(qopts)
	if reg := d.Metrics(); reg != nil {
		if err := svc.UseMetrics(reg); err != nil {
			_ = d.Shutdown(context.Background())
			svc.Close()
			return nil, fmt.Errorf("es: metrics: %w", err)
		}
	}
	obj := NewEventService(svc)
	obj.DeliverTimeout = opts.DeliverTimeout
	uri, err := d.Connect(obj, Name)
	if err != nil {
		_ = d.Shutdown(context.Background())
		svc.Close()
		return nil, err
	}
	return &Server{reg: opts.Registrar, d: d, svc: svc, obj: obj, uri: uri}, nil
}

// URI is the event service object's PYRO URI.
func (s *Server) URI() compat.URI { return s.uri }

// Daemon is the daemon serving the object.
func (s *Server) Daemon() *core.Daemon { return s.d }

// Broker is the subscription and delivery state.
func (s *Server) Broker() *Broker { return s.svc }

// Serve answers calls until ctx ends or Shutdown is called.
func (s *Server) Serve(ctx context.Context) error { return s.d.Serve(ctx) }

// Shutdown unregisters the service from the name server (as Pyro's ES does
// on shutdown), stops the daemon and all deliveries.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.d.DisconnectContext(ctx, s.obj)
	var ne *compat.NamingError
	if err != nil && s.reg != nil && !errors.As(err, &ne) {
		// The name server connection may have gone stale while idle; the
		// second call reconnects.
		err = s.reg.Unregister(ctx, Name)
	}
	err = errors.Join(err, s.d.Shutdown(ctx))
	s.svc.Close()
	return err
}
