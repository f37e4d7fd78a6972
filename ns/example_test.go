package ns_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

func ExampleExpandName() {
	for _, name := range []string{"printer", ":Sales.printer", ""} {
		full, _ := ns.ExpandName(name, ":Default")
		fmt.Println(full)
	}
	// Output:
	// :Default.printer
	// :Sales.printer
	// :Default
}

func ExampleValidateName() {
	_, err := ns.ValidateName(":bad name", ":Default")
	fmt.Println(err)
	_, err = ns.ValidateName(":a..b", ":Default")
	fmt.Println(err)
	// Output:
	// NamingError: ('invalid character(s) in name', ':bad name')
	// NamingError: ('invalid name', ':a..b')
}

// A name space in memory, used directly (what the Name Server serves).
func ExampleNamespace() {
	space, _ := ns.NewNamespace(ns.Options{})
	space.CreateGroup(":Sales")
	space.Register(":Sales.printer", pickle.ByteString("PYRO://10.0.0.5:7766/0123456789abcdef"))
	uri, _ := space.Resolve(":Sales.printer")
	fmt.Println(uri)
	kids, _ := space.List(":")
	fmt.Println(kids)
	err := space.Register(":Sales.printer", uri)
	fmt.Println(err)
	// Output:
	// PYRO://10.0.0.5:7766/0123456789abcdef
	// [{Default 0} {Pyro 0} {Sales 0}]
	// NamingError: ('name already exists', 'printer')
}

// Find the Name Server the way Pyro clients do and use it.
func ExampleLocate() {
	ctx := context.Background()
	nsc, err := ns.Locate(ctx, ns.LocateOptions{Host: "127.0.0.1", Port: 9090})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nsc.Close()
	obj := compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 7766, ObjectID: "0123456789abcdef"}
	if err := nsc.Register(ctx, "printer", obj); err != nil { // registers :Default.printer
		fmt.Println(err)
	}
}

// A store file that is damaged is refused with a *DamagedStoreError, and
// left as it is.
func ExampleDamagedStoreError() {
	dir, _ := os.MkdirTemp("", "ns-example-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ns.db")
	os.WriteFile(path, nil, 0o600) // truncated to nothing
	_, err := ns.OpenBoltStore(path)
	var damaged *ns.DamagedStoreError
	if errors.As(err, &damaged) {
		fmt.Println(damaged.Err)
	}
	// Output:
	// file is empty (0 bytes)
}
