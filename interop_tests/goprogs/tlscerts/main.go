// Command tlscerts writes a throw-away PKI for the PYROSSL interop tests
// (interop_tests/test_tls.py) into a directory: a CA (ca.pem) and a second,
// untrusted one (wrongca.pem), and PEM files holding certificate and private
// key together (Pyro's PYROSSL_CERT without PYROSSL_KEY):
//
//	server.pem         CN=localhost, SAN localhost and 127.0.0.1, signed by ca
//	client.pem         CN=client, signed by ca
//	expiredclient.pem  like client.pem, expired yesterday
//	expiredserver.pem  like server.pem, expired yesterday
//	wrongclient.pem    CN=client, signed by wrongca
//	wrongserver.pem    like server.pem, signed by wrongca
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/gopyro/gopyro/internal/testpki"
)

func main() {
	dir := flag.String("dir", ".", "output directory")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	pems, err := testpki.Make([]string{"ca", "wrongca"}, []testpki.Cert{
		{Name: "server", CA: "ca", CN: "localhost", Server: true},
		{Name: "client", CA: "ca", CN: "client"},
		{Name: "expiredclient", CA: "ca", CN: "client", Expired: true},
		{Name: "expiredserver", CA: "ca", CN: "localhost", Server: true, Expired: true},
		{Name: "wrongclient", CA: "wrongca", CN: "client"},
		{Name: "wrongserver", CA: "wrongca", CN: "localhost", Server: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	for name, c := range pems {
		data := c.CertKey()
		if name == "ca" || name == "wrongca" {
			data = c.Cert
		}
		if err := os.WriteFile(filepath.Join(*dir, name+".pem"), data, 0o600); err != nil {
			log.Fatal(err)
		}
	}
}
