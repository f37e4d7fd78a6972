package es

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/metrics"
	"github.com/gopyro/gopyro/pickle"
)

// Target is where a subscriber's events go. The event service delivers to
// one Target per subscriber from one goroutine, in publication order.
type Target interface {
	// ID identifies the subscriber: targets with the same ID are one
	// subscriber (Pyro keys subscribers by the object ID of their proxy).
	ID() string
	// Deliver sends the events of batch, in order: the ones queued for the
	// subscriber when its goroutine looked (at most maxBatch). An error
	// means the subscriber is gone: it is dropped with all its
	// subscriptions and its queued events.
	Deliver(ctx context.Context, batch []*Delivery) error
	// Close releases the target's connection, if any.
	Close() error
}

// maxBatch bounds the events handed to one Target.Deliver call.
const maxBatch = 64

// Delivery is one published event on its way to the subscribers. Every
// subscriber of the event gets the same Delivery, so that it is pickled
// once for all of them.
type Delivery struct {
	Event *compat.Event

	once    sync.Once
	pickled *pickle.Pickled
	err     error
}

// Pickle returns Event pickled once, at this process's PYRO_PICKLE_FORMAT
// (the protocol its proxies write), to be written into the call to each
// subscriber.
func (d *Delivery) Pickle() (*pickle.Pickled, error) {
	d.once.Do(func() {
		proto := config.Current().PickleFormat
		if proto < 0 {
			proto = 2 // as core reads it: Python 2's highest
		}
		enc := pickle.Encoder{Protocol: proto}
		d.pickled, d.err = enc.Pickle(d.Event)
	})
	return d.pickled, d.err
}

// BrokerOptions configure a Broker.
type BrokerOptions struct {
	// QueueSize is the number of events queued per subscriber before
	// BlockQueue applies (PYRO_ES_QUEUESIZE); 0 means unbounded.
	QueueSize int
	// BlockQueue makes Publish wait while a subscriber's queue is full
	// (PYRO_ES_BLOCKQUEUE=1); otherwise the event is dropped for that
	// subscriber.
	BlockQueue bool
	// Logf, if set, receives a line when a subscriber is dropped.
	Logf func(format string, args ...any)
}

// Broker holds subscriptions and delivers published events; it is the state
// behind the remote event service object (see EventService). It is safe for
// concurrent use.
type Broker struct {
	opts   BrokerOptions
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu sync.Mutex
	// exact maps a lower-cased subject key to its subscribers by ID.
	exact map[string]map[string]*worker
	// patterns maps a pattern's source to its compiled form and subscribers.
	patterns map[string]*patternSubs
	// workers holds the live worker of every subscriber by ID.
	workers map[string]*worker
	dropped uint64
	metrics *metrics.EventService // nil unless UseMetrics
}

type patternSubs struct {
	pat  *Pattern
	subs map[string]*worker
}

// worker is one subscriber's queue and delivery goroutine.
type worker struct {
	target Target
	q      *queue
}

// NewBroker returns an empty broker. Close it to stop delivery.
func NewBroker(opts BrokerOptions) *Broker {
	ctx, cancel := context.WithCancel(context.Background())
	return &Broker{
		opts: opts, ctx: ctx, cancel: cancel,
		exact: map[string]map[string]*worker{}, patterns: map[string]*patternSubs{}, workers: map[string]*worker{},
	}
}

// Close stops every delivery goroutine, discards undelivered events and
// closes the subscribers' targets.
func (s *Broker) Close() error {
	s.cancel()
	s.wg.Wait()
	return nil
}

// subject is one subject or pattern argument in its two forms.
type subject struct {
	// orig is the value as received, put in delivered events.
	orig any
	// text is the code point string (str bytes taken one by one).
	text string
	// key is the lower-cased lookup key; str and unicode with the same ASCII
	// text share a key, as they are equal dict keys in Python 2.
	key string
}

// subjects expands a subjects argument like Pyro: a list or tuple is a
// sequence of subjects, anything else is one subject. A falsy argument
// yields nothing.
func subjects(v any) ([]subject, error) {
	if !truthy(v) {
		return nil, nil
	}
	var items []any
	switch t := v.(type) {
	case pickle.Tuple:
		items = t
	case *pickle.List:
		items = t.Items
	case []any:
		items = t
	case []string:
		for _, s := range t {
			items = append(items, s)
		}
	default:
		items = []any{v}
	}
	out := make([]subject, 0, len(items))
	for _, it := range items {
		var sb subject
		switch t := it.(type) {
		case pickle.ByteString:
			sb = subject{orig: it, text: PyText([]byte(t))}
			lower := []byte(t) // a copy
			ascii := true
			for i, c := range lower {
				if c >= 'A' && c <= 'Z' {
					lower[i] = c + 'a' - 'A'
				}
				if c >= 0x80 {
					ascii = false
				}
			}
			sb.key = string(lower)
			if !ascii {
				sb.key = "\x00str:" + sb.key
			}
		case string:
			sb = subject{orig: it, text: t, key: strings.ToLower(t)}
			for i := 0; i < len(t); i++ {
				if t[i] >= 0x80 {
					sb.key = "\x00unicode:" + sb.key
					break
				}
			}
		default:
			return nil, compat.AttributeError(fmt.Sprintf("'%s' object has no attribute 'lower'", pickle.PythonType(it)))
		}
		out = append(out, sb)
	}
	return out, nil
}

// truthy is Python's truth value for the argument types that matter here.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil, pickle.None:
		return false
	case bool:
		return t
	case int64:
		return t != 0
	case float64:
		return t != 0
	case string:
		return t != ""
	case pickle.ByteString:
		return t != ""
	case pickle.Tuple:
		return len(t) > 0
	case *pickle.List:
		return t != nil && len(t.Items) > 0
	case []any:
		return len(t) > 0
	case []string:
		return len(t) > 0
	case pickle.Dict:
		return t.Len() > 0
	}
	return true
}

// workerFor returns the subscriber's worker, starting one for t if it has
// none; a t that is not used is closed. s.mu must be held.
func (s *Broker) workerFor(t Target) *worker {
	if w, ok := s.workers[t.ID()]; ok {
		if w.target != t {
			t.Close()
		}
		return w
	}
	w := &worker{target: t, q: newQueue(s.opts.QueueSize)}
	s.workers[t.ID()] = w
	s.wg.Add(1)
	go s.run(w)
	return w
}

// Subscribe subscribes t to the subjects (a string or a list or tuple of
// strings; case-insensitive). Subscribing twice is harmless.
func (s *Broker) Subscribe(subjectsArg any, t Target) error {
	subs, err := subjects(subjectsArg)
	if err != nil || len(subs) == 0 {
		t.Close()
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.workerFor(t)
	for _, sb := range subs {
		m := s.exact[sb.key]
		if m == nil {
			m = map[string]*worker{}
			s.exact[sb.key] = m
		}
		m[t.ID()] = w
	}
	return nil
}

// SubscribeMatch subscribes t to every subject that one of the patterns
// (Python re syntax, see CompilePattern) matches. A pattern that cannot be
// compiled fails the whole call before anything is subscribed; the error is
// a *PatternError.
func (s *Broker) SubscribeMatch(patternsArg any, t Target) error {
	subs, err := subjects(patternsArg)
	if err != nil || len(subs) == 0 {
		t.Close()
		return err
	}
	pats := make([]*Pattern, len(subs))
	for i, sb := range subs {
		if pats[i], err = CompilePattern(sb.text); err != nil {
			t.Close()
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.workerFor(t)
	for _, p := range pats {
		ps := s.patterns[p.src]
		if ps == nil {
			ps = &patternSubs{pat: p, subs: map[string]*worker{}}
			s.patterns[p.src] = ps
		}
		ps.subs[t.ID()] = w
	}
	return nil
}

// Unsubscribe removes the subscriber's subscriptions to the subjects: an
// exact subscription if there is one, else a pattern subscription with that
// pattern text. Unknown subjects are ignored. When the subscriber has no
// subscriptions left, its worker stops after delivering what is queued.
func (s *Broker) Unsubscribe(subjectsArg any, id string) error {
	subs, err := subjects(subjectsArg)
	if err != nil {
		return err
	}
	s.mu.Lock()
	w, ok := s.workers[id]
	if !ok {
		s.mu.Unlock()
		return nil
	}
	for _, sb := range subs {
		if m, ok := s.exact[sb.key]; ok && m[id] == w {
			delete(m, id)
			if len(m) == 0 {
				delete(s.exact, sb.key)
			}
			continue
		}
		if ps, ok := s.patterns[sb.text]; ok && ps.subs[id] == w {
			delete(ps.subs, id)
			if len(ps.subs) == 0 {
				delete(s.patterns, sb.text)
			}
		}
	}
	last := !s.subscribedLocked(id, w)
	if last {
		delete(s.workers, id)
	}
	s.mu.Unlock()
	if last {
		w.q.finish()
	}
	return nil
}

func (s *Broker) subscribedLocked(id string, w *worker) bool {
	for _, m := range s.exact {
		if m[id] == w {
			return true
		}
	}
	for _, ps := range s.patterns {
		if ps.subs[id] == w {
			return true
		}
	}
	return false
}

type delivery struct {
	w *worker
	d *Delivery
}

// Publish queues one event per subject (a string or a list or tuple of
// strings), all with the same creation time, for the exact subscribers of
// the subject and for every subscriber with a matching pattern. It returns
// when the events are queued; with BlockQueue it first waits for room in
// full queues (ctx bounds the wait).
func (s *Broker) Publish(ctx context.Context, subjectsArg any, msg any) error {
	subs, err := subjects(subjectsArg)
	if err != nil || len(subs) == 0 {
		return err
	}
	now := float64(time.Now().UnixMicro()) / 1e6
	var out []delivery
	s.mu.Lock()
	for _, sb := range subs {
		ev := &Delivery{Event: &compat.Event{Subject: sb.orig, Msg: msg, Time: now}}
		// A publisher can name any subject: only those subscribed to
		// exactly get a series of their own.
		if len(s.exact[sb.key]) > 0 {
			s.metrics.Published(sb.key)
		} else {
			s.metrics.Published(metrics.OtherSubject)
		}
		for _, w := range s.exact[sb.key] {
			out = append(out, delivery{w, ev})
		}
		for _, ps := range s.patterns {
			if len(ps.subs) > 0 && ps.pat.Match(sb.text) {
				for _, w := range ps.subs {
					out = append(out, delivery{w, ev})
				}
			}
		}
	}
	s.mu.Unlock()
	// Queue without waiting first, so that a full queue delays nobody else's
	// copy of this event; then wait for the full ones if BlockQueue says so.
	var full []delivery
	for _, d := range out {
		dropped, err := d.w.q.put(ctx, d.d, false)
		if err == nil && dropped {
			if s.opts.BlockQueue {
				full = append(full, d)
			} else {
				s.countDrop()
				s.metrics.Dropped(d.w.target.ID())
			}
		}
	}
	if len(full) == 1 {
		full[0].wait(ctx)
		return ctx.Err()
	}
	// Wait for the full queues in parallel: a subscriber that is slow to
	// make room must not hold back the others.
	var wg sync.WaitGroup
	for _, d := range full {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.wait(ctx)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// wait queues d, waiting for room; it gives up when ctx ends or the
// subscriber is dropped.
func (d delivery) wait(ctx context.Context) {
	_, _ = d.w.q.put(ctx, d.d, true)
}

func (s *Broker) countDrop() {
	s.mu.Lock()
	s.dropped++
	s.mu.Unlock()
}

// Stats is a snapshot of a Broker.
type Stats struct {
	// Subscribers is the number of subscribers with a live worker.
	Subscribers int
	// Subjects and Patterns count the subscribed subjects and patterns.
	Subjects, Patterns int
	// Dropped counts events dropped on full queues (BlockQueue unset).
	Dropped uint64
}

// Stats returns current counts.
func (s *Broker) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Subscribers: len(s.workers), Subjects: len(s.exact), Patterns: len(s.patterns), Dropped: s.dropped}
}

// run is a subscriber's delivery goroutine.
func (s *Broker) run(w *worker) {
	defer s.wg.Done()
	var failure error
	var batch []*Delivery
	for {
		var err error
		batch, err = w.q.take(s.ctx, batch[:0], maxBatch)
		if err != nil || len(batch) == 0 {
			break
		}
		if err := w.target.Deliver(s.ctx, batch); err != nil {
			failure = err
			break
		}
		s.metrics.Delivered(w.target.ID(), len(batch))
		clear(batch)
	}
	discarded := w.q.close()
	w.target.Close()
	if failure == nil {
		return
	}
	s.drop(w)
	if s.opts.Logf != nil && s.ctx.Err() == nil {
		s.opts.Logf("es: dropped subscriber %s (%d queued events discarded): %v", w.target.ID(), discarded, failure)
	}
}

// drop removes every subscription of the dead worker w.
func (s *Broker) drop(w *worker) {
	id := w.target.ID()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.workers[id] == w {
		delete(s.workers, id)
	}
	for key, m := range s.exact {
		if m[id] == w {
			delete(m, id)
			if len(m) == 0 {
				delete(s.exact, key)
			}
		}
	}
	for src, ps := range s.patterns {
		if ps.subs[id] == w {
			delete(ps.subs, id)
			if len(ps.subs) == 0 {
				delete(s.patterns, src)
			}
		}
	}
}
