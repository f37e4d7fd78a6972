package mobile_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/mobile"
	"github.com/gopyro/gopyro/pickle"
)

// Mall is a served Go object whose results are instances of Python classes
// the clients may lack: embedding mobile.Code lets them download the
// modules (remote_retrieve_code), here only those of the objects package.
type Mall struct {
	mobile.Code
}

// Buy returns an objects.tv.tv instance.
func (m *Mall) Buy() *pickle.Object {
	return &pickle.Object{Class: pickle.Class{Module: "objects.tv", Name: "tv"}, Build: pickle.BuildNewObj, Args: pickle.Tuple{}}
}

func ExampleCode() {
	dir, _ := os.MkdirTemp("", "mobile")
	defer os.RemoveAll(dir)
	os.MkdirAll(filepath.Join(dir, "objects"), 0o755)
	os.WriteFile(filepath.Join(dir, "objects", "__init__.py"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "objects", "tv.py"), []byte("class tv(object):\n    pass\n"), 0o644)

	mall := &Mall{mobile.Code{
		Repo: mobile.NewRepository(dir),
		Validator: func(name string, code []byte, addr net.Addr) bool {
			return code == nil && strings.HasPrefix(name, "objects.") // downloads of objects.* only
		},
	}}
	// What a Python client lacking objects.tv calls on the object:
	code, err := mall.RemoteRetrieveCode("objects.tv")
	fmt.Printf("%q %v\n", code, err)
	_, err = mall.RemoteRetrieveCode("os")
	fmt.Println(err)
	err = mall.RemoteSupplyCode(context.Background(), "agent", []byte("x = 1\n"), pickle.Tuple{pickle.ByteString("127.0.0.1"), int64(4000)})
	fmt.Println(err)
	// Output:
	// "class tv(object):\n    pass\n" <nil>
	// PyroError: attempt to retrieve code denied
	// PyroError: attempt to supply code denied
}

// A Go client sends a Python server an object of a class the server lacks;
// the Supplier uploads the module when the server asks for it. (Here the
// "Python server" is a Go object that answers like one.)
func ExampleSupplier() {
	loaded := map[string]bool{}
	server := core.InvokerFunc(func(ctx context.Context, c *core.Call) (any, error) {
		switch c.Method {
		case "remote_supply_code":
			name := compat.Str(c.Args[0])
			fmt.Println("server got the code of", name)
			loaded[name] = true
			return nil, nil
		case "visit":
			agent := c.Args[0].(*pickle.Object)
			if !loaded[agent.Class.Module] {
				return nil, compat.NewInternalNoModuleError(agent.Class.Module, nil)
			}
			return "visited by " + agent.Class.Name, nil
		}
		return nil, errors.New("no such method")
	})
	d, _ := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Serve(ctx)
	uri, _ := d.Connect(server, "")
	p, _ := core.NewProxy(uri)
	defer p.Close()

	repo := mobile.NewRepository("")
	repo.Add("agent.ShoppingAgent", []byte("class ShoppingAgent(object):\n    pass\n"))
	s := &mobile.Supplier{Repo: repo}
	agent := &pickle.Object{Class: pickle.Class{Module: "agent.ShoppingAgent", Name: "ShoppingAgent"}, Build: pickle.BuildNewObj, Args: pickle.Tuple{}}
	res, err := s.CallMethod(ctx, p, "visit", agent)
	fmt.Println(res, err)
	// Output:
	// server got the code of agent.ShoppingAgent
	// visited by ShoppingAgent <nil>
}
