package core

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/protocol"
)

// Protocol is one generation of Pyro's wire protocol as a Daemon serves it
// and a Proxy dials it. It owns everything that differs between
// generations: the framing and the handshake (with its validator), the
// serializer, the exceptions errors become and when a connection closes
// (through its codecs), its internal daemon object and its URI schemes. The
// daemon's dispatch (find the object, bind the arguments, call, answer with
// the result or the error) goes through it and knows none of these.
//
// Pyro 3 (PYRO protocol version 5, pickle) is built in: a Daemon serves it
// unless DaemonOptions.Protocol says otherwise, and proxies dial it for
// PYRO://, PYROSSL://, PYROLOC:// and PYROLOCSSL:// URIs. RegisterProtocol
// adds schemes for proxies.
type Protocol interface {
	// Schemes returns the URI schemes the protocol dials.
	Schemes() []string
	// URI returns the URI of the object id on a daemon that serves this
	// protocol and is published as host:port.
	URI(host string, port int, id string) compat.URI
	// Accept runs the server side of the handshake on a new connection
	// and returns the codec of the connection once it is granted; a must
	// grant it (Admission.Grant) before it is served. The caller closes nc
	// when Accept fails.
	Accept(ctx context.Context, nc net.Conn, a *Admission) (ServerCodec, error)
	// Dial connects to the daemon of uri and runs the client side of the
	// handshake. It returns the codec and the URI the calls go to: uri
	// itself, or the object uri named once the protocol has resolved it
	// (Pyro 3's PYROLOC). Failures of the connection are *CommError values.
	Dial(ctx context.Context, uri compat.URI, s DialSettings) (ClientCodec, compat.URI, error)
	// DaemonObject returns the protocol's internal daemon object for d
	// (Pyro 3's DaemonServant), which d serves under id and lists under
	// name in Registered; nil obj means the protocol has none.
	DaemonObject(d *Daemon) (id, name string, obj any)
}

// Admission is what a Daemon tells a Protocol's Accept about a new
// connection, and how Accept asks the daemon to grant it. Only a Daemon
// makes them.
type Admission struct {
	// Connections is the number of connections the daemon has granted,
	// this one included.
	Connections int
	// OverHost is set when the connection's host has more connections
	// than MaxConnectionsPerHost: the protocol refuses it (as "server too
	// busy") at its first opportunity.
	OverHost bool

	d       *Daemon
	granted bool
}

// Grant counts the connection as granted, unless that would reach the
// daemon's connection limit: false means the protocol refuses it as too
// busy. Only granted connections count against the limit.
func (a *Admission) Grant() bool {
	d := a.d
	for {
		n := d.granted.Load()
		if d.maxGranted > 0 && n+1 >= int64(d.maxGranted) {
			return false
		}
		if d.granted.CompareAndSwap(n, n+1) {
			a.granted = true
			return true
		}
	}
}

// DialSettings are a Proxy's settings that a Protocol's Dial applies as its
// protocol has them.
type DialSettings struct {
	// Options are the framing options (WithConnOptions).
	Options protocol.Options
	// Validator makes the handshake's token (WithValidator); never nil.
	Validator protocol.ClientValidator
	// Ident is the munged identification (WithIdentification), nil for
	// none.
	Ident []byte
	// TLS is the TLS configuration of TLS schemes (WithTLS); nil means the
	// protocol builds it from the process configuration.
	TLS *tls.Config
	// Serializer is the serializer a protocol with a choice of them uses
	// (WithSerializer: Pyro 5's serpent, json, marshal or msgpack); ""
	// means the protocol's default.
	Serializer string
	// HMACKey is the HMAC key of Pyro 4 connections (WithHMACKey); nil
	// for none.
	HMACKey []byte
}

// protocols maps URI schemes, in each URI syntax, to the Protocol that
// proxies dial them with.
var protocols = struct {
	sync.RWMutex
	m map[schemeKey]Protocol
}{m: map[schemeKey]Protocol{}}

type schemeKey struct {
	style  compat.URIStyle
	scheme string
}

func init() {
	RegisterProtocol(newPyro3(pyro3Config{}))
	RegisterProtocol(&pyro5{})
}

// URIStyler is implemented by a Protocol whose URIs are not written in
// Pyro 3's syntax: Pyro 5 dials PYRO:id@host:port, not PYRO://host:port/id.
type URIStyler interface {
	URIStyle() compat.URIStyle
}

// RegisterProtocol makes proxies dial URIs of p's schemes (in p's URI
// syntax) with p, in place of the protocol registered for them before.
func RegisterProtocol(p Protocol) {
	protocols.Lock()
	defer protocols.Unlock()
	var style compat.URIStyle
	if st, ok := p.(URIStyler); ok {
		style = st.URIStyle()
	}
	for _, s := range p.Schemes() {
		protocols.m[schemeKey{style, s}] = p
	}
}

// protocolFor returns the Protocol registered for the scheme of uri.
func protocolFor(uri compat.URI) (Protocol, error) {
	protocols.RLock()
	p, ok := protocols.m[schemeKey{uri.Style, uri.Protocol}]
	protocols.RUnlock()
	if !ok {
		return nil, fmt.Errorf("core: no protocol dials %s URIs (%s)", uri.Protocol, uri)
	}
	return p, nil
}
