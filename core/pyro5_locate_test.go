package core_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
)

// answerGetNSURI answers Pyro 5's discovery request on a loopback UDP port
// with uri, as Pyro5's BroadcastServer does, until the test ends; it
// returns the port.
func answerGetNSURI(t *testing.T, uri string) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 100)
		for {
			n, from, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			if string(buf[:n]) == "GET_NSURI" {
				c.WriteTo([]byte(uri), from)
			}
		}
	}()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// TestLocatePyro5NS: the Pyro 5 name server is found at its host, or
// without one by broadcast (GET_NSURI), as Pyro5's locate_ns finds it; when
// none answers the error is Pyro5's NamingError, wrapping the cause.
func TestLocatePyro5NS(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	nsObj := core.InvokerWithAttrs(core.InvokerFunc(func(_ context.Context, c *core.Call) (any, error) {
		return "PYRO:calc@127.0.0.1:1", nil
	}), core.Attrs{Class: "NameServer", Methods: []string{"lookup"}})
	if _, err := d.ConnectWithGUID(context.Background(), nsObj, "Pyro.NameServer", ""); err != nil {
		t.Fatal(err)
	}
	nsURI := fmt.Sprintf("PYRO:Pyro.NameServer@127.0.0.1:%d", d.Port())
	cfg := config.Defaults()
	cfg.NSPort = freePort(t) // the last try, at PYRO_NS_HOST, finds nothing either (freePort: nothing listens there, TCP or UDP)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, tt := range []struct {
		name  string
		loc   core.Pyro5NSLocation
		found bool
	}{
		{"host", core.Pyro5NSLocation{Host: "127.0.0.1", Port: d.Port(), Config: cfg}, true},
		{"broadcast", core.Pyro5NSLocation{BCAddr: "127.0.0.1", Port: answerGetNSURI(t, nsURI), Config: cfg}, true},
		{"broadcast address of the configuration", core.Pyro5NSLocation{Port: answerGetNSURI(t, nsURI), Config: func() *config.Config {
			c := *cfg
			c.NSBCAddr = "127.0.0.1"
			return &c
		}()}, true},
		{"no name server at host", core.Pyro5NSLocation{Host: "127.0.0.1", Port: freePort(t), Config: cfg}, false},
		{"no answer to the broadcast", core.Pyro5NSLocation{BCAddr: "127.0.0.1", Port: freePort(t), Config: cfg}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := core.LocatePyro5NS(ctx, tt.loc)
			if !tt.found {
				var ex *compat.Exception
				var ce *core.CommError
				if !errors.As(err, &ex) || ex.Class.Module != "Pyro5.errors" || ex.Message() != "Failed to locate the nameserver" || !errors.As(err, &ce) {
					t.Fatalf("LocatePyro5NS = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if got := p.URI().String(); got != nsURI {
				t.Errorf("found %s, want %s", got, nsURI)
			}
			if v, err := p.Call(ctx, "lookup", "x"); err != nil || v != "PYRO:calc@127.0.0.1:1" {
				t.Errorf("lookup = %v, %v", v, err)
			}
		})
	}
}

// TestPyro5ProxyTypedErrors: the Pyro 5 errors a Pyro 5 daemon raises
// reach the Go caller as the compat types of their class (the one family
// of Pyro 3's errors), found with errors.As through Pyro 5's hierarchy.
func TestPyro5ProxyTypedErrors(t *testing.T) {
	d := startDaemon(t, core.DaemonOptions{})
	if _, err := d.ConnectWithGUID(context.Background(), &calc{}, "calc", ""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := newProxy(t, fmt.Sprintf("PYRO:calc@127.0.0.1:%d", d.Port()))
	_, err := p.Call(ctx, "naming")
	var ne *compat.NamingError
	var pe *compat.PyroError
	if !errors.As(err, &ne) || !errors.As(err, &pe) || ne.Class.Module != "Pyro5.errors" || ne.Args[0] != "name not found" {
		t.Errorf("naming: %#v", err)
	}
	_, err = p.Call(ctx, "protocol") // Pyro 3's ProtocolError, Pyro 5's a CommunicationError
	var ce *compat.CommunicationError
	var pre *compat.ProtocolError
	if !errors.As(err, &ce) || !errors.As(err, &pre) || errors.As(err, &ne) {
		t.Errorf("protocol: %#v", err)
	}
	if _, err = p.Call(ctx, "fail", "x"); errors.As(err, &pe) {
		t.Errorf("ValueError is a PyroError: %v", err)
	}
	cfg := config.Defaults()
	_, err = core.LocatePyro5NS(ctx, core.Pyro5NSLocation{Host: "127.0.0.1", Port: freePort(t), Config: cfg})
	if !errors.As(err, &ne) || ne.Class.Module != "Pyro5.errors" {
		t.Errorf("LocatePyro5NS: %#v", err)
	}
}
