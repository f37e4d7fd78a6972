// Command client is the Go counterpart of Pyro's "BankExample" client: it
// lists the banks registered in the Name Server group ":banks1" (by the
// example's BankServer.py, or by ../server), does business with each of
// them for two customers and prints all accounts.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"sort"
	"strings"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

const group = ":banks1"

// bankError returns the message of a banks.BankError raised by the server,
// and false for any other error.
func bankError(err error) (string, bool) {
	var ex *compat.Exception
	if errors.As(err, &ex) && ex.Class == (pickle.Class{Module: "banks", Name: "BankError"}) {
		return ex.Message(), true
	}
	return "", false
}

// must stops the program on an unexpected error.
func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

type customer struct{ name string }

func (c customer) doBusiness(ctx context.Context, bank *core.Proxy) {
	call := func(method string, args ...any) (any, error) { return bank.Call(ctx, method, args...) }
	fmt.Println()
	fmt.Println("***", c.name, "is doing business with", compat.Str(must(call("name"))), ":")

	fmt.Println("Creating account")
	if _, err := call("createAccount", c.name); err != nil {
		msg, ok := bankError(err)
		if !ok {
			log.Fatal(err)
		}
		fmt.Println("Failed:", msg)
		fmt.Println("Removing account and trying again")
		must(call("deleteAccount", c.name))
		must(call("createAccount", c.name))
	}
	fmt.Println("Deposit money")
	must(call("deposit", c.name, 200.00))
	fmt.Println("Deposit money")
	must(call("deposit", c.name, 500.75))
	fmt.Println("Balance=", compat.Str(must(call("balance", c.name))))
	fmt.Println("Withdraw money")
	must(call("withdraw", c.name, 400.00))
	fmt.Println("Withdraw money (red)")
	if _, err := call("withdraw", c.name, 400.00); err != nil {
		msg, ok := bankError(err)
		if !ok {
			log.Fatal(err)
		}
		fmt.Println("Failed:", msg)
	}
	fmt.Println("End balance=", compat.Str(must(call("balance", c.name))))

	fmt.Println("Withdraw money from non-existing account")
	expectBankError(call("withdraw", "GOD", 2222.22))
	fmt.Println("Deleting non-existing account")
	expectBankError(call("deleteAccount", "GOD"))
}

func expectBankError(_ any, err error) {
	if err == nil {
		fmt.Println("!!! Succeeded?!? That is an error")
		return
	}
	msg, ok := bankError(err)
	if !ok {
		log.Fatal(err)
	}
	fmt.Println("Failed, as expected:", msg)
}

func main() {
	ctx := context.Background()

	fmt.Print("Searching Naming Service... ")
	// At PYRO_NS_HOSTNAME:PYRO_NS_PORT when set, else by broadcast.
	nameServer := must(ns.Locate(ctx, ns.LocateOptions{}))
	nsURI := nameServer.URI()
	host := "??"
	if names, err := net.LookupAddr(nsURI.Address); err == nil && len(names) > 0 {
		host = strings.TrimSuffix(names[0], ".")
	}
	fmt.Printf("Naming Service found at %s (%s) port %d\n", nsURI.Address, host, nsURI.Port)

	// The banks are the names (type 1; groups are 0) in the group.
	var banks []*core.Proxy
	fmt.Println()
	for _, e := range must(nameServer.List(ctx, group)) {
		if e.Type != 1 {
			continue
		}
		fmt.Println("Found a bank: ", e.Name)
		uri, err := nameServer.Resolve(ctx, group+"."+e.Name)
		if err != nil {
			fmt.Println("Bank can't be found:", err)
			os.Exit(1)
		}
		banks = append(banks, must(core.NewProxy(uri)))
	}
	if len(banks) == 0 {
		log.Fatal("There are no banks to do business with!")
	}

	for _, bank := range banks {
		customer{"Irmen"}.doBusiness(ctx, bank)
		customer{"Suzy"}.doBusiness(ctx, bank)
	}

	fmt.Println()
	for _, bank := range banks {
		fmt.Println("The accounts in the", compat.Str(must(bank.Call(ctx, "name"))), ":")
		accounts := must(core.CallAs[map[string]float64](ctx, bank, "allAccounts"))
		names := make([]string, 0, len(accounts))
		for name := range accounts {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Println("  ", name, ":", compat.Str(accounts[name]))
		}
	}
}
