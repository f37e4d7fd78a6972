// Command stockquotes is the Go port of the stock market server of Pyro
// 5's stockquotes example (examples/stockquotes, phase2 and phase3
// stockmarket.py): two markets registered as example.stockmarket.nasdaq
// and example.stockmarket.newyork, whose name and symbols are remote
// attributes and whose quotes method streams random quotes without end
// (an iterator, read by the viewer as an item stream). Phase 3 differs
// only in the daemon's fixed host and port: here PYRO_HOST and PYRO_PORT.
package main

import (
	"iter"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
	"github.com/gopyro/gopyro/pickle"
)

// StockMarket makes up quotes.
type StockMarket struct {
	Name    string   `pyro:"name"`
	Symbols []string `pyro:"symbols"`
}

// Quotes streams (symbol, value) pairs, each after a random pause of up
// to half a second.
func (m *StockMarket) Quotes() iter.Seq[pickle.Tuple] {
	return func(yield func(pickle.Tuple) bool) {
		for {
			symbol := m.Symbols[rand.IntN(len(m.Symbols))]
			value := math.Round((5+rand.Float64()*145)*100) / 100
			if !yield(pickle.Tuple{symbol, value}) {
				return
			}
			time.Sleep(time.Duration(rand.Float64() / 2 * float64(time.Second)))
		}
	}
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	d := serve.Daemon(serve.Options{})
	ns := serve.NameServer()
	defer ns.Close()
	// In stockmarket.py's order: the viewer lists the markets in the
	// order they were registered.
	for _, m := range []struct {
		name   string
		market *StockMarket
	}{
		{"example.stockmarket.nasdaq", &StockMarket{Name: "NASDAQ", Symbols: []string{"AAPL", "CSCO", "MSFT", "GOOG"}}},
		{"example.stockmarket.newyork", &StockMarket{Name: "NYSE", Symbols: []string{"IBM", "HPQ", "BP"}}},
	} {
		uri := serve.Connect(ctx, d, m.market, serve.NewID())
		serve.Register(ctx, ns, m.name, uri.String())
	}
	serve.Run(ctx, d, "Stockmarkets available.")
}
