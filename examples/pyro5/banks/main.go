// Command banks is the Go port of the server of Pyro 5's banks example
// (examples/banks, server.py and banks.py): two banks, Rabobank with
// unrestricted accounts and ABN whose accounts cannot be overdrawn, each
// one object shared by all clients (instance_mode "single"), registered
// with the name server as example.banks.rabobank and example.banks.abn.
package main

import (
	"fmt"
	"sync"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/examples/pyro5/internal/serve"
)

// Bank holds accounts by owner name.
type Bank struct {
	name       string
	restricted bool // withdrawals may not exceed the balance (ABN)
	mu         sync.Mutex
	accounts   map[string]float64
}

// PyroNames keeps the Python example's camelCase method names.
func (*Bank) PyroNames() map[string]string {
	return map[string]string{
		"CreateAccount": "createAccount",
		"DeleteAccount": "deleteAccount",
		"AllAccounts":   "allAccounts",
	}
}

func newBank(name string, restricted bool) *Bank {
	return &Bank{name: name, restricted: restricted, accounts: map[string]float64{}}
}

// unknown is the error of an operation on an account that does not exist.
func unknown() error { return compat.KeyError("unknown account") }

// Name returns the bank's name.
func (b *Bank) Name() string { return b.name }

// CreateAccount opens an empty account; a ValueError if name has one.
func (b *Bank) CreateAccount(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.accounts[name]; ok {
		return compat.ValueError("Account already exists")
	}
	b.accounts[name] = 0
	return nil
}

// DeleteAccount closes name's account.
func (b *Bank) DeleteAccount(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.accounts[name]; !ok {
		return unknown()
	}
	delete(b.accounts, name)
	return nil
}

// Deposit adds amount to name's account.
func (b *Bank) Deposit(name string, amount float64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.accounts[name]; !ok {
		return unknown()
	}
	b.accounts[name] += amount
	return nil
}

// Withdraw takes amount from name's account; at ABN, a ValueError if the
// balance does not cover it.
func (b *Bank) Withdraw(name string, amount float64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	balance, ok := b.accounts[name]
	if !ok {
		return unknown()
	}
	if b.restricted && amount > balance {
		return compat.ValueError("insufficent balance")
	}
	b.accounts[name] = balance - amount
	return nil
}

// Balance returns the balance of name's account.
func (b *Bank) Balance(name string) (float64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	balance, ok := b.accounts[name]
	if !ok {
		return 0, unknown()
	}
	return balance, nil
}

// AllAccounts returns every account's balance by owner.
func (b *Bank) AllAccounts() map[string]float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	all := make(map[string]float64, len(b.accounts))
	for name, balance := range b.accounts {
		all[name] = balance
	}
	return all
}

func main() {
	ctx, stop := serve.Context()
	defer stop()
	d := serve.Daemon(serve.Options{})
	ns := serve.NameServer()
	banks := []struct {
		name string
		bank *Bank
	}{
		{"example.banks.rabobank", newBank("Rabobank", false)},
		{"example.banks.abn", newBank("ABN bank", true)},
	}
	var names []string
	for _, b := range banks {
		serve.Register(ctx, ns, b.name, serve.Connect(ctx, d, b.bank, serve.NewID()).String())
		names = append(names, b.name)
	}
	ns.Close()
	// server.py prints the name server's listing of example.banks., which
	// on a name server of their own is the names in this order.
	fmt.Println("available banks:")
	fmt.Println(serve.StrList(names))
	serve.Run(ctx, d, "Banks are ready for customers.")
}
