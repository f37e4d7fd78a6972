package ns_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/ns"
)

// benchNS returns the URI of the Name Server to benchmark against: the one
// named by GOPYRO_BENCH_NS ("host:port", e.g. Python's, from
// scripts/bench_ns.sh), else an in-process Go one.
func benchNS(b *testing.B) compat.URI {
	if hp := os.Getenv("GOPYRO_BENCH_NS"); hp != "" {
		host, port, err := net.SplitHostPort(hp)
		if err != nil {
			b.Fatal(err)
		}
		p, _ := strconv.Atoi(port)
		uri, err := ns.LocateURI(context.Background(), ns.LocateOptions{Host: host, Port: p, Config: testConfig(b, nil)})
		if err != nil {
			b.Fatal(err)
		}
		return uri
	}
	return startNS(b, ns.StartOptions{}).URI()
}

var benchURI = compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 7766, ObjectID: "0123456789abcdef0123456789abcdef"}

// BenchmarkRemoteResolve: one Go client resolving sequentially over one
// connection.
func BenchmarkRemoteResolve(b *testing.B) {
	uri := benchNS(b)
	c, err := ns.NewNameServer(uri, ":Default")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	c.Unregister(ctx, "bench.resolve")
	c.CreateGroup(ctx, "bench")
	if err := c.Register(ctx, "bench.resolve", benchURI); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Resolve(ctx, "bench.resolve"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRemoteResolve8: Go clients over 8 connections.
func BenchmarkRemoteResolve8(b *testing.B) {
	uri := benchNS(b)
	ctx := context.Background()
	setup, err := ns.NewNameServer(uri, ":Default")
	if err != nil {
		b.Fatal(err)
	}
	defer setup.Close()
	setup.CreateGroup(ctx, "bench")
	setup.Unregister(ctx, "bench.resolve")
	if err := setup.Register(ctx, "bench.resolve", benchURI); err != nil {
		b.Fatal(err)
	}
	clients := make(chan *ns.NameServer, 8)
	for i := 0; i < 8; i++ {
		c, err := ns.NewNameServer(uri, ":Default")
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		clients <- c
	}
	b.SetParallelism((8 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := <-clients
		defer func() { clients <- c }()
		for pb.Next() {
			if _, err := c.Resolve(ctx, "bench.resolve"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRemoteRegisterUnregister: one Go client, a register and an
// unregister per iteration.
func BenchmarkRemoteRegisterUnregister(b *testing.B) {
	uri := benchNS(b)
	c, err := ns.NewNameServer(uri, ":Default")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	name := fmt.Sprintf("benchreg%d", time.Now().UnixNano())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Register(ctx, name, benchURI); err != nil {
			b.Fatal(err)
		}
		if err := c.Unregister(ctx, name); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoopbackPingPong is the floor for one sequential client: a raw
// TCP round trip on loopback with messages of a resolve's size (92 bytes
// out, 128 back), no Pyro at all.
func BenchmarkLoopbackPingPong(b *testing.B) { benchPingPong(b, 1) }

// BenchmarkLoopbackPingPong8 is the same floor for BenchmarkRemoteResolve8:
// raw round trips over 8 connections at once.
func BenchmarkLoopbackPingPong8(b *testing.B) { benchPingPong(b, 8) }

func benchPingPong(b *testing.B, conns int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
			in, out := make([]byte, 92), make([]byte, 128)
			for {
				if _, err := io.ReadFull(conn, in); err != nil {
					return
				}
				if _, err := conn.Write(out); err != nil {
					return
				}
			}
		}()
	}
	clients := make(chan net.Conn, conns)
	for i := 0; i < conns; i++ {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		clients <- conn
	}
	b.SetParallelism((conns + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		conn := <-clients
		defer func() { clients <- conn }()
		out, in := make([]byte, 92), make([]byte, 128)
		for pb.Next() {
			if _, err := conn.Write(out); err != nil {
				b.Error(err)
				return
			}
			if _, err := io.ReadFull(conn, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	for len(clients) > 0 {
		(<-clients).Close()
	}
	wg.Wait()
}

// BenchmarkResolve is the name space alone, no network.
func BenchmarkResolve(b *testing.B) {
	n, _ := ns.NewNamespace(ns.Options{})
	n.CreateGroup(":bench")
	n.Register(":bench.obj", benchURI)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := n.Resolve(":bench.obj"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRestart100k measures opening a persistent store with 100000
// names and loading the name space (pyro-ns -d start-up), and reports the
// heap the loaded name space takes.
func BenchmarkRestart100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "ns.db")
	st, err := ns.OpenBoltStore(path)
	if err != nil {
		b.Fatal(err)
	}
	ops := []ns.Op{{Kind: ns.OpPut, Record: ns.Record{Name: ":g", Group: true, Created: 1}}}
	for i := 0; i < 100000; i++ {
		ops = append(ops, ns.Op{Kind: ns.OpPut, Record: ns.Record{
			Name: fmt.Sprintf(":g.name%06d", i), Created: 1,
			URI: fmt.Sprintf("PYRO://127.0.0.1:7766/%032x", i)}})
	}
	if err := <-st.Apply(ops); err != nil {
		b.Fatal(err)
	}
	st.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		st, err := ns.OpenBoltStore(path)
		if err != nil {
			b.Fatal(err)
		}
		n, err := ns.NewNamespace(ns.Options{Store: st})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "heapMB")
		if names, _ := n.Len(); names != 100000 {
			b.Fatalf("%d names", names)
		}
		st.Close()
		b.StartTimer()
	}
}

// BenchmarkRegisterUnregisterBolt: register+unregister pairs with every
// change fsync'd, from 1 and from 8 concurrent writers (group commit).
func BenchmarkRegisterUnregisterBolt(b *testing.B) {
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			st, err := ns.OpenBoltStore(filepath.Join(b.TempDir(), "ns.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			n, _ := ns.NewNamespace(ns.Options{Store: st})
			var wg sync.WaitGroup
			per := b.N/writers + 1
			b.ResetTimer()
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					name := fmt.Sprintf(":Default.w%d", w)
					for i := 0; i < per; i++ {
						if err := n.Register(name, benchURI); err != nil {
							b.Error(err)
							return
						}
						if err := n.Unregister(name); err != nil {
							b.Error(err)
							return
						}
					}
				}(w)
			}
			wg.Wait()
		})
	}
}
