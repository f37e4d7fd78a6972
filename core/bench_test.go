package core_test

import (
	"context"
	"io"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// benchObj is the benchmark object: echo and a oneway counter.
type benchObj struct {
	n    atomic.Int64
	done chan struct{}
	want int64
}

func (b *benchObj) Echo(v any) any { return v }
func (b *benchObj) Add(x, y int) int {
	return x + y
}
func (b *benchObj) Tick() {
	if b.n.Add(1) == b.want && b.done != nil {
		close(b.done)
	}
}
func (b *benchObj) Count() int64 { return b.n.Load() }

// benchTarget returns the URI benchmarks call: a Go daemon in this process,
// or the object named by GOPYRO_BENCH_URI (scripts/bench_core.sh points it
// at a Python daemon to measure Go client → Python daemon).
func benchTarget(b *testing.B) (compat.URI, *benchObj) {
	if s := os.Getenv("GOPYRO_BENCH_URI"); s != "" {
		u, err := compat.ParseURI(s)
		if err != nil {
			b.Fatal(err)
		}
		return u, nil
	}
	obj := &benchObj{}
	d := startDaemon(b, core.DaemonOptions{})
	uri, err := d.Connect(obj, "")
	if err != nil {
		b.Fatal(err)
	}
	return uri, obj
}

// benchArg is the argument of the small calls: 'x'*20 as a str, so the
// request is about 100 bytes, like a typical Pyro call.
var benchArg = pickle.ByteString("xxxxxxxxxxxxxxxxxxxx")

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

func reportRate(b *testing.B, n int, unit string) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(n)/s, unit)
	}
}

// BenchmarkCallSequential: one Go proxy making calls one after another.
func BenchmarkCallSequential(b *testing.B) {
	uri, _ := benchTarget(b)
	p := newProxy(b, uri)
	ctx := context.Background()
	if _, err := p.Call(ctx, "echo", benchArg); err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := p.Call(ctx, "echo", benchArg); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	reportRate(b, b.N, "calls/s")
	reportLatency(b, lat)
}

func benchParallel(b *testing.B, conns int) {
	uri, _ := benchTarget(b)
	ctx := context.Background()
	proxies := make([]*core.Proxy, conns)
	for i := range proxies {
		proxies[i] = newProxy(b, uri)
		if _, err := proxies[i].Call(ctx, "echo", benchArg); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for _, p := range proxies {
		wg.Add(1)
		go func(p *core.Proxy) {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if _, err := p.Call(ctx, "echo", benchArg); err != nil {
					b.Error(err)
					return
				}
			}
		}(p)
	}
	wg.Wait()
	b.StopTimer()
	reportRate(b, b.N, "calls/s")
}

// BenchmarkCallParallel8 and 32: that many connections calling at once.
func BenchmarkCallParallel8(b *testing.B)  { benchParallel(b, 8) }
func BenchmarkCallParallel32(b *testing.B) { benchParallel(b, 32) }

// BenchmarkOneway: oneway calls sent and executed per second (the clock
// stops when the daemon has executed all of them).
func BenchmarkOneway(b *testing.B) {
	uri, obj := benchTarget(b)
	if obj == nil {
		b.Skip("needs the in-process Go daemon")
	}
	obj.n.Store(0)
	obj.want = int64(b.N)
	obj.done = make(chan struct{})
	p := newProxy(b, uri, core.WithOneway("tick"))
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Call(ctx, "tick"); err != nil {
			b.Fatal(err)
		}
	}
	<-obj.done
	b.StopTimer()
	reportRate(b, b.N, "calls/s")
}

// BenchmarkEcho10MB: a 10 MB str sent and returned.
func BenchmarkEcho10MB(b *testing.B) {
	uri, _ := benchTarget(b)
	p := newProxy(b, uri)
	big := make([]byte, 10<<20)
	for i := range big {
		big[i] = byte(i)
	}
	arg := pickle.ByteString(big)
	ctx := context.Background()
	b.SetBytes(2 * int64(len(big)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := p.Call(ctx, "echo", arg)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.(pickle.ByteString)) != len(big) {
			b.Fatal("short echo")
		}
	}
}

// BenchmarkConnectFirstCall: new proxy, connect + handshake, first call,
// close. Against the in-process daemon it runs twice: serving Pyro 3 and 5
// (the default: a Pyro 3 client waits out the protocol detection,
// DetectWait) and serving Pyro 3 alone.
func BenchmarkConnectFirstCall(b *testing.B) {
	if os.Getenv("GOPYRO_BENCH_URI") != "" {
		uri, _ := benchTarget(b)
		benchConnect(b, uri)
		return
	}
	for _, tt := range []struct {
		name string
		gens core.Generations
	}{{"pyro3+5", 0}, {"pyro3-only", core.Pyro3}} {
		b.Run(tt.name, func(b *testing.B) {
			d := startDaemon(b, core.DaemonOptions{Generations: tt.gens})
			uri, err := d.Connect(&benchObj{}, "")
			if err != nil {
				b.Fatal(err)
			}
			benchConnect(b, uri)
		})
	}
}

func benchConnect(b *testing.B, uri compat.URI) {
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		p, err := core.NewProxy(uri)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Call(ctx, "echo", benchArg); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		p.Close()
	}
	b.StopTimer()
	reportLatency(b, lat)
}

// BenchmarkRawPingPong is the floor for BenchmarkCallSequential: raw
// loopback TCP round trips with the message sizes of that benchmark's
// request and reply (header + pickle), no protocol work at all.
func BenchmarkRawPingPong(b *testing.B) { benchRaw(b, 1) }

// BenchmarkRawPingPong32 is the same floor for BenchmarkCallParallel32.
func BenchmarkRawPingPong32(b *testing.B) { benchRaw(b, 32) }

func benchRaw(b *testing.B, conns int) {
	req, _ := pickle.Marshal(pickle.Tuple{pickle.ByteString("c000020254c329cf03eeb5f20e924d8ad0"), pickle.ByteString("echo"), int64(3), pickle.Tuple{pickle.Tuple{benchArg}, pickle.NewDict()}})
	rep, _ := pickle.Marshal(benchArg)
	reqSize, repSize := 18+len(req), 18+len(rep)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				in, out := make([]byte, reqSize), make([]byte, repSize)
				for {
					if _, err := io.ReadFull(c, in); err != nil {
						return
					}
					if _, err := c.Write(out); err != nil {
						return
					}
				}
			}()
		}
	}()
	clients := make([]net.Conn, conns)
	for i := range clients {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		clients[i] = c
	}
	var next atomic.Int64
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	var wg sync.WaitGroup
	b.ResetTimer()
	for _, c := range clients {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			in, out := make([]byte, repSize), make([]byte, reqSize)
			var mine []time.Duration
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if _, err := c.Write(out); err != nil {
					b.Error(err)
					return
				}
				if _, err := io.ReadFull(c, in); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	b.StopTimer()
	reportRate(b, b.N, "calls/s")
	reportLatency(b, lat)
}
