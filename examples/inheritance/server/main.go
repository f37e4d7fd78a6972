// Command server is the Go counterpart of Pyro's "inheritance" example
// server: the remote object, registered as ":test.inheritance", inherits
// methods from two base types and overrides one of them. In Go that is
// struct embedding: methods of embedded types are promoted, and a method
// declared on the outer type wins over the embedded ones.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/internal/example"
	"github.com/gopyro/gopyro/ns"
)

// Base1 provides meth1 and meth2.
type Base1 struct{}

// Meth1 is inherited unchanged.
func (Base1) Meth1() string { return "base1.meth1" }

// Meth2 is overridden by Sub.
func (Base1) Meth2() string { return "base1.meth2" }

// Base2 provides meth2 and meth3.
type Base2 struct{}

// Meth2 is overridden by Sub.
func (Base2) Meth2() string { return "base2.meth2" }

// Meth3 is inherited unchanged.
func (Base2) Meth3() string { return "base2.meth3" }

// Sub is the remote object: Base1's and Base2's methods plus its own.
type Sub struct {
	Base1
	Base2
}

// Meth2 overrides both embedded Meth2s (which alone would be ambiguous).
func (Sub) Meth2() string { return "Fsub.meth2 (overridden)" }

// Meth4 is Sub's own.
func (Sub) Meth4() string { return "Fsub.meth4" }

func main() {
	ctx := context.Background()
	nameServer := example.NameServer(ctx, ns.LocateOptions{}, ":test")
	d := example.Daemon(core.DaemonOptions{Registrar: nameServer, UnregisterOnShutdown: true})
	example.ConnectFresh(ctx, nameServer, d, Sub{}, ":test.inheritance")
	example.Serve(ctx, d, `Server object "inheritance" ready.`)
}
