package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol"
)

// listen opens the PYROSSL listener of the ssl server on PYRO_HOST/PYRO_PORT
// (an ephemeral port when PYRO_PORT is 0).
func listen(cfg *tls.Config, helloTimeout time.Duration) (net.Listener, error) {
	c := config.Current()
	host := c.Host
	if host == "" {
		host = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(c.Port)))
	if err != nil {
		return nil, err
	}
	tl := protocol.NewTLSListener(ln, cfg)
	if helloTimeout > 0 {
		tl.HelloTimeout = helloTimeout
	}
	return tl, nil
}

// callSSL is the ssl example's client: it sends the secret message to the
// object named ":test.ssl" (or at uri) over PYROSSL, using the protocol
// package directly because core's proxies do not speak PYROSSL yet.
func callSSL(ctx context.Context, nsc *ns.Client, uri string) error {
	var u compat.URI
	var err error
	if uri != "" {
		u, err = compat.ParseURI(uri)
	} else {
		u, err = nsc.Resolve(ctx, ":test.ssl")
	}
	if err != nil {
		return err
	}
	if u.Protocol != "PYROSSL" && u.Protocol != "PYROLOCSSL" {
		return fmt.Errorf("%s is not a PYROSSL URI", u)
	}
	tlsCfg, err := protocol.TLSSettingsFromConfig(config.Current()).ClientConfig(u.Address)
	if err != nil {
		return err
	}
	tc, err := protocol.DialTLS(ctx, net.JoinHostPort(u.Address, strconv.Itoa(u.Port)), tlsCfg)
	if err != nil {
		return err
	}
	c := protocol.NewConn(tc, protocol.Options{IOTimeout: 10 * time.Second})
	defer c.Close()
	if err := protocol.ClientHandshake(ctx, c, nil, nil); err != nil {
		var denied *protocol.DeniedError
		if errors.As(err, &denied) {
			fmt.Println("ConnectionDeniedError occured:", denied.Error())
			return nil
		}
		return err
	}
	guid := u.ObjectID
	if u.Protocol == "PYROLOCSSL" {
		res, err := call(ctx, c, compat.InternalDaemonGUID, "ResolvePYROLOC", 0, pickle.Tuple{pickle.ByteString(u.ObjectID)})
		if err != nil {
			return err
		}
		guid = compat.Str(res)
	}
	message := "Irmen de Jong is a space alien"
	fmt.Println("Sending secret message (" + message + ")...")
	res, err := call(ctx, c, guid, "passSecretMessage", 3, pickle.Tuple{pickle.Tuple{pickle.ByteString(message)}, pickle.NewDict()})
	if err != nil {
		return err
	}
	fmt.Println("I got a secret reply: ", compat.Str(res))
	return nil
}

// call sends one request and returns its result or remote exception.
func call(ctx context.Context, c *protocol.Conn, guid, method string, flags int64, args pickle.Tuple) (any, error) {
	body, err := pickle.Marshal(pickle.Tuple{pickle.ByteString(guid), pickle.ByteString(method), flags, args})
	if err != nil {
		return nil, err
	}
	if err := c.WriteMessage(ctx, body); err != nil {
		return nil, err
	}
	reply, _, err := c.ReadMessage(ctx)
	if err != nil {
		return nil, err
	}
	v, err := pickle.Decode(reply)
	if err != nil {
		return nil, err
	}
	if capsule, ok := v.(*compat.Capsule); ok {
		return nil, capsule.Err()
	}
	return v, nil
}

// sslGUID is the object id of the ssl server's object.
const sslGUID = "c0a80001000000000000000000000551"

// serveSSL is the ssl example's server on a PYROSSL listener: Pyro's
// handshake with v, then requests for ResolvePYROLOC("ssl") and
// passSecretMessage. (It runs on package protocol because core's daemon
// cannot see a TLS connection through its read buffer yet; see
// coord/core-requests.md.) Handshake failures are printed as the daemon
// logs them.
func serveSSL(ctx context.Context, ln net.Listener, v protocol.Validator) error {
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		go func() {
			c := protocol.NewConn(nc, protocol.Options{IOTimeout: 30 * time.Second})
			defer c.Close()
			if err := protocol.ServerHandshake(ctx, c, v, protocol.ConnInfo{Connections: 1}); err != nil {
				fmt.Fprintf(os.Stderr, "handshake with %s failed: %v\n", nc.RemoteAddr(), err)
				return
			}
			for {
				body, _, err := c.ReadMessage(ctx)
				if err != nil {
					return
				}
				res, err := answerSSL(body)
				var reply []byte
				if err != nil {
					ex := core.ToException(err)
					reply, err = pickle.Marshal(&compat.Capsule{Exc: ex, Traceback: []string{ex.Error() + "\n"}})
				} else {
					reply, err = pickle.Marshal(res)
				}
				if err != nil || c.WriteMessage(ctx, reply) != nil {
					return
				}
			}
		}()
	}
}

func answerSSL(body []byte) (any, error) {
	v, err := pickle.Decode(body)
	if err != nil {
		return nil, err
	}
	req, ok := v.(pickle.Tuple)
	if !ok || len(req) != 4 {
		return nil, compat.NewProtocolError("invalid request data format")
	}
	guid, method := compat.Str(req[0]), compat.Str(req[1])
	args, _ := req[3].(pickle.Tuple)
	switch {
	case guid == compat.InternalDaemonGUID && method == "ResolvePYROLOC" && len(args) == 1:
		if compat.Str(args[0]) != "ssl" {
			return nil, compat.NewNamingError("no object found by this name", args[0])
		}
		return pickle.ByteString(sslGUID), nil
	case guid == sslGUID && method == "passSecretMessage" && len(args) == 2:
		pos, _ := args[0].(pickle.Tuple)
		if len(pos) != 1 {
			return nil, compat.TypeError("passSecretMessage() takes exactly 2 arguments")
		}
		return SSLObj{}.PassSecretMessage(pos[0]), nil
	}
	return nil, compat.AttributeError(method)
}

// runSSLServer serves the ssl example's object over PYROSSL with Pyro's
// BasicSSLValidator printing the client certificate, like the example's
// printCertValidator, and registers it as ":test.ssl".
func runSSLServer(ctx context.Context, nsc *ns.Client, helloTimeout time.Duration) error {
	tlsCfg, err := protocol.TLSSettingsFromConfig(config.Current()).ServerConfig()
	if err != nil {
		return err
	}
	ln, err := listen(tlsCfg, helloTimeout)
	if err != nil {
		return err
	}
	v := &protocol.SSLValidator{CheckCertificate: func(c *x509.Certificate) error {
		fmt.Printf("Cert issuer: %s\nCert subject: %s\n", c.Issuer, c.Subject)
		return nil
	}}
	port := ln.Addr().(*net.TCPAddr).Port
	u := compat.URI{Protocol: "PYROSSL", Address: "127.0.0.1", Port: port, ObjectID: sslGUID}
	if err := nsc.CreateGroup(ctx, ":test"); err != nil && !isNamingError(err) {
		return err
	}
	if err := nsc.Unregister(ctx, ":test.ssl"); err != nil && !isNamingError(err) {
		return err
	}
	if err := nsc.Register(ctx, ":test.ssl", u); err != nil {
		return err
	}
	defer nsc.Unregister(context.Background(), ":test.ssl")
	fmt.Printf("READY %d %s\n", port, u)
	os.Stdout.Sync()
	return serveSSL(ctx, ln, v)
}
