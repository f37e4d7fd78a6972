// Command handshake exercises package protocol against real Pyro 3.16 in the
// interop suite.
//
// Server mode (default) listens on 127.0.0.1, prints "LISTENING <port>",
// handshakes every connection and answers every request message with the
// pickle of None, so a Pyro proxy call returns None. It logs
// "request flags=<flags> bytes=<decompressed size>" for each request on
// stderr and exits after -lifetime seconds.
//
//	handshake -port 0 [-ident pw] [-maxconn N] [-checksum] [-compress] [-lifetime 60]
//
// Client mode handshakes with a Pyro daemon and prints "GRANTED" or the
// denial text (exit status 0), then with -call makes one call and prints
// "REPLY <hex of the reply body>". Other failures print "ERROR <text>" and
// exit with status 1.
//
//	handshake -connect 127.0.0.1:port [-ident pw] [-call OBJID:METHOD [-arg STR]] [-checksum] [-compress]
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gopyro/gopyro/protocol"
)

// pickledNone is pickle.dumps(None, 2).
var pickledNone = []byte("\x80\x02N.")

func main() {
	port := flag.Int("port", 0, "server: TCP port on 127.0.0.1 (0 = ephemeral)")
	ident := flag.String("ident", "", "server: the allowed identification; client: the passphrase")
	maxConn := flag.Int("maxconn", protocol.DefaultMaxConnections, "server: PYRO_MAXCONNECTIONS")
	lifetime := flag.Float64("lifetime", 60, "server: exit after this many seconds")
	connect := flag.String("connect", "", "client mode: address of a Pyro daemon")
	call := flag.String("call", "", "client: OBJID:METHOD to call after the handshake")
	arg := flag.String("arg", "", "client: one str argument for -call")
	compress := flag.Bool("compress", false, "compress outgoing messages (PYRO_COMPRESSION)")
	checksum := flag.Bool("checksum", false, "checksum outgoing messages (PYRO_CHECKSUM)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("handshake: ")

	opts := protocol.Options{Compress: *compress, Checksum: *checksum, IOTimeout: 10 * time.Second}
	if *connect != "" {
		os.Exit(runClient(*connect, *ident, *call, *arg, opts))
	}
	runServer(*port, *ident, *maxConn, time.Duration(*lifetime*float64(time.Second)), opts)
}

func runServer(port int, ident string, maxConn int, lifetime time.Duration, opts protocol.Options) {
	ctx, cancel := context.WithTimeout(context.Background(), lifetime)
	defer cancel()
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("LISTENING %d\n", ln.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	context.AfterFunc(ctx, func() { ln.Close() })

	v := &protocol.DefaultValidator{MaxConnections: maxConn}
	if ident != "" {
		v.SetAllowedIdentifications([]string{ident})
	}
	var active atomic.Int64
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() == nil {
				log.Print(err)
			}
			return
		}
		go func() {
			defer nc.Close()
			n := active.Add(1)
			defer active.Add(-1)
			serve(ctx, protocol.NewConn(nc, opts), v, int(n))
		}()
	}
}

func serve(ctx context.Context, conn *protocol.Conn, v protocol.Validator, connections int) {
	err := protocol.ServerHandshake(ctx, conn, v, protocol.ConnInfo{Connections: connections})
	if err != nil {
		log.Printf("%s: handshake: %v", conn.RemoteAddr(), err)
		return
	}
	for {
		body, flags, err := conn.ReadMessage(ctx)
		if err != nil {
			if !errors.Is(err, protocol.ErrClosed) {
				log.Printf("%s: read: %v", conn.RemoteAddr(), err)
			}
			return
		}
		log.Printf("request flags=%#x bytes=%d", flags, len(body))
		if err := conn.WriteMessage(ctx, pickledNone); err != nil {
			log.Printf("%s: write: %v", conn.RemoteAddr(), err)
			return
		}
	}
}

func runClient(addr, passphrase, call, arg string, opts protocol.Options) int {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	conn := protocol.NewConn(nc, opts)
	defer conn.Close()

	v := &protocol.DefaultValidator{}
	var ident []byte
	if passphrase != "" {
		ident = v.MungeIdent(passphrase)
	}
	err = protocol.ClientHandshake(ctx, conn, v, ident)
	var denied *protocol.DeniedError
	switch {
	case errors.As(err, &denied):
		fmt.Println(denied.Error())
		return 0
	case err != nil:
		fmt.Println("ERROR", err)
		return 1
	}
	fmt.Println("GRANTED")
	if call == "" {
		return 0
	}
	objID, method, ok := strings.Cut(call, ":")
	if !ok {
		fmt.Println("ERROR -call wants OBJID:METHOD")
		return 1
	}
	var args []string
	if arg != "" {
		args = []string{arg}
	}
	req, err := request(objID, method, args)
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	if err := conn.WriteMessage(ctx, req); err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	body, _, err := conn.ReadMessage(ctx)
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	fmt.Println("REPLY", hex.EncodeToString(body))
	return 0
}

// request pickles Pyro's request tuple (objID, method, 3, (args, {})) at
// protocol 2 with str arguments, as a Python 2 Pyro client would.
func request(objID, method string, args []string) ([]byte, error) {
	b := []byte("\x80\x02(")
	var err error
	for _, s := range []string{objID, method} {
		if b, err = appendStr(b, s); err != nil {
			return nil, err
		}
	}
	b = append(b, 'K', 3, '(')
	for _, s := range args {
		if b, err = appendStr(b, s); err != nil {
			return nil, err
		}
	}
	return append(b, "t}\x86t."...), nil
}

// appendStr appends a py2 str as SHORT_BINSTRING.
func appendStr(b []byte, s string) ([]byte, error) {
	if len(s) > 255 {
		return nil, fmt.Errorf("string of %d bytes too long for this test client", len(s))
	}
	b = append(b, 'U', byte(len(s)))
	return append(b, s...), nil
}
