package es

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

// BenchmarkDeliver publishes b.N events to n Go subscribers over loopback
// and waits until every subscriber has them all; it reports delivered
// events per second.
func BenchmarkDeliver(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			ctx := context.Background()
			srv, err := NewServer(ServerOptions{Host: "127.0.0.1", NoRange: true, Queue: &BrokerOptions{QueueSize: 1000, BlockQueue: true}})
			if err != nil {
				b.Fatal(err)
			}
			go func() { _ = srv.Serve(ctx) }()
			defer srv.Shutdown(ctx)
			var got atomic.Int64
			done := make(chan struct{})
			want := int64(b.N * n)
			for range n {
				sub, err := NewSubscriber(SubscriberOptions{ClientOptions: ClientOptions{ESURI: srv.URI()}, Daemon: loopback},
					func(context.Context, *compat.Event) {
						if got.Add(1) == want {
							close(done)
						}
					})
				if err != nil {
					b.Fatal(err)
				}
				go func() { _ = sub.Listen(ctx) }()
				defer sub.Close()
				if err := sub.Subscribe(ctx, "bench"); err != nil {
					b.Fatal(err)
				}
			}
			pub, err := NewPublisher(ClientOptions{ESURI: srv.URI()})
			if err != nil {
				b.Fatal(err)
			}
			defer pub.Close()
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				if err := pub.Publish(ctx, pickle.Tuple{1.5, int64(i)}, "bench"); err != nil {
					b.Fatal(err)
				}
			}
			select {
			case <-done:
			case <-time.After(time.Minute):
				b.Fatalf("delivered %d of %d", got.Load(), want)
			}
			b.ReportMetric(float64(want)/time.Since(start).Seconds(), "events/s")
		})
	}
}
