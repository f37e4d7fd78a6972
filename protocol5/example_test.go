package protocol5_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/gopyro/gopyro/protocol5"
)

// A client pings a daemon over a connection; the daemon answers "pong"
// with the request's sequence number, as Pyro 5 does.
func ExampleConn() {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	go func() {
		c := protocol5.NewConn(server, protocol5.Options{})
		m, err := c.ReadMessage(context.Background())
		if err != nil || m.Expect(protocol5.TypePing) != nil {
			return
		}
		_ = c.WriteMessage(context.Background(), &protocol5.Message{Type: protocol5.TypePing, Serializer: m.Serializer, Seq: m.Seq, Data: []byte("pong")})
	}()
	c := protocol5.NewConn(client, protocol5.Options{})
	if err := c.WriteMessage(context.Background(), &protocol5.Message{Type: protocol5.TypePing, Serializer: 42, Seq: 3, Data: []byte("ping")}); err != nil {
		fmt.Println(err)
		return
	}
	m, err := c.ReadMessage(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v seq=%d %s\n", m.Type, m.Seq, m.Data)
	// Output: PING seq=3 pong
}

// A Pyro 4 client's first bytes are refused with the text a Pyro 5 daemon
// sends back.
func ExampleReadMessage() {
	pyro4 := []byte("PYRO\x00\x30\x00\x01\x00\x10\x00\x00\x00\x00\x00\x40\x00\x01\x00\x00\x00\x00\x35\x6b")
	_, err := protocol5.ReadMessage(bytes.NewReader(pyro4), 0)
	fmt.Println(err, errors.Is(err, protocol5.ErrVersion))
	// Output: invalid protocol version: 48 true
}

func ExampleMessage_MarshalBinary() {
	m := &protocol5.Message{
		Type:        protocol5.TypeInvoke,
		Serializer:  protocol5.SerializerJSON,
		Seq:         1,
		Annotations: []protocol5.Annotation{{ID: "XTRA", Value: []byte("x")}},
		Data:        []byte(`{"object": "thing", "method": "add", "params": [3, 4], "kwargs": {}}`),
	}
	b, err := m.MarshalBinary()
	fmt.Printf("%d bytes, header % x, %v\n", len(b), b[:12], err)
	// Output: 117 bytes, header 50 59 52 4f 01 f6 04 03 00 00 00 01, <nil>
}
