package protocol_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/gopyro/gopyro/protocol"
)

// A server and a client handshake over an in-memory connection; the server
// only accepts clients that identify with "s3cr3t".
func ExampleServerHandshake() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cside, sside := net.Pipe()
	defer cside.Close()

	v := &protocol.DefaultValidator{}
	v.SetAllowedIdentifications([]string{"s3cr3t"})

	done := make(chan error, 1)
	go func() {
		conn := protocol.NewConn(sside, protocol.Options{IOTimeout: time.Second})
		err := protocol.ServerHandshake(ctx, conn, v, protocol.ConnInfo{Connections: 1})
		if err != nil {
			conn.Close()
		}
		done <- err
	}()

	client := protocol.NewConn(cside, protocol.Options{IOTimeout: time.Second})
	err := protocol.ClientHandshake(ctx, client, nil, v.MungeIdent("wrong"))
	var denied *protocol.DeniedError
	fmt.Println("client:", err, errors.As(err, &denied))
	fmt.Println("server:", <-done)
	// Output:
	// client: security reasons true
	// server: security reasons
}

// A client talks to a Pyro server: handshake, then one request and its reply.
func ExampleClientHandshake() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cside, sside := net.Pipe()
	defer cside.Close()

	go func() { // a server that echoes one message
		conn := protocol.NewConn(sside, protocol.Options{})
		defer conn.Close()
		if protocol.ServerHandshake(ctx, conn, nil, protocol.ConnInfo{Connections: 1}) != nil {
			return
		}
		if body, _, err := conn.ReadMessage(ctx); err == nil {
			conn.WriteMessage(ctx, body)
		}
	}()

	conn := protocol.NewConn(cside, protocol.Options{Compress: true, Checksum: true})
	if err := protocol.ClientHandshake(ctx, conn, nil, nil); err != nil {
		fmt.Println("handshake:", err)
		return
	}
	if err := conn.WriteMessage(ctx, []byte("\x80\x02K\x07.")); err != nil {
		fmt.Println("write:", err)
		return
	}
	body, flags, err := conn.ReadMessage(ctx)
	fmt.Printf("%x %d %v\n", body, flags, err)
	// Output:
	// 80024b072e 0 <nil>
}

// The frame of Pyro's reply 7 to add(3, 4).
func ExampleConn_WriteMessage() {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go protocol.NewConn(a, protocol.Options{}).WriteMessage(context.Background(), []byte("\x80\x02K\x07."))
	frame := make([]byte, protocol.HeaderSize+5)
	if _, err := io.ReadFull(b, frame); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hex.EncodeToString(frame))
	// Output:
	// 5059524f000500120000000500000000000080024b072e
}

// Reading a message that fails its checksum: the error says what Pyro says.
func ExampleConn_ReadMessage() {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	frame, _ := hex.DecodeString("5059524f0005001200000005000200003039" + "80024b072e")
	go b.Write(frame)
	_, _, err := protocol.NewConn(a, protocol.Options{}).ReadMessage(context.Background())
	fmt.Println(err, errors.Is(err, protocol.ErrChecksum))
	// Output:
	// checksum error true
}

func ExampleParseHeader() {
	// The header of the checksummed CONNECT message in trace 14.
	raw, _ := hex.DecodeString("5059524f000500120000001700026711" + "0983")
	h, err := protocol.ParseHeader(raw)
	fmt.Printf("%+v %v\n", h, err)
	// Output:
	// {Version:5 HeaderSize:18 BodySize:23 Flags:2 CRC:1729169795} <nil>
}

// The token a client sends for challenge 54ed7bf7... without identification
// (trace 01 of the Pyro captures).
func ExampleDefaultValidator_CreateToken() {
	challenge, _ := hex.DecodeString("54ed7bf7ed94f44cdc1a35e9a9d8b5b0")
	token, _ := (&protocol.DefaultValidator{}).CreateToken(challenge, nil)
	fmt.Println(hex.EncodeToString(token))
	// Output:
	// 76d41a797eb50a95b937d04d3c4d0fcf
}
