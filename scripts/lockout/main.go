// Command lockout measures how long idle connections keep real clients out
// of a Pyro server (issue 11, "Lockout").
//
// Usage:
//
//	lockout -uri URI [-method echo] [-idle 199] [-for 40s] [-probe 50ms]
//
// It opens -idle TCP connections to the server of URI that never send a
// byte, and reopens each one as soon as the server drops it (a reconnecting
// attacker). Once they are all open, it calls -method (with one argument,
// the number 1) on URI every -probe interval, each time through a new
// proxy, as a real client arriving would, for the duration given by -for.
// It prints how many calls were served, how long after the attack started
// the first one was, and the longest time during which no call was served
// (the lockout window), with the errors the refused calls got. The exit
// status is 0 whatever the figures; only bad flags or an unreachable server
// make it 1.
//
// Only loopback addresses are attacked: a URI naming another host is
// refused.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lockout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	uriText := fs.String("uri", "", "URI of the object to call (PYRO:// or PYROLOC:// on a loopback address)")
	method := fs.String("method", "echo", "method called with the argument 1")
	idle := fs.Int("idle", 199, "idle connections held by the attacker")
	dur := fs.Duration("for", 40*time.Second, "how long the attack lasts")
	probe := fs.Duration("probe", 50*time.Millisecond, "interval between the real client's calls")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	uri, err := compat.ParseURI(*uriText)
	if err != nil {
		fmt.Fprintf(stderr, "lockout: -uri: %v\n", err)
		return 1
	}
	if ip := net.ParseIP(uri.Address); ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(stderr, "lockout: -uri: %q is not a loopback address\n", uri.Address)
		return 1
	}
	addr := net.JoinHostPort(uri.Address, strconv.Itoa(uri.Port))
	if _, err := call(uri, *method); err != nil {
		fmt.Fprintf(stderr, "lockout: the server does not answer before the attack: %v\n", err)
		return 1
	}

	ctx, cancel := context.WithCancel(context.Background())
	a := &attacker{addr: addr}
	if err := a.start(ctx, *idle); err != nil {
		cancel()
		fmt.Fprintf(stderr, "lockout: %v\n", err)
		return 1
	}
	start := time.Now()
	r := probeFor(uri, *method, start, *dur, *probe)
	cancel()
	a.wg.Wait()
	r.print(stdout, *idle, a.reconnects.Load())
	return 0
}

// attacker holds idle connections to addr and reopens those the server
// closes.
type attacker struct {
	addr       string
	reconnects atomic.Int64
	wg         sync.WaitGroup
}

// start opens n connections and keeps them open until ctx is done.
func (a *attacker) start(ctx context.Context, n int) error {
	var d net.Dialer
	for i := 0; i < n; i++ {
		nc, err := d.DialContext(ctx, "tcp", a.addr)
		if err != nil {
			return fmt.Errorf("idle connection %d of %d: %w", i+1, n, err)
		}
		a.wg.Add(1)
		go a.hold(ctx, nc)
	}
	return nil
}

// hold keeps one idle connection: it reads (never writes) until the server
// closes it, then dials again, until ctx is done.
func (a *attacker) hold(ctx context.Context, nc net.Conn) {
	defer a.wg.Done()
	var d net.Dialer
	for {
		waitClosed(ctx, nc)
		for {
			if ctx.Err() != nil {
				return
			}
			var err error
			if nc, err = d.DialContext(ctx, "tcp", a.addr); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		a.reconnects.Add(1)
	}
}

// waitClosed reads from nc until the server closes it or ctx is done, then
// closes it.
func waitClosed(ctx context.Context, nc net.Conn) {
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	_, _ = io.Copy(io.Discard, nc)
	nc.Close()
}

func call(uri compat.URI, method string) (any, error) {
	p, err := core.NewProxy(uri, core.WithTimeout(2*time.Second))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return p.Call(context.Background(), method, 1)
}

// result is what the real client saw.
type result struct {
	dur         time.Duration
	probes      int
	served      int
	firstServed time.Duration // -1 when never served
	longestGap  time.Duration // longest time without a served call
	errs        map[string]int
}

func probeFor(uri compat.URI, method string, start time.Time, dur, every time.Duration) *result {
	r := &result{dur: dur, firstServed: -1, errs: map[string]int{}}
	lastServed := start
	for now := start; now.Sub(start) < dur; now = time.Now() {
		r.probes++
		_, err := call(uri, method)
		at := time.Now()
		if err == nil {
			r.served++
			if r.firstServed < 0 {
				r.firstServed = at.Sub(start)
			}
			r.longestGap = max(r.longestGap, at.Sub(lastServed))
			lastServed = at
		} else {
			r.errs[errorText(err)]++
		}
		time.Sleep(every)
	}
	r.longestGap = max(r.longestGap, time.Since(lastServed))
	return r
}

// errorText is the Pyro error class and message a refused call got.
func errorText(err error) string {
	var de *compat.ConnectionDeniedError
	if errors.As(err, &de) {
		return "ConnectionDeniedError: " + de.Message()
	}
	return err.Error()
}

func (r *result) print(w io.Writer, idle int, reconnects int64) {
	first := "never"
	if r.firstServed >= 0 {
		first = r.firstServed.Round(time.Millisecond).String()
	}
	fmt.Fprintf(w, "idle=%d attack=%s attacker-reconnects=%d probes=%d served=%d first-served-after=%s lockout-window=%s\n",
		idle, r.dur, reconnects, r.probes, r.served, first, r.longestGap.Round(time.Millisecond))
	texts := make([]string, 0, len(r.errs))
	for t := range r.errs {
		texts = append(texts, t)
	}
	sort.Strings(texts)
	for _, t := range texts {
		fmt.Fprintf(w, "  refused %d×: %s\n", r.errs[t], t)
	}
}
