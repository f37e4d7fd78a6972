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
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"log"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

type issuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func main() {
	dir := flag.String("dir", ".", "output directory")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	now := time.Now()
	cas := map[string]issuer{}
	for i, name := range []string{"ca", "wrongca"} {
		key := mustKey()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i + 1)), Subject: pkix.Name{CommonName: "gopyro interop " + name, Organization: []string{"gopyro"}},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(7 * 24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			log.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			log.Fatal(err)
		}
		cas[name] = issuer{cert, key}
		write(*dir, name+".pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	}
	specs := []struct {
		file, ca, cn    string
		server, expired bool
	}{
		{"server", "ca", "localhost", true, false},
		{"client", "ca", "client", false, false},
		{"expiredclient", "ca", "client", false, true},
		{"expiredserver", "ca", "localhost", true, true},
		{"wrongclient", "wrongca", "client", false, false},
		{"wrongserver", "wrongca", "localhost", true, false},
	}
	for i, s := range specs {
		key := mustKey()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(100 + i)), Subject: pkix.Name{CommonName: s.cn, Organization: []string{"gopyro"}},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(7 * 24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		if s.server {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
			tmpl.DNSNames = []string{"localhost"}
			tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		}
		if s.expired {
			tmpl.NotBefore, tmpl.NotAfter = now.Add(-48*time.Hour), now.Add(-24*time.Hour)
		}
		ca := cas[s.ca]
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
		if err != nil {
			log.Fatal(err)
		}
		kder, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			log.Fatal(err)
		}
		data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		data = append(data, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})...)
		write(*dir, s.file+".pem", data)
	}
}

func mustKey() *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	return key
}

func write(dir, name string, data []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		log.Fatal(err)
	}
}
