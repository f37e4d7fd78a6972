package ns

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/gopyro/gopyro/protocol"
)

// hostValidator is the connection validator of a Name Server started with
// allowed or denied hosts: Pyro's DefaultConnValidator (connection limit,
// identification) that also refuses hosts by address, with Pyro's
// DENIED2 ("host blocked").
type hostValidator struct {
	*protocol.DefaultValidator
	allow, deny []netip.Prefix
}

func parsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("ns: host %q: %w", s, err)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("ns: host prefix %q: %w", s, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func newHostValidator(allow, deny, idents []string) (*hostValidator, error) {
	a, err := parsePrefixes(allow)
	if err != nil {
		return nil, err
	}
	d, err := parsePrefixes(deny)
	if err != nil {
		return nil, err
	}
	v := &hostValidator{DefaultValidator: &protocol.DefaultValidator{}, allow: a, deny: d}
	if idents != nil {
		v.SetAllowedIdentifications(idents)
	}
	return v, nil
}

// allowed reports whether addr passes the allow and deny lists.
func (v *hostValidator) allowed(addr net.Addr) bool {
	var ip netip.Addr
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	case *net.UDPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	default:
		return false
	}
	ip = ip.Unmap()
	for _, p := range v.deny {
		if p.Contains(ip) {
			return false
		}
	}
	if len(v.allow) == 0 {
		return true
	}
	for _, p := range v.allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// AcceptHost refuses blocked hosts, then applies the connection limit.
func (v *hostValidator) AcceptHost(info protocol.ConnInfo) (bool, protocol.DenyReason) {
	if !v.allowed(info.RemoteAddr) {
		return false, protocol.DenyHostBlocked
	}
	return v.DefaultValidator.AcceptHost(info)
}
