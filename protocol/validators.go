package protocol

import (
	"bytes"
	"crypto/md5"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// HostValidator puts a host check in front of another Validator, like
// Pyro's denyhosts example: AcceptHost refuses with DenyHostBlocked
// ("host blocked") when the check rejects the client's address, and asks the
// wrapped Validator (connection limit, ...) otherwise. Every other method is
// the wrapped Validator's. Build one with DenyHosts, AllowHosts or
// CheckHosts; the zero value is not usable.
type HostValidator struct {
	Validator
	accept func(info ConnInfo) bool
}

// AcceptHost refuses blocked hosts with DenyHostBlocked, then asks the
// wrapped Validator.
func (v *HostValidator) AcceptHost(info ConnInfo) (bool, DenyReason) {
	if !v.accept(info) {
		return false, DenyHostBlocked
	}
	return v.Validator.AcceptHost(info)
}

// CheckHosts returns a HostValidator that asks accept about every new
// connection; next nil means a DefaultValidator.
func CheckHosts(next Validator, accept func(info ConnInfo) bool) *HostValidator {
	if next == nil {
		next = &DefaultValidator{}
	}
	return &HostValidator{Validator: next, accept: accept}
}

// DenyHosts returns a HostValidator refusing clients whose IP address is one
// of hosts, given as IP addresses ("10.0.0.7", "::1") or CIDR prefixes
// ("192.168.0.0/16"). IPv4-mapped IPv6 addresses count as IPv4.
func DenyHosts(next Validator, hosts ...string) (*HostValidator, error) {
	set, err := parseHosts(hosts)
	if err != nil {
		return nil, err
	}
	return CheckHosts(next, func(info ConnInfo) bool { return !set.contains(info.RemoteAddr) }), nil
}

// AllowHosts returns a HostValidator accepting only clients whose IP address
// is one of hosts (IP addresses or CIDR prefixes, as for DenyHosts).
func AllowHosts(next Validator, hosts ...string) (*HostValidator, error) {
	set, err := parseHosts(hosts)
	if err != nil {
		return nil, err
	}
	return CheckHosts(next, func(info ConnInfo) bool { return set.contains(info.RemoteAddr) }), nil
}

type hostSet []netip.Prefix

func parseHosts(hosts []string) (hostSet, error) {
	set := make(hostSet, 0, len(hosts))
	for _, h := range hosts {
		if strings.Contains(h, "/") {
			p, err := netip.ParsePrefix(h)
			if err != nil {
				return nil, fmt.Errorf("protocol: host pattern %q: %w", h, err)
			}
			if p.Addr().Is4In6() {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			set = append(set, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(h)
		if err != nil {
			return nil, fmt.Errorf("protocol: host pattern %q: want an IP address or a CIDR prefix: %w", h, err)
		}
		a = a.Unmap()
		set = append(set, netip.PrefixFrom(a, a.BitLen()))
	}
	return set, nil
}

func (s hostSet) contains(addr net.Addr) bool {
	ip, ok := addrIP(addr)
	if !ok {
		return false
	}
	for _, p := range s {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// addrIP extracts the IP address of a TCP (or other ip:port) address.
func addrIP(addr net.Addr) (netip.Addr, bool) {
	switch a := addr.(type) {
	case nil:
		return netip.Addr{}, false
	case *net.TCPAddr:
		ip, ok := netip.AddrFromSlice(a.IP)
		return ip.Unmap(), ok
	}
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), true
}

// LoginValidator checks a login name and password, the custom identification
// of Pyro's user_passwd_auth example, on both sides of the handshake:
//
//   - The client's identification is "login:password"; MungeIdent keeps
//     login + ":" + MD5(password), so the password itself is never stored.
//   - The token is login + ":" + HMAC-MD5(key=challenge, msg=MD5(password)).
//   - The server splits the token at the first ':' and accepts when the
//     login is known and the HMAC matches; otherwise it refuses with
//     DenySecurity.
//
// This is byte for byte what the example's UserLoginConnValidator sends and
// checks, so an unmodified Python client is accepted by a Go server using a
// LoginValidator, and a Go client using one is accepted by the Python
// server. Logins cannot contain ':'. A core.Proxy uses it with
// core.WithValidator(v) and core.WithIdentification("login:password").
//
// On the server, the login a connection authenticated with is recorded under
// the client's address until TakeLogin claims it; a daemon hands it to its
// objects from its per-connection initialisation hook (core's
// DaemonOptions.InitConn). Unclaimed records are dropped after a minute.
// AcceptHost and CreateChallenge are those of the embedded DefaultValidator.
type LoginValidator struct {
	DefaultValidator

	mu     sync.Mutex
	users  map[string][]byte // login → MD5(password)
	logins map[string]loginRecord
}

type loginRecord struct {
	login string
	at    time.Time
}

// loginRecordTTL is how long an unclaimed login record is kept.
const loginRecordTTL = time.Minute

// NewLoginValidator returns a LoginValidator without users (a client
// validator needs none).
func NewLoginValidator() *LoginValidator {
	return &LoginValidator{users: map[string][]byte{}, logins: map[string]loginRecord{}}
}

// AddUser allows login with password.
func (v *LoginValidator) AddUser(login, password string) error {
	sum := md5.Sum([]byte(password))
	return v.addUser(login, sum[:])
}

// AddUserHash allows login with the password whose MD5 digest, as 32 hex
// digits, is md5hex (the form the Python example keeps its users in).
func (v *LoginValidator) AddUserHash(login, md5hex string) error {
	sum, err := hex.DecodeString(md5hex)
	if err != nil || len(sum) != md5.Size {
		return fmt.Errorf("protocol: password hash of %q: want 32 hex digits", login)
	}
	return v.addUser(login, sum)
}

func (v *LoginValidator) addUser(login string, sum []byte) error {
	if login == "" || strings.Contains(login, ":") {
		return fmt.Errorf("protocol: login %q: must be non-empty and contain no ':'", login)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.users == nil {
		v.users = map[string][]byte{}
	}
	v.users[login] = sum
	return nil
}

// MungeIdent turns "login:password" into login + ":" + MD5(password). An
// identification without ':' is taken as a login with an empty password.
func (v *LoginValidator) MungeIdent(ident string) []byte {
	login, password, _ := strings.Cut(ident, ":")
	sum := md5.Sum([]byte(password))
	return append([]byte(login+":"), sum[:]...)
}

// CreateToken returns login + ":" + HMAC-MD5(challenge, MD5(password)) for
// an identification made by MungeIdent.
func (v *LoginValidator) CreateToken(challenge, ident []byte) ([]byte, error) {
	login, hashed, ok := bytes.Cut(ident, []byte{':'})
	if !ok {
		return nil, fmt.Errorf("protocol: LoginValidator needs a \"login:password\" identification")
	}
	token := make([]byte, 0, len(login)+1+md5.Size)
	token = append(append(token, login...), ':')
	return append(token, hmacMD5(challenge, hashed)...), nil
}

// AcceptIdentification checks a login token and records the login for
// TakeLogin.
func (v *LoginValidator) AcceptIdentification(info ConnInfo, challenge, token []byte) (bool, DenyReason) {
	login, mac, ok := bytes.Cut(token, []byte{':'})
	if !ok {
		return false, DenySecurity
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	sum, known := v.users[string(login)]
	if !known || subtle.ConstantTimeCompare(hmacMD5(challenge, sum), mac) != 1 {
		return false, DenySecurity
	}
	if info.RemoteAddr != nil {
		now := time.Now()
		for k, r := range v.logins {
			if now.Sub(r.at) > loginRecordTTL {
				delete(v.logins, k)
			}
		}
		if v.logins == nil {
			v.logins = map[string]loginRecord{}
		}
		v.logins[info.RemoteAddr.String()] = loginRecord{login: string(login), at: now}
	}
	return true, DenyUnspecified
}

// TakeLogin returns the login the connection from addr authenticated with
// and forgets it.
func (v *LoginValidator) TakeLogin(addr net.Addr) (string, bool) {
	if addr == nil {
		return "", false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	r, ok := v.logins[addr.String()]
	delete(v.logins, addr.String())
	return r.login, ok
}

// SSLValidator is Pyro's BasicSSLValidator, the default validator of a
// PYROSSL daemon: after the DefaultValidator's connection limit it refuses,
// with DenySecurity, a client that presented no certificate (or that did not
// come over TLS at all) and, when CheckCertificate is set, one whose
// certificate it rejects (Pyro's checkCertificate hook). The certificate
// chain itself is verified by the TLS layer (see TLSSettings).
type SSLValidator struct {
	DefaultValidator
	// CheckCertificate, if set, is given the client's certificate; an error
	// refuses the connection with DenySecurity.
	CheckCertificate func(cert *x509.Certificate) error
}

// AcceptHost applies the connection limit, then the certificate checks.
func (v *SSLValidator) AcceptHost(info ConnInfo) (bool, DenyReason) {
	if ok, reason := v.DefaultValidator.AcceptHost(info); !ok {
		return ok, reason
	}
	if info.TLS == nil || len(info.TLS.PeerCertificates) == 0 {
		return false, DenySecurity
	}
	if v.CheckCertificate != nil && v.CheckCertificate(info.TLS.PeerCertificates[0]) != nil {
		return false, DenySecurity
	}
	return true, DenyUnspecified
}
