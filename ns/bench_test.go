package ns_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
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
	c, err := ns.NewClient(uri, ":Default")
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
	setup, err := ns.NewClient(uri, ":Default")
	if err != nil {
		b.Fatal(err)
	}
	defer setup.Close()
	setup.CreateGroup(ctx, "bench")
	setup.Unregister(ctx, "bench.resolve")
	if err := setup.Register(ctx, "bench.resolve", benchURI); err != nil {
		b.Fatal(err)
	}
	clients := make(chan *ns.Client, 8)
	for i := 0; i < 8; i++ {
		c, err := ns.NewClient(uri, ":Default")
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
	c, err := ns.NewClient(uri, ":Default")
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

// The raw loopback ping-pong floors: round trips with messages of a
// resolve's size (99 bytes out, 141 back), no Pyro at all. Against a Name
// Server in this process (BenchmarkRemoteResolve*) the floor is an echo
// server in this process too; against a pyro-ns process (GOPYRO_BENCH_NS)
// it is an echo server in a process of its own, which this test binary
// runs when started with GOPYRO_BENCH_ECHO=serve (see TestMain): waking a
// goroutine in another, idle process costs far more than in a busy one.
const pingSize, pongSize = 99, 141

// BenchmarkLoopbackPingPong is the floor for one sequential client.
func BenchmarkLoopbackPingPong(b *testing.B) { benchPingPong(b, 1, echoInProcess(b)) }

// BenchmarkLoopbackPingPong8 is the same floor for BenchmarkRemoteResolve8:
// raw round trips over 8 connections at once.
func BenchmarkLoopbackPingPong8(b *testing.B) { benchPingPong(b, 8, echoInProcess(b)) }

// BenchmarkLoopbackPingPongProcess and ...Process8 are the floors with the
// echo server in another process.
func BenchmarkLoopbackPingPongProcess(b *testing.B)  { benchPingPong(b, 1, echoProcess(b)) }
func BenchmarkLoopbackPingPongProcess8(b *testing.B) { benchPingPong(b, 8, echoProcess(b)) }

func TestMain(m *testing.M) {
	if os.Getenv("GOPYRO_BENCH_ECHO") == "serve" {
		serveEcho()
		return
	}
	os.Exit(m.Run())
}

// serveEcho is the echo server process: it prints its address and serves
// until its standard input closes (its parent ended).
func serveEcho() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			os.Exit(1)
		}
		go echo(conn)
	}
}

func echo(conn net.Conn) {
	defer conn.Close()
	in, out := make([]byte, pingSize), make([]byte, pongSize)
	for {
		if _, err := io.ReadFull(conn, in); err != nil {
			return
		}
		if _, err := conn.Write(out); err != nil {
			return
		}
	}
}

// echoInProcess starts an echo server in this process.
func echoInProcess(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	b.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				echo(conn)
			}()
		}
	}()
	return ln.Addr().String()
}

// echoProcess starts this test binary as an echo server process, unless
// GOPYRO_BENCH_ECHO_ADDR names one already running (scripts/bench_ns.sh
// starts it pinned to a CPU of its choice).
func echoProcess(b *testing.B) string {
	if addr := os.Getenv("GOPYRO_BENCH_ECHO_ADDR"); addr != "" {
		return addr
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), "GOPYRO_BENCH_ECHO=serve")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
		cancel()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.HasPrefix(line, "ERROR") {
		b.Fatalf("echo server process: %q %v", line, err)
	}
	return strings.TrimSpace(line)
}

func benchPingPong(b *testing.B, conns int, addr string) {
	clients := make(chan net.Conn, conns)
	for i := 0; i < conns; i++ {
		conn, err := net.Dial("tcp", addr)
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
		out, in := make([]byte, pingSize), make([]byte, pongSize)
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
