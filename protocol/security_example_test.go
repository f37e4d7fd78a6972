package protocol_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"time"

	"github.com/gopyro/gopyro/protocol"
)

// A daemon's validator that blocks a network, then applies Pyro's default
// connection limit.
func ExampleDenyHosts() {
	v, err := protocol.DenyHosts(&protocol.DefaultValidator{MaxConnections: 50}, "10.0.0.0/8", "192.168.1.7")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, addr := range []string{"10.1.2.3:4000", "127.0.0.1:4000"} {
		a, _ := net.ResolveTCPAddr("tcp", addr)
		ok, reason := v.AcceptHost(protocol.ConnInfo{RemoteAddr: a, Connections: 1})
		fmt.Println(addr, ok, reason)
	}
	// Output:
	// 10.1.2.3:4000 false host blocked
	// 127.0.0.1:4000 true unspecified reason
}

// Login and password identification as in Pyro's user_passwd_auth example:
// the client identifies with "login:password", the server knows the MD5 of
// each password.
func ExampleLoginValidator() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	server := protocol.NewLoginValidator()
	server.AddUserHash("irmen", "5ebe2294ecd0e0f08eab7690d2a6ee69") // 'secret'
	client := protocol.NewLoginValidator()

	cside, sside := net.Pipe()
	defer cside.Close()
	done := make(chan error, 1)
	go func() {
		conn := protocol.NewConn(sside, protocol.Options{})
		defer conn.Close()
		done <- protocol.ServerHandshake(ctx, conn, server, protocol.ConnInfo{Connections: 1})
	}()
	conn := protocol.NewConn(cside, protocol.Options{})
	err := protocol.ClientHandshake(ctx, conn, client, client.MungeIdent("irmen:secret"))
	fmt.Println("client:", err, "server:", <-done)
	login, _ := server.TakeLogin(sside.RemoteAddr())
	fmt.Println("login:", login)

	// The token for a given challenge is what the Python example sends.
	challenge, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f")
	token, _ := client.CreateToken(challenge, client.MungeIdent("irmen:secret"))
	fmt.Printf("%q\n", token)
	// Output:
	// client: <nil> server: <nil>
	// login: irmen
	// "irmen:\xb7b\x8bt\xb3X\xedP\x82Oy\xf6\xadG@Q"
}

// PYROSSL settings come from the PYROSSL_* items; a missing file is named
// by its item.
func ExampleTLSSettings_ServerConfig() {
	s := protocol.TLSSettings{CertDir: "/nonexistent/certs", CACert: "ca.pem", Cert: "host.pem", PostConnCheck: true}
	_, err := s.ServerConfig()
	fmt.Println(err)
	// Output:
	// protocol: PYROSSL_CERT: open /nonexistent/certs/host.pem: no such file or directory
}
