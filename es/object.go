package es

import (
	"context"
	"fmt"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// Name is the name the event service is registered under in the name
// server (Pyro.constants.EVENTSERVER_NAME).
const Name = ":Pyro.EventService"

// DefaultDeliverTimeout bounds one delivery to a subscriber (connecting
// included) when EventService.DeliverTimeout is zero. A subscriber that does
// not take an event within it is dropped.
const DefaultDeliverTimeout = 30 * time.Second

// EventService is the remote event service object, served by a core.Daemon;
// its Go type name is Pyro's class name, which Python sees in errors. Its
// remote methods are Pyro's: publish(subjects, message), subscribe(subjects,
// subscriber), subscribeMatch(patterns, subscriber) and
// unsubscribe(subjects, subscriber), where subscriber is a Pyro proxy of an
// object with an event(event) method.
type EventService struct {
	svc *Broker
	// DeliverTimeout bounds each delivery (DefaultDeliverTimeout when 0,
	// none when negative). It is no remote attribute: Python's
	// EventService has none like it, and a client must not change it.
	DeliverTimeout time.Duration `pyro:"-"`
}

// NewEventService returns the remote object for svc.
func NewEventService(svc *Broker) *EventService { return &EventService{svc: svc} }

// Broker returns the state behind o.
func (o *EventService) Broker() *Broker { return o.svc }

// PyroNames gives the methods their Pyro names and hides the rest.
func (o *EventService) PyroNames() map[string]string {
	return map[string]string{
		"Publish": "publish", "Subscribe": "subscribe", "SubscribeMatch": "subscribeMatch",
		"Unsubscribe": "unsubscribe", "Broker": "-", "PyroNames": "-",
	}
}

// Publish is the remote publish(subjects, message).
func (o *EventService) Publish(ctx context.Context, subjects, message any) error {
	return o.svc.Publish(ctx, subjects, message)
}

// Subscribe is the remote subscribe(subjects, subscriber).
func (o *EventService) Subscribe(subjects, subscriber any) error {
	if !truthy(subjects) {
		return nil
	}
	t, err := o.target(subscriber)
	if err != nil {
		return err
	}
	return o.svc.Subscribe(subjects, t)
}

// SubscribeMatch is the remote subscribeMatch(patterns, subscriber). A
// pattern that is invalid, or that Go's RE2 cannot express, raises
// Pyro.errors.NamingError(message, pattern) in the caller.
func (o *EventService) SubscribeMatch(patterns, subscriber any) error {
	if !truthy(patterns) {
		return nil
	}
	t, err := o.target(subscriber)
	if err != nil {
		return err
	}
	if err := o.svc.SubscribeMatch(patterns, t); err != nil {
		if pe, ok := err.(*PatternError); ok {
			return compat.NewNamingError(pe.Error(), pickle.ByteString(pe.Pattern))
		}
		return err
	}
	return nil
}

// Unsubscribe is the remote unsubscribe(subjects, subscriber).
func (o *EventService) Unsubscribe(subjects, subscriber any) error {
	if !truthy(subjects) {
		return nil
	}
	id, ok := subscriberID(subscriber)
	if !ok {
		return nil // Pyro: unknown subscriber, nothing to do
	}
	return o.svc.Unsubscribe(subjects, id)
}

// subscriberID is Pyro's proxy identity: the object ID.
func subscriberID(v any) (string, bool) {
	switch p := v.(type) {
	case *compat.DynamicProxy:
		return p.ObjectID, true
	case *core.Proxy:
		return p.URI().ObjectID, true
	}
	return "", false
}

func (o *EventService) target(subscriber any) (Target, error) {
	id, ok := subscriberID(subscriber)
	if !ok {
		// What Pyro's ES raises when the subscriber is not a proxy.
		return nil, compat.AttributeError(fmt.Sprintf("'%s' object has no attribute '_setOneway'", pickle.PythonType(subscriber)))
	}
	timeout := o.DeliverTimeout
	if timeout == 0 {
		timeout = DefaultDeliverTimeout
	}
	return NewTarget(subscriber, id, timeout)
}

// NewTarget returns a Target that delivers to a Pyro subscriber by calling
// its event(event) method oneway through a core.Proxy (request flags 7, as
// Pyro's ES), over one kept connection. sub is a *compat.DynamicProxy (as
// received from a Python subscriber, its identification and TLS included),
// a *core.Proxy or a URI; id is its identity. Each delivery, connecting
// included, is bounded by timeout (none if <= 0).
func NewTarget(sub any, id string, timeout time.Duration) (Target, error) {
	opts := []core.ProxyOption{core.WithOneway("event")}
	if timeout > 0 {
		opts = append(opts, core.WithTimeout(timeout))
	}
	p, err := core.NewProxy(sub, opts...)
	if err != nil {
		return nil, err
	}
	return &proxyTarget{id: id, p: p}, nil
}

type proxyTarget struct {
	id    string
	p     *core.Proxy
	args  []any   // the events of a batch, an argument list each
	calls [][]any // the argument lists, slices of args
}

func (t *proxyTarget) ID() string { return t.id }

// Deliver writes the events of batch, each as it was pickled once for
// every subscriber, in one write.
func (t *proxyTarget) Deliver(ctx context.Context, batch []*Delivery) error {
	t.args = t.args[:0]
	for _, d := range batch {
		ev, err := d.Pickle()
		if err != nil {
			return fmt.Errorf("es: cannot pickle the event: %w", err)
		}
		t.args = append(t.args, ev)
	}
	t.calls = t.calls[:0]
	for i := range t.args {
		t.calls = append(t.calls, t.args[i:i+1:i+1])
	}
	err := t.p.OnewayAll(ctx, "event", t.calls...)
	clear(t.args) // keep no event alive
	return err
}

func (t *proxyTarget) Close() error { return t.p.Close() }
