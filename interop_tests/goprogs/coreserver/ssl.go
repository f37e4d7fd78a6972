package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/protocol"
	"github.com/gopyro/gopyro/pyrolog"
)

// SSLObj is the object of Pyro's ssl example (examples/ssl/server.py).
type SSLObj struct{}

// PyroNames keeps the example's method name.
func (SSLObj) PyroNames() map[string]string {
	return map[string]string{"PassSecretMessage": "passSecretMessage"}
}

// PassSecretMessage prints the message and returns the example's reply.
func (SSLObj) PassSecretMessage(msg string) string {
	fmt.Println("I got a secret message: ", msg)
	return "Elvis Presley isn't dead, he just went home"
}

// sslOptions makes opts a PYROSSL daemon configured by the PYROSSL_* items,
// whose validator prints the client certificate as the example's
// printCertValidator does, and which logs refused TLS handshakes to stderr.
func sslOptions(opts *core.DaemonOptions) error {
	tlsCfg, err := protocol.TLSSettingsFromConfig(config.Current()).ServerConfig()
	if err != nil {
		return err
	}
	opts.TLS = tlsCfg
	v := &protocol.SSLValidator{CheckCertificate: func(c *x509.Certificate) error {
		fmt.Printf("Cert issuer: %s\nCert subject: %s\n", c.Issuer, c.Subject)
		return nil
	}}
	v.MaxConnections = opts.MaxConnections
	opts.Validator = v
	opts.Logger = slog.New(pyrolog.NewHandler(os.Stderr, nil)).With(pyrolog.Source("Daemon"))
	return nil
}

// callSSL is the ssl example's client on a core.Proxy: it sends the secret
// message to uri (PYROSSL, PYROLOCSSL or PYRONAME) with the PYROSSL_* items
// of the configuration, and prints the reply, or "ERROR <Pyro error class>:
// <text>" and the Go error on stderr.
func callSSL(uri string, timeout time.Duration) int {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	p, err := core.NewProxy(uri)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer p.Close()
	message := "Irmen de Jong is a space alien"
	fmt.Println("Sending secret message (" + message + ")...")
	res, err := core.CallAs[string](ctx, p, "passSecretMessage", message)
	if err != nil {
		exc := err
		var ce *core.CommError
		if errors.As(err, &ce) {
			exc = ce.Exc
		}
		var ex *compat.Exception
		if errors.As(exc, &ex) {
			fmt.Printf("ERROR %s\n", ex.Error()) // "Class: text"
		}
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("I got a secret reply: ", res)
	fmt.Println("bound to", p.URI().Protocol)
	return 0
}
