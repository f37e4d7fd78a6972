// Command autoreconnect is the Go port of the servers of Pyro 5's
// autoreconnect example. Without -ns it is server.py: the object has the
// fixed id example.autoreconnect_fixed_objectid on the fixed port
// PYRO_PORT (7777 by default), so a restarted server takes the client's
// PYRO URI again. With -ns it is serverNS.py: the name server keeps the
// registration of example.autoreconnect, whose object id and port a
// restarted server takes back.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
	"github.com/gopyro/gopyro/pickle"
)

// TestClass has a slow method.
type TestClass struct{}

// Method takes a second.
func (TestClass) Method(arg any) {
	fmt.Printf("Method called with %s\n", compat.Str(arg))
	fmt.Println("You can now try to stop this server with ctrl-C/ctrl-Break")
	time.Sleep(time.Second)
}

const name = "example.autoreconnect"

func main() {
	useNS := flag.Bool("ns", false, "keep the object's id and port in the name server (serverNS.py)")
	flag.Parse()
	ctx, stop := serve.Context()
	defer stop()
	if !*useNS {
		fmt.Println("Autoreconnect using PYRO uri.")
		var opts serve.Options
		if os.Getenv("PYRO_PORT") == "" {
			opts.Port = 7777 // the port of server.py
		}
		d := serve.Daemon(opts)
		uri := serve.Connect(ctx, d, TestClass{}, "example.autoreconnect_fixed_objectid")
		serve.Run(ctx, d, fmt.Sprintf("Server started, uri: %s", uri))
		return
	}
	fmt.Println("Autoreconnect using Name Server.")
	ns := serve.NameServer()
	defer ns.Close()
	var d *core.Daemon
	existing, err := ns.Call(ctx, "lookup", name)
	if id, port, ok := uriState(existing); err == nil && ok {
		fmt.Printf("Object still exists in Name Server with id: %s\n", id)
		fmt.Printf("Previous daemon socket port: %d\n", port)
		d = serve.Daemon(serve.Options{Port: port})
		serve.Connect(ctx, d, TestClass{}, id)
	} else {
		if !isNamingError(err) {
			log.Fatalf("name server: lookup %s: %v", name, err)
		}
		fmt.Println("There was no previous registration in the name server.")
		d = serve.Daemon(serve.Options{Port: -1})
		uri := serve.Connect(ctx, d, TestClass{}, serve.NewID())
		serve.Register(ctx, ns, name, uri.String())
	}
	serve.Run(ctx, d, "Server started.")
}

// uriState reads the object id and port of a Pyro5.core.URI, whose state
// is (protocol, object, sockname, host, port).
func uriState(v any) (id string, port int, ok bool) {
	d, isDict := v.(pickle.Dict)
	if !isDict {
		return "", 0, false
	}
	state, _ := d.Get_("state")
	items, _ := pickle.Items(state)
	if len(items) != 5 {
		return "", 0, false
	}
	id, ok = pickle.Text(items[1])
	if err := pickle.Assign(&port, items[4]); err != nil {
		return "", 0, false
	}
	return id, port, ok
}

// isNamingError says whether err is Pyro's NamingError: a typed one, or
// Pyro5.errors.NamingError as the Go proxy returns it from Pyro 5.
func isNamingError(err error) bool {
	var ex *compat.Exception
	return errors.As(err, new(*compat.NamingError)) || errors.As(err, &ex) && ex.Class.Name == "NamingError"
}
