// Command esclient is the Go side of the event service interop tests and
// benchmarks: Go publishers and subscribers (package es helpers) that talk
// to our event server or Python's.
//
//	esclient sub [--es URI] [--match] [--count N] [--n K] SUBJECT...
//	esclient pub [--es URI] [--repeat N] [--oneway] SUBJECT[,SUBJECT...]=MSG...
//	esclient bench [--es URI] [--events N] [--rate R] [--subject S] [--oneway]
//	esclient benchsub [--es URI] [--n K] [--events N] [--cpuprofile FILE]
//
// Without --es the event service is found through the name server
// (PYRO_NS_HOSTNAME / PYRO_NS_PORT). sub prints "READY" once subscribed,
// then with one subscriber one line per event, "EVENT <subject>
// <repr(msg)> <repr(time)>", as interop_tests/py2/es_subscriber.py does;
// with K subscribers only "DONE <events> <in order>" when each has N
// events. pub publishes each SUBJECT=MSG (MSG an int if it parses as one,
// else a str; with --repeat the message is (MSG, i)) and prints
// "PUBLISHED <n>"; with --oneway it publishes with Publisher.PublishOneway.
//
// bench and benchsub are the Go publisher and subscribers of
// scripts/bench_es.sh: bench publishes (publish time, seq) messages, as fast
// as it can or at R events/s; benchsub prints the same RESULT line as
// scripts/bench_es_sub.py.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/es"
	"github.com/gopyro/gopyro/pickle"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: esclient sub|pub|bench ...")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "sub":
		err = sub(ctx, os.Args[2:])
	case "pub":
		err = pub(ctx, os.Args[2:])
	case "bench":
		err = bench(ctx, os.Args[2:])
	case "benchsub":
		err = benchsub(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "esclient:", err)
		os.Exit(1)
	}
}

func clientOptions(esURI string) es.ClientOptions {
	if esURI == "" {
		return es.ClientOptions{}
	}
	return es.ClientOptions{ESURI: esURI}
}

// daemonOptions keeps subscriber daemons on loopback, ephemeral ports.
var daemonOptions = core.DaemonOptions{Host: "127.0.0.1", NoRange: true}

func sub(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sub", flag.ContinueOnError)
	esURI := fs.String("es", "", "event service URI (default: ask the name server)")
	match := fs.Bool("match", false, "subscribe to patterns")
	count := fs.Int("count", 0, "exit after this many events per subscriber (0: run until interrupted)")
	n := fs.Int("n", 1, "number of subscribers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	type state struct {
		mu      sync.Mutex
		got     int
		inOrder bool
		last    int64
	}
	var (
		wg    sync.WaitGroup
		out   sync.Mutex
		subs  []*es.Subscriber
		total = make([]*state, *n)
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i := range *n {
		st := &state{inOrder: true, last: -1}
		total[i] = st
		wg.Add(1)
		finished := false
		s, err := es.NewSubscriber(es.SubscriberOptions{ClientOptions: clientOptions(*esURI), Daemon: daemonOptions},
			func(_ context.Context, ev *compat.Event) {
				st.mu.Lock()
				defer st.mu.Unlock()
				st.got++
				if t, ok := ev.Msg.(pickle.Tuple); ok && len(t) == 2 {
					if seq, ok := t[1].(int64); ok {
						st.inOrder = st.inOrder && seq > st.last
						st.last = seq
					}
				}
				if *n == 1 {
					out.Lock()
					fmt.Printf("EVENT %s %s %s\n", compat.Str(ev.Subject), compat.Repr(ev.Msg), compat.Repr(ev.Time))
					out.Unlock()
				}
				if *count > 0 && st.got >= *count && !finished {
					finished = true
					wg.Done()
				}
			})
		if err != nil {
			return err
		}
		defer s.Close()
		subs = append(subs, s)
		go func() { _ = s.Listen(ctx) }()
		subjects := fs.Args()
		if *match {
			err = s.SubscribeMatch(ctx, subjects...)
		} else {
			err = s.Subscribe(ctx, subjects...)
		}
		if err != nil {
			return err
		}
	}
	fmt.Println("READY", subs[0].URI())
	if *count == 0 {
		<-ctx.Done()
		return nil
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	sum, ordered := 0, true
	for _, st := range total {
		st.mu.Lock()
		sum += st.got
		ordered = ordered && st.inOrder
		st.mu.Unlock()
	}
	fmt.Println("DONE", sum, ordered)
	return nil
}

func parseMsg(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	return pickle.ByteString(s)
}

func pub(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("pub", flag.ContinueOnError)
	esURI := fs.String("es", "", "event service URI (default: ask the name server)")
	repeat := fs.Int("repeat", 1, "publish everything this many times")
	oneway := fs.Bool("oneway", false, "publish with oneway calls (Publisher.PublishOneway)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p, err := es.NewPublisher(clientOptions(*esURI))
	if err != nil {
		return err
	}
	defer p.Close()
	publish := publishFunc(p, *oneway)
	n := 0
	for i := range *repeat {
		for _, a := range fs.Args() {
			subj, msgText, ok := strings.Cut(a, "=")
			if !ok {
				return fmt.Errorf("want SUBJECT=MSG, got %q", a)
			}
			msg := parseMsg(msgText)
			if *repeat > 1 {
				msg = pickle.Tuple{msg, int64(i)}
			}
			if err := publish(ctx, msg, strings.Split(subj, ",")...); err != nil {
				return err
			}
			n++
		}
	}
	fmt.Println("PUBLISHED", n)
	return nil
}

// bench publishes events as fast as possible for a while and prints
// "PUBLISHED <n> <seconds>".
func bench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	esURI := fs.String("es", "", "event service URI (default: ask the name server)")
	events := fs.Int("events", 1000, "number of events")
	rate := fs.Float64("rate", 0, "events per second (0: as fast as possible)")
	subject := fs.String("subject", "bench", "subject")
	oneway := fs.Bool("oneway", false, "publish with oneway calls (Publisher.PublishOneway)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p, err := es.NewPublisher(clientOptions(*esURI))
	if err != nil {
		return err
	}
	defer p.Close()
	publish := publishFunc(p, *oneway)
	start := time.Now()
	for i := range *events {
		if *rate > 0 {
			next := start.Add(time.Duration(float64(i) / *rate * float64(time.Second)))
			time.Sleep(time.Until(next))
		}
		msg := pickle.Tuple{float64(time.Now().UnixNano()) / 1e9, int64(i)}
		if err := publish(ctx, msg, *subject); err != nil {
			return err
		}
	}
	fmt.Println("PUBLISHED", *events, time.Since(start).Seconds())
	return nil
}

// publishFunc is p's Publish, or PublishOneway with oneway set.
func publishFunc(p *es.Publisher, oneway bool) func(context.Context, any, ...string) error {
	if oneway {
		return p.PublishOneway
	}
	return p.Publish
}

// benchsub runs K subscribers of subject "bench" and reports delivery rate
// and latency once each has N events (or nothing came for 15 s).
func benchsub(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("benchsub", flag.ContinueOnError)
	esURI := fs.String("es", "", "event service URI (default: ask the name server)")
	n := fs.Int("n", 1, "number of subscribers")
	events := fs.Int("events", 1000, "events per subscriber")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var (
		mu        sync.Mutex
		latencies []float64
		last      time.Time
		firstPub  = -1.0
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range *n {
		s, err := es.NewSubscriber(es.SubscriberOptions{ClientOptions: clientOptions(*esURI), Daemon: daemonOptions},
			func(_ context.Context, ev *compat.Event) {
				now := time.Now()
				t, ok := ev.Msg.(pickle.Tuple)
				if !ok || len(t) != 2 {
					return
				}
				pub, _ := t[0].(float64)
				mu.Lock()
				latencies = append(latencies, float64(now.UnixNano())/1e9-pub)
				last = now
				if firstPub < 0 || pub < firstPub {
					firstPub = pub
				}
				mu.Unlock()
			})
		if err != nil {
			return err
		}
		defer s.Close()
		go func() { _ = s.Listen(ctx) }()
		if err := s.Subscribe(ctx, "bench"); err != nil {
			return err
		}
	}
	fmt.Println("READY")
	expected := *n * *events
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		mu.Lock()
		got, idle := len(latencies), !last.IsZero() && time.Since(last) > 15*time.Second
		mu.Unlock()
		if got >= expected || idle {
			break
		}
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(latencies)
	pct := func(q float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(q*float64(len(latencies))))] * 1000
	}
	seconds, rate := 0.0, 0.0
	if len(latencies) > 0 {
		seconds = float64(last.UnixNano())/1e9 - firstPub
		rate = float64(len(latencies)) / seconds
	}
	fmt.Printf("RESULT received=%d expected=%d seconds=%.3f rate=%.0f p50=%.2f p99=%.2f\n",
		len(latencies), expected, seconds, rate, pct(0.50), pct(0.99))
	return nil
}
