package gateway_test

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/gateway"
)

// BenchmarkCall times one small call (echo of a short string) made
// directly and through the gateway, reporting the median and 99th
// percentile latency besides the mean: the gateway's cost per call is the
// difference between a client calling through it and one calling the
// target in the target's own generation.
//
//	go test -run - -bench Call -benchtime 20000x ./gateway
func BenchmarkCall(b *testing.B) {
	s := start(b, gateway.Options{Pyro3Methods: []string{"echo"}})
	cases := []struct {
		name string
		p    *core.Proxy
	}{
		{"pyro3-direct", proxy(b, s.uri3)},
		{"pyro5-via-gateway-to-pyro3", s.via5},
		{"pyro5-direct", proxy(b, s.uri5)},
		{"pyro3-via-gateway-to-pyro5", s.via3},
	}
	ctx := context.Background()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			// connect outside the timing
			if _, err := c.p.Call(ctx, "echo", "warm"); err != nil {
				b.Fatal(err)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				if _, err := c.p.Call(ctx, "echo", "hello"); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2])/1e3, "p50-us")
			b.ReportMetric(float64(lat[len(lat)*99/100])/1e3, "p99-us")
		})
	}
}

// BenchmarkParallel32 runs 32 clients at once, each with its own
// connection, directly and through the gateway, and reports the calls per
// second they make together.
//
//	go test -run - -bench Parallel32 -benchtime 20000x ./gateway
func BenchmarkParallel32(b *testing.B) {
	s := start(b, gateway.Options{Pyro3Methods: []string{"echo"}})
	cases := []struct {
		name string
		p    *core.Proxy
	}{
		{"pyro3-direct", proxy(b, s.uri3)},
		{"pyro5-via-gateway-to-pyro3", s.via5},
		{"pyro5-direct", proxy(b, s.uri5)},
		{"pyro3-via-gateway-to-pyro5", s.via3},
	}
	ctx := context.Background()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			clients := make(chan *core.Proxy, 32)
			for range 32 {
				p := c.p.Clone()
				defer p.Close()
				if _, err := p.Call(ctx, "echo", "warm"); err != nil {
					b.Fatal(err)
				}
				clients <- p
			}
			b.SetParallelism((32 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			t0 := time.Now()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				p := <-clients
				defer func() { clients <- p }()
				for pb.Next() {
					if _, err := p.Call(ctx, "echo", "hello"); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "calls/s")
		})
	}
}
