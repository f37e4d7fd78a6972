// Command streaming is the Go port of the server of Pyro 5's streaming
// example (examples/streaming/server.py), served as
// PYRO:example.streamer@host:port: methods that return Go iterators
// (iter.Seq) answer with item streams, which the client's proxy reads item
// by item as Python iterators, and so do the prop_iter and prop_generator
// attributes, fields that hold iterators.
package main

import (
	"fmt"
	"iter"
	"math/big"
	"slices"
	"time"

	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// Streamer streams numbers.
type Streamer struct {
	PropIter      iter.Seq[int] `pyro:"prop_iter"`
	PropGenerator iter.Seq[int] `pyro:"prop_generator"`
}

// List returns a list, not a stream.
func (*Streamer) List() []int { return upTo(10) }

// Iterator streams the numbers of a list.
func (*Streamer) Iterator() iter.Seq[int] { return slices.Values(upTo(10)) }

// Generator streams 1 to 9 as they are made.
func (*Streamer) Generator() iter.Seq[int] { return count(1, 10, 0) }

// SlowGenerator streams 1 to 9, one every half second.
func (*Streamer) SlowGenerator() iter.Seq[int] { return count(1, 10, 500*time.Millisecond) }

// Fibonacci streams the Fibonacci numbers, without end.
func (*Streamer) Fibonacci() iter.Seq[*big.Int] {
	return func(yield func(*big.Int) bool) {
		a, b := big.NewInt(0), big.NewInt(1)
		for yield(new(big.Int).Set(a)) {
			a.Add(a, b)
			a, b = b, a
		}
	}
}

// upTo is 1 to n-1.
func upTo(n int) []int { return slices.Collect(count(1, n, 0)) }

// count yields from to n-1, waiting pause before each.
func count(from, n int, pause time.Duration) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := from; i < n; i++ {
			time.Sleep(pause)
			if !yield(i) {
				return
			}
		}
	}
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	// Item streams are always on in the Go daemon (Pyro 5's
	// ITER_STREAMING, on by default).
	fmt.Println("Note: iter-streaming has been enabled in the Pyro config.")
	s := &Streamer{PropIter: slices.Values(upTo(11)), PropGenerator: count(0, 10, 0)}
	serve.Serve(ctx, serve.Daemon(serve.Options{}), false, serve.Object{Value: s, Name: "example.streamer"})
}
