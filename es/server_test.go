package es

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/internal/servetest"
	"github.com/gopyro/gopyro/pickle"
)

var loopback = core.DaemonOptions{Host: "127.0.0.1", NoRange: true}

func startServer(t *testing.T, q *BrokerOptions) *Server {
	t.Helper()
	srv, err := NewServer(ServerOptions{Host: "127.0.0.1", NoRange: true, Queue: q, DeliverTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	servetest.Run(t, srv)
	return srv
}

// goSubscriber starts a listening Go Subscriber whose events go to a channel.
func goSubscriber(t *testing.T, srv *Server) (*Subscriber, chan *compat.Event) {
	t.Helper()
	ch := make(chan *compat.Event, 1000)
	sub, err := NewSubscriber(SubscriberOptions{ClientOptions: ClientOptions{ESURI: srv.URI()}, Daemon: loopback},
		func(_ context.Context, ev *compat.Event) { ch <- ev })
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = sub.Listen(context.Background()) }()
	t.Cleanup(func() { _ = sub.Close() })
	return sub, ch
}

// goPublisher returns a Publisher of srv, closed at the end of the test.
func goPublisher(t *testing.T, srv *Server) *Publisher {
	t.Helper()
	pub, err := NewPublisher(ClientOptions{ESURI: srv.URI()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pub.Close() })
	return pub
}

func waitEvent(t *testing.T, ch chan *compat.Event) *compat.Event {
	t.Helper()
	select {
	case ev := <-ch:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
		return nil
	}
}

func TestGoPublisherSubscriber(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t, &BrokerOptions{QueueSize: 100, BlockQueue: true})
	exact, exactCh := goSubscriber(t, srv)
	pattern, patternCh := goSubscriber(t, srv)
	if err := exact.Subscribe(ctx, "STOCKQUOTE.SUN", "stockquote.ibm"); err != nil {
		t.Fatal(err)
	}
	if err := pattern.SubscribeMatch(ctx, `^STOCKQUOTE\.S.*$`); err != nil {
		t.Fatal(err)
	}
	pub, err := NewPublisher(ClientOptions{ESURI: srv.URI().String()})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	for _, q := range []struct {
		sym   string
		price float64
	}{{"SUN", 22.44}, {"IBM", 80.5}, {"SAP", 61.0}} {
		if err := pub.Publish(ctx, pickle.Tuple{pickle.ByteString(q.sym), q.price}, "STOCKQUOTE."+q.sym); err != nil {
			t.Fatal(err)
		}
	}
	type got struct {
		Subject any
		Msg     any
	}
	read := func(ch chan *compat.Event, n int) []got {
		var out []got
		for range n {
			ev := waitEvent(t, ch)
			out = append(out, got{ev.Subject, ev.Msg})
		}
		return out
	}
	wantExact := []got{
		{pickle.ByteString("STOCKQUOTE.SUN"), pickle.Tuple{pickle.ByteString("SUN"), 22.44}},
		{pickle.ByteString("STOCKQUOTE.IBM"), pickle.Tuple{pickle.ByteString("IBM"), 80.5}},
	}
	if diff := cmp.Diff(wantExact, read(exactCh, 2)); diff != "" {
		t.Errorf("exact subscriber (-want +got):\n%s", diff)
	}
	wantPattern := []got{
		{pickle.ByteString("STOCKQUOTE.SUN"), pickle.Tuple{pickle.ByteString("SUN"), 22.44}},
		{pickle.ByteString("STOCKQUOTE.SAP"), pickle.Tuple{pickle.ByteString("SAP"), 61.0}},
	}
	if diff := cmp.Diff(wantPattern, read(patternCh, 2)); diff != "" {
		t.Errorf("pattern subscriber (-want +got):\n%s", diff)
	}
	if err := exact.Unsubscribe(ctx, "stockquote.sun", "STOCKQUOTE.IBM"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return srv.Broker().Stats().Subscribers == 1 }, "unsubscribed worker gone")
}

// TestPublishOneway: oneway publishes through a small blocking queue (the
// publisher is held back by the connection, not by replies) all arrive, in
// order.
func TestPublishOneway(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t, &BrokerOptions{QueueSize: 10, BlockQueue: true})
	sub, ch := goSubscriber(t, srv)
	if err := sub.Subscribe(ctx, "oneway"); err != nil {
		t.Fatal(err)
	}
	pub := goPublisher(t, srv)
	const n = 2000
	for i := range n {
		if err := pub.PublishOneway(ctx, int64(i), "ONEWAY"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		ev := waitEvent(t, ch)
		if ev.Msg != int64(i) || ev.Subject != pickle.ByteString("ONEWAY") {
			t.Fatalf("event %d: got %v %v", i, ev.Subject, ev.Msg)
		}
	}
}

func TestSubscribeMatchRefused(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t, nil)
	sub, _ := goSubscriber(t, srv)
	tests := []struct {
		pattern string
		want    string
	}{
		{`a(?=b)`, `pattern "a(?=b)" not supported by this event service (Go RE2 engine): lookahead assertion (?=...) at position 3`},
		{`(x)\1`, `pattern "(x)\\1" not supported by this event service (Go RE2 engine): backreference \1 at position 5`},
		{`[a`, `invalid pattern "[a": unexpected end of regular expression at position 2`},
	}
	for _, tt := range tests {
		err := sub.SubscribeMatch(ctx, tt.pattern)
		var ne *compat.NamingError
		if !errors.As(err, &ne) {
			t.Errorf("SubscribeMatch(%q) = %v, want NamingError", tt.pattern, err)
			continue
		}
		if diff := cmp.Diff(pickle.Tuple{pickle.ByteString(tt.want), pickle.ByteString(tt.pattern)}, ne.Args); diff != "" {
			t.Errorf("NamingError args (-want +got):\n%s", diff)
		}
	}
	if n := srv.Broker().Stats().Subscribers; n != 0 {
		t.Errorf("%d subscribers after refused patterns", n)
	}
}

// A subscriber whose daemon is gone is dropped; the others keep receiving.
func TestDeadGoSubscriberDropped(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t, &BrokerOptions{QueueSize: 10, BlockQueue: true})
	alive, aliveCh := goSubscriber(t, srv)
	dead, _ := goSubscriber(t, srv)
	for _, s := range []*Subscriber{alive, dead} {
		if err := s.Subscribe(ctx, "s"); err != nil {
			t.Fatal(err)
		}
	}
	if err := dead.Close(); err != nil {
		t.Fatal(err)
	}
	pub := goPublisher(t, srv)
	for i := range 50 {
		if err := pub.Publish(ctx, int64(i), "s"); err != nil {
			t.Fatal(err)
		}
		if ev := waitEvent(t, aliveCh); ev.Msg != int64(i) {
			t.Fatalf("event %d: got %v", i, ev.Msg)
		}
	}
	waitFor(t, func() bool { return srv.Broker().Stats().Subscribers == 1 }, "dead subscriber dropped")
}

func ExampleSubscriber() {
	ctx := context.Background()
	srv, err := NewServer(ServerOptions{Host: "127.0.0.1", NoRange: true})
	if err != nil {
		panic(err)
	}
	go func() { _ = srv.Serve(ctx) }()
	defer srv.Shutdown(ctx)

	got := make(chan string)
	sub, err := NewSubscriber(SubscriberOptions{
		ClientOptions: ClientOptions{ESURI: srv.URI()},
		Daemon:        core.DaemonOptions{Host: "127.0.0.1", NoRange: true},
	}, func(_ context.Context, ev *compat.Event) {
		got <- fmt.Sprintf("%s: %v", ev.Subject, ev.Msg)
	})
	if err != nil {
		panic(err)
	}
	go func() { _ = sub.Listen(ctx) }()
	defer sub.Close()
	if err := sub.SubscribeMatch(ctx, `weather\..*`); err != nil {
		panic(err)
	}

	pub, err := NewPublisher(ClientOptions{ESURI: srv.URI()})
	if err != nil {
		panic(err)
	}
	defer pub.Close()
	if err := pub.Publish(ctx, "sunny", "Weather.Amsterdam"); err != nil {
		panic(err)
	}
	fmt.Println(<-got)
	// Output: Weather.Amsterdam: sunny
}

func ExamplePublisher_PublishOneway() {
	ctx := context.Background()
	srv, err := NewServer(ServerOptions{Host: "127.0.0.1", NoRange: true})
	if err != nil {
		panic(err)
	}
	go func() { _ = srv.Serve(ctx) }()
	defer srv.Shutdown(ctx)

	got := make(chan any, 3)
	sub, err := NewSubscriber(SubscriberOptions{
		ClientOptions: ClientOptions{ESURI: srv.URI()},
		Daemon:        core.DaemonOptions{Host: "127.0.0.1", NoRange: true},
	}, func(_ context.Context, ev *compat.Event) { got <- ev.Msg })
	if err != nil {
		panic(err)
	}
	go func() { _ = sub.Listen(ctx) }()
	defer sub.Close()
	if err := sub.Subscribe(ctx, "ticks"); err != nil {
		panic(err)
	}

	pub, err := NewPublisher(ClientOptions{ESURI: srv.URI()})
	if err != nil {
		panic(err)
	}
	defer pub.Close()
	for i := range 3 {
		// Returns once the request is written; the events keep their order.
		if err := pub.PublishOneway(ctx, int64(i), "ticks"); err != nil {
			panic(err)
		}
	}
	fmt.Println(<-got, <-got, <-got)
	// Output: 0 1 2
}

// A publisher idle for longer than the server keeps idle connections
// publishes on a fresh connection instead of failing.
func TestPublisherAfterIdleTimeout(t *testing.T) {
	defer func(d time.Duration) { idleRelease = d }(idleRelease)
	idleRelease = 50 * time.Millisecond
	ctx := context.Background()
	srv, err := NewServer(ServerOptions{Host: "127.0.0.1", NoRange: true, IdleTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ctx) }()
	defer srv.Shutdown(ctx)
	pub := goPublisher(t, srv)
	for i := range 2 {
		if i == 1 {
			time.Sleep(500 * time.Millisecond) // the server drops the idle connection
		}
		if err := pub.Publish(ctx, int64(i), "idle"); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
}

// A subscriber that gets no event for longer than the delivery timeout is
// still a subscriber: the timeout bounds deliveries, not idle time.
func TestIdleSubscriberKept(t *testing.T) {
	ctx := context.Background()
	srv, err := NewServer(ServerOptions{Host: "127.0.0.1", NoRange: true, DeliverTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ctx) }()
	defer srv.Shutdown(ctx)
	sub, ch := goSubscriber(t, srv)
	if err := sub.Subscribe(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	pub := goPublisher(t, srv)
	for i := range 2 {
		if i == 1 {
			time.Sleep(600 * time.Millisecond)
		}
		if err := pub.Publish(ctx, int64(i), "s"); err != nil {
			t.Fatal(err)
		}
		if ev := waitEvent(t, ch); ev.Msg != int64(i) {
			t.Fatalf("got %v, want %d", ev.Msg, i)
		}
	}
}
