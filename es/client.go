package es

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

// ClientOptions say how Publisher and Subscriber reach the event service.
type ClientOptions struct {
	// ESURI is the event service's URI (a string, compat.URI or *core.Proxy);
	// nil means Name, resolved with the name server that Pyro's locator
	// finds (ns.Locate: PYRO_NS_HOSTNAME / PYRO_NS_PORT, else broadcast).
	ESURI any
	// Identification is sent to the event service (pyro-es -i) and, as
	// Pyro's clients do, to the name server.
	Identification string
}

// idleRelease is how long a client's connection to the event service may
// idle before the next call opens a fresh one: event servers close client
// connections idle for 20 s (IdleTimeout), and a call on such a connection
// would fail. (A variable for tests.)
var idleRelease = 10 * time.Second

// esProxy is a client's proxy of the event service.
type esProxy struct {
	p *core.Proxy

	mu   sync.Mutex
	last time.Time
}

func (e *esProxy) call(ctx context.Context, method string, args ...any) error {
	e.refresh()
	_, err := e.p.Call(ctx, method, args...)
	return err
}

func (e *esProxy) oneway(ctx context.Context, method string, args ...any) error {
	e.refresh()
	return e.p.Oneway(ctx, method, args...)
}

// refresh drops a connection idle for longer than idleRelease.
func (e *esProxy) refresh() {
	e.mu.Lock()
	if !e.last.IsZero() && time.Since(e.last) > idleRelease {
		_ = e.p.Release()
	}
	e.last = time.Now()
	e.mu.Unlock()
}

func (o ClientOptions) proxy() (*esProxy, error) {
	var opts []core.ProxyOption
	if o.Identification != "" {
		opts = append(opts, core.WithIdentification(o.Identification))
	}
	uri := o.ESURI
	if uri == nil {
		uri = compat.URI{Protocol: "PYRONAME", ObjectID: Name}
		opts = append(opts, core.WithResolver(ns.Resolver(ns.LocateOptions{Identification: o.Identification})))
	}
	p, err := core.NewProxy(uri, opts...)
	if err != nil {
		return nil, err
	}
	return &esProxy{p: p}, nil
}

// pySubjects converts Go subjects to what a Python publisher sends: a str,
// or a list of str.
func pySubjects(subjects []string) any {
	if len(subjects) == 1 {
		return pickle.ByteString(subjects[0])
	}
	l := &pickle.List{Items: make([]any, len(subjects))}
	for i, s := range subjects {
		l.Items[i] = pickle.ByteString(s)
	}
	return l
}

// Publisher publishes events, like Pyro.EventService.Clients.Publisher. It
// keeps one connection to the event service and is safe for concurrent use.
type Publisher struct {
	es *esProxy
}

// NewPublisher returns a publisher; it connects on the first Publish.
func NewPublisher(opts ClientOptions) (*Publisher, error) {
	p, err := opts.proxy()
	if err != nil {
		return nil, err
	}
	return &Publisher{es: p}, nil
}

// Publish publishes msg under each subject (sent as Python str). msg is
// pickled as Pyro would (see package pickle).
func (p *Publisher) Publish(ctx context.Context, msg any, subjects ...string) error {
	if len(subjects) == 0 {
		return nil
	}
	return p.es.call(ctx, "publish", pySubjects(subjects), msg)
}

// PublishOneway publishes like Publish but as a oneway call: it returns once
// the request is written, without waiting for the event service to queue
// the event, so one publisher can keep a stream of events flowing instead
// of waiting a round trip per event. Errors of the service (a subject that
// is not a string, say) are not reported back. Our event service runs a
// connection's oneway calls one after another, so the order of the events
// is kept; Pyro's own runs each oneway call in a thread of its own, which
// may reorder them. When the service cannot take more (PYRO_ES_BLOCKQUEUE
// with a full queue) the connection stops being read and PublishOneway
// blocks in its write until ctx ends.
func (p *Publisher) PublishOneway(ctx context.Context, msg any, subjects ...string) error {
	if len(subjects) == 0 {
		return nil
	}
	return p.es.oneway(ctx, "publish", pySubjects(subjects), msg)
}

// Close closes the connection to the event service.
func (p *Publisher) Close() error { return p.es.p.Close() }

// Handler receives the events of a Subscriber, one at a time, in the order
// the event service sent them.
type Handler func(ctx context.Context, ev *compat.Event)

// Subscriber receives events, like Pyro.EventService.Clients.Subscriber: it
// serves itself (an object with an event method) through its own daemon and
// passes its proxy to the event service when it subscribes.
type Subscriber struct {
	d       *core.Daemon
	es      *esProxy
	self    *compat.DynamicProxy
	handler Handler

	mu     sync.Mutex
	served bool
}

// SubscriberOptions configure NewSubscriber.
type SubscriberOptions struct {
	ClientOptions
	// Daemon configures the subscriber's own daemon, which the event
	// service connects to (zero: Pyro's defaults from the configuration).
	Daemon core.DaemonOptions
}

// NewSubscriber starts the subscriber's daemon and connects the callback
// object to it; events go to handler once Listen runs.
func NewSubscriber(opts SubscriberOptions, handler Handler) (*Subscriber, error) {
	es, err := opts.proxy()
	if err != nil {
		return nil, err
	}
	d, err := core.NewDaemon(opts.Daemon)
	if err != nil {
		es.p.Close()
		return nil, err
	}
	s := &Subscriber{d: d, es: es, handler: handler}
	// The callback object: Pyro's Subscriber, to attribute proxies too.
	obj := core.InvokerWithAttrs(core.InvokerFunc(s.invoke), core.Attrs{Class: "Subscriber", Methods: []string{"event"}})
	uri, err := d.Connect(obj, "")
	if err != nil {
		es.p.Close()
		_ = d.Shutdown(context.Background())
		return nil, err
	}
	s.self = compat.NewDynamicProxy(uri)
	return s, nil
}

// invoke serves the callback object: event(event) and nothing else.
func (s *Subscriber) invoke(ctx context.Context, c *core.Call) (any, error) {
	if c.Method != "event" {
		return nil, compat.AttributeError(fmt.Sprintf("'Subscriber' object has no attribute '%s'", c.Method))
	}
	if len(c.Args) != 1 || len(c.Kwargs) != 0 {
		return nil, compat.TypeError(fmt.Sprintf("event() takes exactly 2 arguments (%d given)", len(c.Args)+len(c.Kwargs)+1))
	}
	ev, ok := c.Args[0].(*compat.Event)
	if !ok {
		return nil, compat.TypeError(fmt.Sprintf("event() argument must be a Pyro.EventService.Event.Event, not %T", c.Args[0]))
	}
	s.handler(ctx, ev)
	return nil, nil
}

// URI is the subscriber object's URI, which identifies it to the service.
func (s *Subscriber) URI() compat.URI { return s.self.URI }

// Subscribe subscribes to the subjects (case-insensitive).
func (s *Subscriber) Subscribe(ctx context.Context, subjects ...string) error {
	return s.call(ctx, "subscribe", subjects)
}

// SubscribeMatch subscribes to every subject matching one of the patterns
// (Python re syntax, case-insensitive, anchored at the start).
func (s *Subscriber) SubscribeMatch(ctx context.Context, patterns ...string) error {
	return s.call(ctx, "subscribeMatch", patterns)
}

// Unsubscribe removes subscriptions (subjects or patterns).
func (s *Subscriber) Unsubscribe(ctx context.Context, subjects ...string) error {
	return s.call(ctx, "unsubscribe", subjects)
}

func (s *Subscriber) call(ctx context.Context, method string, subjects []string) error {
	if len(subjects) == 0 {
		return nil
	}
	return s.es.call(ctx, method, pySubjects(subjects), s.self)
}

// Listen serves events until ctx ends or Close is called. It may be called
// once; events that arrive before it runs wait in the connection.
func (s *Subscriber) Listen(ctx context.Context) error {
	s.mu.Lock()
	if s.served {
		s.mu.Unlock()
		return fmt.Errorf("es: Subscriber.Listen called twice")
	}
	s.served = true
	s.mu.Unlock()
	return s.d.Serve(ctx)
}

// Close stops listening and closes the connections. It does not
// unsubscribe: the event service drops the subscriber at its next event.
func (s *Subscriber) Close() error {
	err := s.d.Shutdown(context.Background())
	s.es.p.Close()
	return err
}
