package es

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// fakeTarget records deliveries. With gate set, Deliver waits for a value
// on it; entered (if set) is signalled when Deliver starts; fail makes
// Deliver fail after the gate.
type fakeTarget struct {
	id      string
	gate    chan struct{}
	entered chan struct{}
	fail    error
	events  chan *compat.Event

	mu     sync.Mutex
	closed int
}

func newFake(id string) *fakeTarget {
	return &fakeTarget{id: id, events: make(chan *compat.Event, 10000)}
}

func (f *fakeTarget) ID() string { return f.id }

func (f *fakeTarget) Deliver(ctx context.Context, batch []*Delivery) error {
	for _, d := range batch {
		if f.entered != nil {
			select {
			case f.entered <- struct{}{}:
			default:
			}
		}
		if f.gate != nil {
			select {
			case <-f.gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if f.fail != nil {
			return f.fail
		}
		f.events <- d.Event
	}
	return nil
}

func (f *fakeTarget) Close() error {
	f.mu.Lock()
	f.closed++
	f.mu.Unlock()
	return nil
}

func (f *fakeTarget) closeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// recv waits for n events (failing after a generous safety timeout).
func recv(t *testing.T, f *fakeTarget, n int) []*compat.Event {
	t.Helper()
	var out []*compat.Event
	for len(out) < n {
		select {
		case ev := <-f.events:
			out = append(out, ev)
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: got %d events, want %d", f.id, len(out), n)
		}
	}
	return out
}

// noMore checks that f has no further event once everything queued so far
// has been delivered to the sentinel subscriber.
func noMore(t *testing.T, f *fakeTarget) {
	t.Helper()
	select {
	case ev := <-f.events:
		t.Errorf("%s: unexpected event %v", f.id, ev.Subject)
	default:
	}
}

func subjectsOf(evs []*compat.Event) []any {
	var out []any
	for _, ev := range evs {
		out = append(out, ev.Subject)
	}
	return out
}

func bs(s string) pickle.ByteString { return pickle.ByteString(s) }

func TestPublishRouting(t *testing.T) {
	type sub struct {
		id      string
		match   bool
		subject any
	}
	tests := []struct {
		name    string
		subs    []sub
		publish any
		want    map[string][]any // subscriber id -> subjects received
	}{
		{"exact", []sub{{"a", false, bs("StockQuotes")}}, bs("StockQuotes"), map[string][]any{"a": {bs("StockQuotes")}}},
		{"case-insensitive subscribe", []sub{{"a", false, bs("STOCKQUOTES")}}, bs("stockquotes"), map[string][]any{"a": {bs("stockquotes")}}},
		{"unicode and str are one subject", []sub{{"a", false, "Quotes"}}, bs("QUOTES"), map[string][]any{"a": {bs("QUOTES")}}},
		{"other subject", []sub{{"a", false, bs("x")}}, bs("y"), map[string][]any{"a": nil}},
		{"list of subjects", []sub{{"a", false, pickle.NewList(bs("x"), bs("y"))}}, pickle.Tuple{bs("y"), bs("z"), bs("X")}, map[string][]any{"a": {bs("y"), bs("X")}}},
		{"pattern", []sub{{"a", true, bs("^STOCKQUOTE\\.S.*$")}}, pickle.NewList(bs("STOCKQUOTE.SUN"), bs("stockquote.ibm"), bs("stockquote.sap")), map[string][]any{"a": {bs("STOCKQUOTE.SUN"), bs("stockquote.sap")}}},
		{"pattern anchored at start only", []sub{{"a", true, bs("quote")}}, pickle.NewList(bs("quotes"), bs("stockquote")), map[string][]any{"a": {bs("quotes")}}},
		{"exact and pattern both deliver", []sub{{"a", false, bs("s")}, {"a", true, bs("s")}}, bs("s"), map[string][]any{"a": {bs("s"), bs("s")}}},
		{"two subscribers", []sub{{"a", false, bs("s")}, {"b", true, bs("s$")}}, bs("s"), map[string][]any{"a": {bs("s")}, "b": {bs("s")}}},
		{"subscribe twice is one subscription", []sub{{"a", false, bs("s")}, {"a", false, bs("S")}}, bs("s"), map[string][]any{"a": {bs("s")}}},
		{"falsy publish", []sub{{"a", true, bs(".*")}}, bs(""), map[string][]any{"a": nil}},
		{"empty list publish", []sub{{"a", true, bs(".*")}}, pickle.NewList(), map[string][]any{"a": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewBroker(BrokerOptions{QueueSize: 100, BlockQueue: true})
			defer s.Close()
			fakes := map[string]*fakeTarget{}
			for _, sb := range tt.subs {
				f := fakes[sb.id]
				if f == nil {
					f = newFake(sb.id)
					fakes[sb.id] = f
				}
				var err error
				if sb.match {
					err = s.SubscribeMatch(sb.subject, f)
				} else {
					err = s.Subscribe(sb.subject, f)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Publish(context.Background(), tt.publish, int64(1)); err != nil {
				t.Fatal(err)
			}
			// A sentinel event marks the end of what the publish queued.
			for id, f := range fakes {
				if err := s.Subscribe(bs("sentinel-"+id), f); err != nil {
					t.Fatal(err)
				}
				if err := s.Publish(context.Background(), bs("sentinel-"+id), nil); err != nil {
					t.Fatal(err)
				}
			}
			got := map[string][]any{}
			for id, f := range fakes {
				var subjects []any
				for {
					ev := recv(t, f, 1)[0]
					if ev.Subject == bs("sentinel-"+id) {
						break
					}
					subjects = append(subjects, ev.Subject)
				}
				got[id] = subjects
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("delivered subjects (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPublishOneCreationTime(t *testing.T) {
	s := NewBroker(BrokerOptions{QueueSize: 10})
	defer s.Close()
	f := newFake("a")
	if err := s.SubscribeMatch(bs("s"), f); err != nil {
		t.Fatal(err)
	}
	msg := pickle.Tuple{bs("SUN"), 22.44}
	if err := s.Publish(context.Background(), pickle.NewList(bs("s1"), bs("s2"), bs("s3")), msg); err != nil {
		t.Fatal(err)
	}
	evs := recv(t, f, 3)
	for _, ev := range evs {
		if ev.Time != evs[0].Time {
			t.Errorf("event times differ: %v vs %v", ev.Time, evs[0].Time)
		}
		if diff := cmp.Diff(msg, ev.Msg); diff != "" {
			t.Errorf("msg (-want +got):\n%s", diff)
		}
	}
	if d := time.Since(time.UnixMicro(int64(evs[0].Time * 1e6))); d < 0 || d > time.Hour {
		t.Errorf("event time %v is not now", evs[0].Time)
	}
}

func TestOrderKept(t *testing.T) {
	s := NewBroker(BrokerOptions{QueueSize: 0})
	defer s.Close()
	f := newFake("a")
	if err := s.Subscribe(bs("n"), f); err != nil {
		t.Fatal(err)
	}
	const n = 3000
	for i := range n {
		if err := s.Publish(context.Background(), bs("n"), int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i, ev := range recv(t, f, n) {
		if ev.Msg != int64(i) {
			t.Fatalf("event %d has msg %v", i, ev.Msg)
		}
	}
}

func TestBadArguments(t *testing.T) {
	s := NewBroker(BrokerOptions{QueueSize: 10})
	defer s.Close()
	f := newFake("a")
	var pe *PatternError
	if err := s.SubscribeMatch(pickle.NewList(bs("ok"), bs("a(?=b)")), f); !errors.As(err, &pe) || !pe.Unsupported {
		t.Errorf("SubscribeMatch(lookahead) = %v, want unsupported *PatternError", err)
	}
	if err := s.SubscribeMatch(bs("[a"), f); !errors.As(err, &pe) || pe.Unsupported {
		t.Errorf("SubscribeMatch([a) = %v, want invalid *PatternError", err)
	}
	var exc *compat.Exception
	if err := s.Subscribe(int64(3), f); !errors.As(err, &exc) {
		t.Errorf("Subscribe(3) = %v, want AttributeError", err)
	}
	if err := s.Publish(context.Background(), pickle.NewList(int64(3)), nil); !errors.As(err, &exc) {
		t.Errorf("Publish([3]) = %v, want AttributeError", err)
	}
	if diff := cmp.Diff(Stats{}, s.Stats()); diff != "" {
		t.Errorf("nothing may be subscribed (-want +got):\n%s", diff)
	}
	if f.closeCount() == 0 {
		t.Errorf("unused target not closed")
	}
}

func TestUnsubscribe(t *testing.T) {
	s := NewBroker(BrokerOptions{QueueSize: 10, BlockQueue: true})
	defer s.Close()
	f := newFake("a")
	if err := s.Subscribe(pickle.NewList(bs("x"), bs("y")), f); err != nil {
		t.Fatal(err)
	}
	if err := s.SubscribeMatch(bs("p.*"), f); err != nil {
		t.Fatal(err)
	}
	if err := s.Unsubscribe(bs("X"), "a"); err != nil { // exact, any case
		t.Fatal(err)
	}
	if err := s.Unsubscribe(bs("p.*"), "a"); err != nil { // pattern by its text
		t.Fatal(err)
	}
	if err := s.Unsubscribe(bs("unknown"), "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unsubscribe(bs("y"), "nobody"); err != nil {
		t.Fatal(err)
	}
	for _, subj := range []string{"x", "p1", "y"} {
		if err := s.Publish(context.Background(), bs(subj), nil); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]any{bs("y")}, subjectsOf(recv(t, f, 1))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Last subscription gone: queued events still arrive, then the worker
	// ends and closes its target.
	if err := s.Publish(context.Background(), bs("y"), "last"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unsubscribe(bs("y"), "a"); err != nil {
		t.Fatal(err)
	}
	if ev := recv(t, f, 1)[0]; ev.Msg != "last" {
		t.Errorf("got %v, want the event queued before unsubscribe", ev.Msg)
	}
	if diff := cmp.Diff(Stats{}, s.Stats()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	waitFor(t, func() bool { return f.closeCount() == 1 }, "target closed")
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// A slow subscriber with a full queue loses events (BlockQueue unset) while
// the others get all of them.
func TestSlowSubscriberDrop(t *testing.T) {
	s := NewBroker(BrokerOptions{QueueSize: 2, BlockQueue: false})
	defer s.Close()
	slow, fast := newFake("slow"), newFake("fast")
	slow.gate, slow.entered = make(chan struct{}), make(chan struct{}, 1)
	for _, f := range []*fakeTarget{slow, fast} {
		if err := s.Subscribe(bs("s"), f); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Publish(context.Background(), bs("s"), int64(0)); err != nil {
		t.Fatal(err)
	}
	<-slow.entered // event 0 is being delivered; the queue is empty
	recv(t, fast, 1)
	for i := 1; i < 10; i++ {
		if err := s.Publish(context.Background(), bs("s"), int64(i)); err != nil {
			t.Fatal(err)
		}
		recv(t, fast, 1) // so that fast's own queue never fills
	}
	if got := s.Stats().Dropped; got != 7 {
		t.Errorf("dropped %d events, want 7", got)
	}
	close(slow.gate)
	var msgs []any
	for _, ev := range recv(t, slow, 3) {
		msgs = append(msgs, ev.Msg)
	}
	if diff := cmp.Diff([]any{int64(0), int64(1), int64(2)}, msgs); diff != "" {
		t.Errorf("slow subscriber (-want +got):\n%s", diff)
	}
}

// With BlockQueue a publisher waits for a full queue, but a subscriber whose
// delivery fails is dropped, its queue discarded and the publisher released.
func TestDeadSubscriberReleasesBlockedPublisher(t *testing.T) {
	s := NewBroker(BrokerOptions{QueueSize: 1, BlockQueue: true})
	defer s.Close()
	dead, live := newFake("dead"), newFake("live")
	dead.gate, dead.entered, dead.fail = make(chan struct{}), make(chan struct{}, 1), errors.New("connection refused")
	for _, f := range []*fakeTarget{dead, live} {
		if err := s.Subscribe(bs("s"), f); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Publish(context.Background(), bs("s"), int64(0)); err != nil {
		t.Fatal(err)
	}
	<-dead.entered
	recv(t, live, 1)
	if err := s.Publish(context.Background(), bs("s"), int64(1)); err != nil { // fills dead's queue
		t.Fatal(err)
	}
	recv(t, live, 1)
	published := make(chan error, 1)
	go func() { published <- s.Publish(context.Background(), bs("s"), int64(2)) }()
	// The live subscriber gets event 2 even while the publisher waits.
	if ev := recv(t, live, 1)[0]; ev.Msg != int64(2) {
		t.Fatalf("live got %v", ev.Msg)
	}
	select {
	case err := <-published:
		t.Fatalf("publish returned %v while the queue was full", err)
	default:
	}
	close(dead.gate) // delivery fails now
	select {
	case err := <-published:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("publisher still blocked after the subscriber died")
	}
	waitFor(t, func() bool { return s.Stats().Subscribers == 1 }, "dead subscriber dropped")
	// Subscribing again starts a fresh worker.
	again := newFake("dead")
	if err := s.Subscribe(bs("s"), again); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(context.Background(), bs("s"), int64(3)); err != nil {
		t.Fatal(err)
	}
	if ev := recv(t, again, 1)[0]; ev.Msg != int64(3) {
		t.Errorf("resubscribed got %v", ev.Msg)
	}
}

// A publisher blocked on a full queue gives up when its context ends.
func TestBlockedPublishContext(t *testing.T) {
	s := NewBroker(BrokerOptions{QueueSize: 1, BlockQueue: true})
	defer s.Close()
	stuck := newFake("stuck")
	stuck.gate, stuck.entered = make(chan struct{}), make(chan struct{}, 1)
	if err := s.Subscribe(bs("s"), stuck); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := s.Publish(context.Background(), bs("s"), int64(i)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			<-stuck.entered
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Publish(ctx, bs("s"), int64(2)); !errors.Is(err, context.Canceled) {
		t.Errorf("Publish = %v, want context.Canceled", err)
	}
}

func TestManySubjectsAndSubscribers(t *testing.T) {
	s := NewBroker(BrokerOptions{QueueSize: 1000, BlockQueue: true})
	defer s.Close()
	var fakes []*fakeTarget
	var subjects []any
	for i := range 1000 {
		subjects = append(subjects, bs(fmt.Sprintf("subject.%d", i)))
	}
	for i := range 100 {
		f := newFake(fmt.Sprintf("sub%d", i))
		fakes = append(fakes, f)
		if err := s.Subscribe(pickle.NewList(subjects...), f); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Publish(context.Background(), pickle.NewList(subjects...), nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range fakes {
		if diff := cmp.Diff(subjects, subjectsOf(recv(t, f, 1000))); diff != "" {
			t.Fatalf("%s (-want +got):\n%s", f.id, diff)
		}
	}
}

// Unsubscribing a subscriber whose queue is full does not wait for it; the
// queued events are still delivered, then its target is closed.
func TestUnsubscribeFullQueue(t *testing.T) {
	s := NewBroker(BrokerOptions{QueueSize: 1, BlockQueue: true})
	defer s.Close()
	f := newFake("a")
	f.gate, f.entered = make(chan struct{}), make(chan struct{}, 1)
	if err := s.Subscribe(bs("s"), f); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := s.Publish(context.Background(), bs("s"), int64(i)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			<-f.entered
		}
	}
	if err := s.Unsubscribe(bs("s"), "a"); err != nil {
		t.Fatal(err)
	}
	close(f.gate)
	var msgs []any
	for _, ev := range recv(t, f, 2) {
		msgs = append(msgs, ev.Msg)
	}
	if diff := cmp.Diff([]any{int64(0), int64(1)}, msgs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	waitFor(t, func() bool { return f.closeCount() == 1 }, "target closed")
}
