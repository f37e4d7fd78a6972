package testpki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"testing"
)

func TestMake(t *testing.T) {
	pems, err := Make([]string{"ca", "other"}, []Cert{
		{Name: "server", CA: "ca", CN: "localhost", Server: true},
		{Name: "client", CA: "ca", CN: "client"},
		{Name: "old", CA: "ca", CN: "client", Expired: true},
		{Name: "stranger", CA: "other", CN: "client"},
	})
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pems["ca"].Cert) {
		t.Fatal("CA certificate does not parse")
	}
	tests := []struct {
		name, server string
		usage        x509.ExtKeyUsage
		wantErr      bool
		wantExpired  bool
	}{
		{name: "server", server: "localhost", usage: x509.ExtKeyUsageServerAuth},
		{name: "client", usage: x509.ExtKeyUsageClientAuth},
		{name: "old", usage: x509.ExtKeyUsageClientAuth, wantErr: true, wantExpired: true},
		{name: "stranger", usage: x509.ExtKeyUsageClientAuth, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pair, err := tls.X509KeyPair(pems[tt.name].CertKey(), pems[tt.name].Key)
			if err != nil {
				t.Fatal(err)
			}
			cert, err := x509.ParseCertificate(pair.Certificate[0])
			if err != nil {
				t.Fatal(err)
			}
			if got := cert.Subject.Organization; len(got) != 1 || got[0] != "gopyro" {
				t.Errorf("organization %v, want [gopyro]", got)
			}
			_, err = cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: tt.server, KeyUsages: []x509.ExtKeyUsage{tt.usage}})
			var inv x509.CertificateInvalidError
			if (err != nil) != tt.wantErr || errors.As(err, &inv) && inv.Reason == x509.Expired != tt.wantExpired {
				t.Errorf("Verify: %v, want error %v (expired %v)", err, tt.wantErr, tt.wantExpired)
			}
		})
	}
	if _, err := Make(nil, []Cert{{Name: "x", CA: "nope"}}); err == nil {
		t.Error("Make with an unknown CA: no error")
	}
}
