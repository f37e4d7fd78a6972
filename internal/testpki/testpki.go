// Package testpki makes throw-away certificate authorities and
// certificates for the PYROSSL tests (protocol's, core's and the interop
// suite's): ECDSA P-256 keys; self-signed CAs; server certificates (SAN
// localhost and 127.0.0.1, server auth) and client certificates (client
// auth), all with organization "gopyro", valid from an hour ago for a
// week, or expired yesterday.
package testpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Cert describes one certificate to make.
type Cert struct {
	Name    string // its name in Make's result
	CA      string // the CA that signs it, one of Make's cas
	CN      string // its subject's common name
	Server  bool   // a server's certificate, else a client's
	Expired bool   // expired yesterday
}

// PEM is a certificate and its private key, each PEM-encoded.
type PEM struct {
	Cert, Key []byte
}

// CertKey is the certificate followed by its key, one file holding both
// (PYROSSL_CERT without PYROSSL_KEY).
func (p PEM) CertKey() []byte { return append(append([]byte{}, p.Cert...), p.Key...) }

// Make makes a self-signed CA, with common name "gopyro test <name>", for
// each of cas and then the certificates, and returns them all by name.
func Make(cas []string, certs []Cert) (map[string]PEM, error) {
	now := time.Now()
	out := make(map[string]PEM, len(cas)+len(certs))
	type issuer struct {
		cert *x509.Certificate
		key  *ecdsa.PrivateKey
	}
	issuers := make(map[string]issuer, len(cas))
	serial := int64(0)
	issue := func(tmpl *x509.Certificate, signer *issuer) (PEM, *x509.Certificate, *ecdsa.PrivateKey, error) {
		serial++
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.Subject.Organization = []string{"gopyro"}
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return PEM{}, nil, nil, err
		}
		parent, parentKey := tmpl, key
		if signer != nil {
			parent, parentKey = signer.cert, signer.key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
		if err != nil {
			return PEM{}, nil, nil, err
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return PEM{}, nil, nil, err
		}
		kder, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return PEM{}, nil, nil, err
		}
		return PEM{
			Cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			Key:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}),
		}, cert, key, nil
	}
	for _, name := range cas {
		p, cert, key, err := issue(&x509.Certificate{
			Subject:   pkix.Name{CommonName: "gopyro test " + name},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(7 * 24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}, nil)
		if err != nil {
			return nil, fmt.Errorf("testpki: CA %s: %w", name, err)
		}
		out[name], issuers[name] = p, issuer{cert, key}
	}
	for _, c := range certs {
		signer, ok := issuers[c.CA]
		if !ok {
			return nil, fmt.Errorf("testpki: certificate %s: no CA %q", c.Name, c.CA)
		}
		tmpl := &x509.Certificate{
			Subject:   pkix.Name{CommonName: c.CN},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(7 * 24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		if c.Server {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
			tmpl.DNSNames = []string{"localhost"}
			tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		}
		if c.Expired {
			tmpl.NotBefore, tmpl.NotAfter = now.Add(-48*time.Hour), now.Add(-24*time.Hour)
		}
		p, _, _, err := issue(tmpl, &signer)
		if err != nil {
			return nil, fmt.Errorf("testpki: certificate %s: %w", c.Name, err)
		}
		out[c.Name] = p
	}
	return out, nil
}
