// Command server is the Go counterpart of Pyro's "Bank2" example server:
// two banks, "Rabobank" and "VSB" in the Name Server group ":banks", that
// create account objects on the server and hand out proxies for them. The
// example's interactive Python client reads bank and account fields as
// remote attributes (bank.name, account.balance) through
// DynamicProxyWithAttrs.
//
// Accounts are transient objects: one not used for 20 seconds is reaped by
// the daemon and removed from its bank.
//
// The Name Server is found with PYRO_NS_HOSTNAME and PYRO_NS_PORT.
package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/examples/internal/example"
	"github.com/gopyro/gopyro/ns"
)

const (
	group      = ":banks"
	cleanupAge = 20 * time.Second
)

// bankError raises banks.BankError in the Python client.
func bankError(msg string) error { return compat.NewException("banks", "BankError", msg) }

// Account is a remote object whose exported fields are remote attributes
// ("name", "balance"); restricted accounts cannot be overdrawn.
type Account struct {
	Name    string
	Balance float64

	restricted bool
	bank       *Bank
}

// Lock and Unlock make Account a sync.Locker guarded by its bank's mutex:
// the daemon holds it while a client reads or sets a field
// (account.balance), as Deposit and Withdraw do.
func (a *Account) Lock()   { a.bank.mu.Lock() }
func (a *Account) Unlock() { a.bank.mu.Unlock() }

// Deposit adds money.
func (a *Account) Deposit(amount float64) {
	a.Lock()
	defer a.Unlock()
	a.Balance += amount
}

// Withdraw takes money.
func (a *Account) Withdraw(amount float64) error {
	a.Lock()
	defer a.Unlock()
	if a.restricted && amount > a.Balance {
		return bankError("insufficent balance") // sic, as the Python example
	}
	a.Balance -= amount
	return nil
}

// Reaped is called by the daemon when it disconnected the unused account.
func (a *Account) Reaped() {
	a.Lock()
	defer a.Unlock()
	fmt.Println("Account reaped, sorry your cash is lost:", a.Name, a.Balance)
	delete(a.bank.accounts, a.Name)
	fmt.Println("Bank removed reaped account", a.Name)
}

// PyroNames hides Reaped from remote callers.
func (*Account) PyroNames() map[string]string { return map[string]string{"Reaped": "-"} }

// Bank is a remote object with one remote attribute, "name".
type Bank struct {
	Name string

	restricted bool
	daemon     *core.Daemon
	mu         sync.Mutex
	accounts   map[string]*Account
}

// PyroNames keeps the Python example's camelCase method names.
func (*Bank) PyroNames() map[string]string {
	return map[string]string{
		"CreateAccount": "createAccount",
		"DeleteAccount": "deleteAccount",
		"FindAccount":   "findAccount",
		"AllAccounts":   "allAccounts",
	}
}

// CreateAccount opens an account, connects it to the daemon as a transient
// object and returns a proxy (with attribute access) for it.
func (b *Bank) CreateAccount(name string) (*core.Proxy, error) {
	b.mu.Lock()
	if _, ok := b.accounts[name]; ok {
		b.mu.Unlock()
		return nil, bankError("Account already exists")
	}
	acc := &Account{Name: name, restricted: b.restricted, bank: b}
	b.accounts[name] = acc
	b.mu.Unlock()
	fmt.Println("created account", name)
	return b.proxy(acc)
}

// DeleteAccount disconnects an account and forgets it.
func (b *Bank) DeleteAccount(name string) error {
	b.mu.Lock()
	acc, ok := b.accounts[name]
	delete(b.accounts, name)
	b.mu.Unlock()
	if !ok {
		return bankError("unknown account")
	}
	return b.daemon.Disconnect(acc)
}

// FindAccount returns a proxy for an account.
func (b *Bank) FindAccount(name string) (*core.Proxy, error) {
	b.mu.Lock()
	acc, ok := b.accounts[name]
	b.mu.Unlock()
	if !ok {
		return nil, bankError("unknown account")
	}
	return b.proxy(acc)
}

// AllAccounts returns proxies for all accounts, ordered by name.
func (b *Bank) AllAccounts() ([]*core.Proxy, error) {
	b.mu.Lock()
	accs := make([]*Account, 0, len(b.accounts))
	for _, a := range b.accounts {
		accs = append(accs, a)
	}
	b.mu.Unlock()
	sort.Slice(accs, func(i, j int) bool { return accs[i].Name < accs[j].Name })
	proxies := make([]*core.Proxy, len(accs))
	for i, a := range accs {
		p, err := b.proxy(a)
		if err != nil {
			return nil, err
		}
		proxies[i] = p
	}
	return proxies, nil
}

// proxy returns an attribute-capable proxy for acc, connecting it first if
// needed (Pyro's getAttrProxy).
func (b *Bank) proxy(acc *Account) (*core.Proxy, error) {
	return b.daemon.ProxyFor(acc, core.WithAttrs())
}

func main() {
	ctx := context.Background()
	fmt.Println("Searching Naming Service...")
	nameServer := example.NameServer(ctx, ns.LocateOptions{}, group)
	d := example.Daemon(core.DaemonOptions{
		Registrar:            nameServer,
		UnregisterOnShutdown: true,
		TransientsCleanupAge: cleanupAge,
	})
	fmt.Println(">>>The maximum account inactivity age is", int(cleanupAge.Seconds()), "seconds<<<")
	banks := map[string]*Bank{
		"Rabobank": {Name: "Rabobank", daemon: d, accounts: map[string]*Account{}},
		"VSB":      {Name: "VSB bank", restricted: true, daemon: d, accounts: map[string]*Account{}},
	}
	for name, bank := range banks {
		example.ConnectFresh(ctx, nameServer, d, bank, group+"."+name)
	}
	example.Serve(ctx, d, "Banks are ready for customers.")
}
