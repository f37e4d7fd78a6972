// Command circular is the Go port of a server of Pyro 5's circular example
// (examples/circular, chain.py with servA.py, servB.py or servC.py): one
// link of a chain of servers, registered with the name server as
// example.chain.NAME, that passes a message on to example.chain.NEXT (found
// with a PYRONAME proxy) until the message comes back to a link it has
// passed. Any link of the Python chain can be this program:
//
//	circular -name A -next B
package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"sync"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// Chain is one link.
type Chain struct {
	name, next string
	once       sync.Once
	proxy      *core.Proxy
	err        error
}

// nextLink returns the proxy for the next link, made on first use as
// chain.py makes it.
func (c *Chain) nextLink() (*core.Proxy, error) {
	c.once.Do(func() { c.proxy, c.err = core.NewProxy("PYRONAME:example.chain." + c.next) })
	return c.proxy, c.err
}

// Process passes message on, with this link's name added, unless this
// link is in it already: then the circle is complete.
func (c *Chain) Process(ctx context.Context, message []string) ([]string, error) {
	if slices.Contains(message, c.name) {
		fmt.Printf("Back at %s; we completed the circle!\n", c.name)
		return []string{"complete at " + c.name}, nil
	}
	next, err := c.nextLink()
	if err != nil {
		return nil, err
	}
	fmt.Printf("I'm %s, passing to %s\n", c.name, c.next)
	var result []string
	if err := next.CallInto(ctx, &result, "process", append(message, c.name)); err != nil {
		return nil, err
	}
	return append([]string{"passed on from " + c.name}, result...), nil
}

func main() {
	name := flag.String("name", "A", "this link's name")
	next := flag.String("next", "B", "the next link's name")
	flag.Parse()
	ctx, stop := serve.Context()
	defer stop()
	d := serve.Daemon(serve.Options{})
	ns := serve.NameServer()
	serve.Register(ctx, ns, "example.chain."+*name, serve.Connect(ctx, d, &Chain{name: *name, next: *next}, serve.NewID()).String())
	ns.Close()
	serve.Run(ctx, d, "Server started "+*name)
}
