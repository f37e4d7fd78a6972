package protocol4_test

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/gopyro/gopyro/protocol4"
)

// A client pings a daemon over a connection signed with an HMAC key, as
// Pyro4 proxies and daemons with _pyroHmacKey do; the daemon answers
// "pong" with the request's sequence number.
func ExampleConn() {
	key := []byte("s3cr3t key")
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	go func() {
		c := protocol4.NewConn(server, protocol4.Options{HMACKey: key})
		m, err := c.ReadMessage(context.Background())
		if err != nil || m.Expect(protocol4.TypePing) != nil {
			return
		}
		_ = c.WriteMessage(context.Background(), &protocol4.Message{Type: protocol4.TypePing, Serializer: m.Serializer, Seq: m.Seq, Data: []byte("pong")})
	}()
	c := protocol4.NewConn(client, protocol4.Options{HMACKey: key})
	if err := c.WriteMessage(context.Background(), &protocol4.Message{Type: protocol4.TypePing, Serializer: 42, Seq: 3, Data: []byte("ping")}); err != nil {
		fmt.Println(err)
		return
	}
	m, err := c.ReadMessage(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	hmac, _ := m.Annotation(protocol4.HMACAnnotation)
	fmt.Printf("%v seq=%d %s, %d-byte HMAC\n", m.Type, m.Seq, m.Data, len(hmac))
	// Output: PING seq=3 pong, 20-byte HMAC
}

// A message signed with one key is refused by a peer with another, with
// Pyro4's text.
func ExampleMessage_Verify() {
	m := &protocol4.Message{Type: protocol4.TypeInvoke, Serializer: protocol4.SerializerSerpent, Data: []byte("...")}
	m.Sign([]byte("one key"))
	err := m.Verify([]byte("another key"))
	fmt.Println(err, errors.Is(err, protocol4.ErrSecurity))
	fmt.Println(m.Verify(nil))
	// Output:
	// message hmac mismatch true
	// hmac key config not symmetric
}
