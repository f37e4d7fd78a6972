package core_test

import (
	"context"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol5"
	"github.com/gopyro/gopyro/serpent"
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

// benchPyro5 reports whether the benchmarks speak Pyro 5 (serpent) to the
// in-process daemon rather than Pyro 3: GOPYRO_BENCH_PYRO=5, set by
// scripts/bench_pyro5.sh.
func benchPyro5() bool { return os.Getenv("GOPYRO_BENCH_PYRO") == "5" }

// benchTarget returns the URI benchmarks call: a Go daemon in this process,
// or the object named by GOPYRO_BENCH_URI (scripts/bench_core.sh and
// bench_pyro5.sh point it at a Python daemon to measure Go client → Python
// daemon; a PYRO:id@host:port URI is called over Pyro 5).
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
	if benchPyro5() {
		uris, err := d.URIsFor(obj)
		if err != nil {
			b.Fatal(err)
		}
		i := slices.IndexFunc(uris, func(u compat.URI) bool { return u.Style == compat.Pyro5Style })
		if i < 0 {
			b.Fatal("the daemon has no Pyro 5 URI")
		}
		uri = uris[i]
	}
	return uri, obj
}

// benchArg is the argument of the small calls to uri: 'x'*20 as a str, so
// the request is about 100 bytes, like a typical Pyro call; a Python 2 str
// for Pyro 3, a Python 3 str for Pyro 5 (the Pyro 5 clients of
// bench_pyro5.sh send the same).
func benchArg(uri compat.URI) any {
	if uri.Style == compat.Pyro5Style {
		return strings.Repeat("x", 20)
	}
	return pickle.ByteString(strings.Repeat("x", 20))
}

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
	arg := benchArg(uri)
	if _, err := p.Call(ctx, "echo", arg); err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := p.Call(ctx, "echo", arg); err != nil {
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
	arg := benchArg(uri)
	proxies := make([]*core.Proxy, conns)
	for i := range proxies {
		proxies[i] = newProxy(b, uri)
		if _, err := proxies[i].Call(ctx, "echo", arg); err != nil {
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
				if _, err := p.Call(ctx, "echo", arg); err != nil {
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

// BenchmarkEcho10MB: a 10 MB str sent and returned (every byte value in
// a Python 2 str for Pyro 3; for Pyro 5, a Python 3 str of 'x', as the
// Pyro 5 clients of bench_pyro5.sh send).
func BenchmarkEcho10MB(b *testing.B) {
	uri, _ := benchTarget(b)
	p := newProxy(b, uri)
	big := make([]byte, 10<<20)
	for i := range big {
		big[i] = byte(i)
	}
	var arg any = pickle.ByteString(big)
	if uri.Style == compat.Pyro5Style {
		arg = strings.Repeat("x", len(big))
	}
	ctx := context.Background()
	b.SetBytes(2 * int64(len(big)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := p.Call(ctx, "echo", arg)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(echoed(res)); n != len(big) {
			b.Fatalf("echo of %d bytes returned %d", len(big), n)
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
		if _, err := p.Call(ctx, "echo", benchArg(uri)); err != nil {
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

// rawSizes are the sizes of the request and reply of BenchmarkCallSequential
// on the wire: Pyro 3's 18-byte header and pickles, or with
// GOPYRO_BENCH_PYRO=5 Pyro 5's 40-byte header and serpent.
func rawSizes(b *testing.B) (req, rep int) {
	id := "c000020254c329cf03eeb5f20e924d8ad0"
	if benchPyro5() {
		arg := strings.Repeat("x", 20)
		q, err := serpent.Marshal(pickle.Tuple{id, "echo", pickle.Tuple{arg}, map[string]any{}})
		if err != nil {
			b.Fatal(err)
		}
		r, err := serpent.Marshal(arg)
		if err != nil {
			b.Fatal(err)
		}
		return protocol5.HeaderSize + len(q), protocol5.HeaderSize + len(r)
	}
	arg := pickle.ByteString(strings.Repeat("x", 20))
	q, _ := pickle.Marshal(pickle.Tuple{pickle.ByteString(id), pickle.ByteString("echo"), int64(3), pickle.Tuple{pickle.Tuple{arg}, pickle.NewDict()}})
	r, _ := pickle.Marshal(arg)
	return 18 + len(q), 18 + len(r)
}

func benchRaw(b *testing.B, conns int) {
	reqSize, repSize := rawSizes(b)
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

// echoed is the str or bytes an echo call returned, whichever the
// protocol's serializer made of the argument.
func echoed(v any) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case pickle.Bytes:
		return []byte(x)
	}
	s, _ := pickle.Text(v)
	return []byte(s)
}
