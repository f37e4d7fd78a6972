// Command server is the Go counterpart of Pyro's "BankExample" server
// (BankServer.py): two banks, "Rabobank" and "VSB", registered in the Name
// Server group ":banks1". Rabobank lets accounts go negative, VSB does not.
// Failures are raised as the example's own exception class banks.BankError,
// so the unmodified Python client catches them.
//
// Like the Python server it listens on PYRO_PORT+1; the Name Server is
// found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/internal/example"
	"github.com/gopyro/gopyro/ns"
)

const group = ":banks1"

// bankError raises banks.BankError in the Python client.
func bankError(msg string) error { return compat.NewException("banks", "BankError", msg) }

// account holds a balance; restricted accounts cannot be overdrawn.
type account struct {
	balance    float64
	restricted bool
}

func (a *account) withdraw(amount float64) error {
	if a.restricted && amount > a.balance {
		return bankError("insufficent balance") // sic, as the Python example
	}
	a.balance -= amount
	return nil
}

// Bank is the remote object. Its exported methods are called by their
// Python-style names: createAccount, deleteAccount, allAccounts, ...
type Bank struct {
	name       string
	restricted bool // accounts of this bank cannot be overdrawn

	mu       sync.Mutex // calls arrive concurrently, one goroutine per connection
	accounts map[string]*account
}

// PyroNames keeps the Python example's camelCase method names.
func (*Bank) PyroNames() map[string]string {
	return map[string]string{
		"CreateAccount": "createAccount",
		"DeleteAccount": "deleteAccount",
		"AllAccounts":   "allAccounts",
	}
}

// Name returns the bank's name.
func (b *Bank) Name() string { return b.name }

// CreateAccount opens an account with balance 0.
func (b *Bank) CreateAccount(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.accounts[name]; ok {
		return bankError("Account already exists")
	}
	b.accounts[name] = &account{restricted: b.restricted}
	return nil
}

// DeleteAccount closes an account.
func (b *Bank) DeleteAccount(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.accounts[name]; !ok {
		return bankError("unknown account")
	}
	delete(b.accounts, name)
	return nil
}

// Deposit adds money to an account.
func (b *Bank) Deposit(name string, amount float64) error {
	return b.with(name, func(a *account) error { a.balance += amount; return nil })
}

// Withdraw takes money from an account.
func (b *Bank) Withdraw(name string, amount float64) error {
	return b.with(name, func(a *account) error { return a.withdraw(amount) })
}

// Balance returns an account's balance.
func (b *Bank) Balance(name string) (float64, error) {
	var bal float64
	err := b.with(name, func(a *account) error { bal = a.balance; return nil })
	return bal, err
}

// AllAccounts returns every account's balance by account name.
func (b *Bank) AllAccounts() map[string]float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	all := make(map[string]float64, len(b.accounts))
	for name, a := range b.accounts {
		all[name] = a.balance
	}
	return all
}

func (b *Bank) with(name string, f func(*account) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	a, ok := b.accounts[name]
	if !ok {
		return bankError("unknown account")
	}
	return f(a)
}

func main() {
	ctx := context.Background()
	fmt.Println("Searching Naming Service...")
	nameServer := example.NameServer(ctx, ns.LocateOptions{}, group)
	// One port above PYRO_PORT, as the Python server does.
	d := example.Daemon(core.DaemonOptions{Port: config.Current().Port + 1, Registrar: nameServer, UnregisterOnShutdown: true})
	banks := []*Bank{
		{name: "Rabobank", accounts: map[string]*account{}},
		{name: "VSB bank", restricted: true, accounts: map[string]*account{}},
	}
	for i, name := range []string{"Rabobank", "VSB"} {
		example.ConnectFresh(ctx, nameServer, d, banks[i], group+"."+name)
	}
	example.Serve(ctx, d, "Banks are ready for customers.")
}
