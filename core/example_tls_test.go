package core_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/protocol"
)

// A PYROSSL daemon configured like Pyro's: certificates from PYROSSL_CERTDIR,
// PYROSSL_CA_CERT, PYROSSL_CERT and PYROSSL_KEY.
func ExampleDaemonOptions_tLS() {
	tlsCfg, err := protocol.TLSSettingsFromConfig(config.Current()).ServerConfig()
	if err != nil {
		log.Fatal(err) // e.g. PYROSSL_CERT: open .../certs/host.pem: no such file or directory
	}
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", TLS: tlsCfg})
	if err != nil {
		log.Fatal(err)
	}
	uri, err := d.Connect(&Bank{accounts: map[string]float64{}}, "bank")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(uri.Protocol) // PYROSSL
	go d.Serve(context.Background())
}

// A proxy for a PYROSSL object with an explicit TLS configuration; without
// WithTLS it would take the PYROSSL_* items when it connects.
func ExampleWithTLS() {
	tlsCfg, err := protocol.TLSSettings{
		CertDir: "/etc/pyro/certs", CACert: "ca.pem", Cert: "client.pem", PostConnCheck: true,
	}.ClientConfig("")
	if err != nil {
		log.Fatal(err)
	}
	p, err := core.NewProxy("PYROLOCSSL://127.0.0.1:7766/bank", core.WithTLS(tlsCfg))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	balance, err := core.CallAs[float64](context.Background(), p, "balance", "alice")
	fmt.Println(balance, err)
}
