// Command pyro-pickle shows and re-encodes the pickles that Pyro 3 puts on the
// wire, with Python 2 semantics: a str is shown 'x' and a unicode u'x', a long
// has an L suffix, instances show their class path, and Pyro's wire classes
// (PyroURI, proxies, exception capsules, ...) decode to their Go types.
//
// Usage:
//
//	pyro-pickle [-dis]                  print the pickle on stdin as a value tree (default)
//	pyro-pickle -roundtrip [-protocol N] decode stdin and write it re-encoded (protocol 2, or N = 0-2)
//	pyro-pickle -frame                  stdin is a whole PYRO message: print the header, then the body
//	pyro-pickle -stream [-protocol N]   round-trip many pickles, for test drivers (below)
//
// Bad input prints a one-line error on stderr and exits with status 1.
//
// With -stream, stdin carries any number of requests, each a 4-byte
// big-endian length followed by that many bytes of pickle, and stdout gets
// one answer per request: a status byte (0 ok, 1 error), a 4-byte big-endian
// length, then the re-encoded pickle or the error text. It ends at end of
// input. One process can so round-trip thousands of values quickly.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	// compat registers Pyro's wire classes, so they decode to Go types.
	_ "github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
	"github.com/gopyro/gopyro/protocol"
)

// maxInput bounds what is read from stdin, as Pyro's default message limit.
const maxInput = protocol.DefaultMaxMessageSize

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run does the work of main and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pyro-pickle", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dis := fs.Bool("dis", false, "print the pickle as a value tree (the default)")
	roundtrip := fs.Bool("roundtrip", false, "decode and write the value re-encoded on stdout")
	frame := fs.Bool("frame", false, "stdin is a PYRO message (18-byte header + body)")
	stream := fs.Bool("stream", false, "round-trip length-prefixed pickles (see the package doc)")
	proto := fs.Int("protocol", 2, "pickle protocol for -roundtrip and -stream, 0 to 2")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	modes := 0
	for _, m := range []bool{*dis, *roundtrip, *frame, *stream} {
		if m {
			modes++
		}
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "pyro-pickle:", oneLine(err.Error()))
		return 1
	}
	switch {
	case fs.NArg() > 0:
		return fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	case modes > 1:
		return fail(errors.New("choose one of -dis, -roundtrip, -frame, -stream"))
	case *proto < 0 || *proto > 2:
		return fail(fmt.Errorf("-protocol %d: Pyro 3 reads protocols 0 to 2", *proto))
	}
	out := bufio.NewWriter(stdout)
	var err error
	switch {
	case *stream:
		err = runStream(stdin, out, *proto)
	case *frame:
		err = withInput(stdin, func(in []byte) error { return showFrame(out, in) })
	case *roundtrip:
		err = withInput(stdin, func(in []byte) error {
			b, err := reencode(in, *proto)
			if err == nil {
				_, err = out.Write(b)
			}
			return err
		})
	default:
		err = withInput(stdin, func(in []byte) error {
			v, err := pickle.Decode(in)
			if err == nil {
				printTree(out, v)
			}
			return err
		})
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fail(err)
	}
	return 0
}

func withInput(stdin io.Reader, fn func([]byte) error) error {
	in, err := io.ReadAll(io.LimitReader(stdin, maxInput+1))
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	if len(in) > maxInput {
		return fmt.Errorf("input larger than %d bytes", maxInput)
	}
	if len(in) == 0 {
		return errors.New("no input")
	}
	return fn(in)
}

func reencode(in []byte, proto int) ([]byte, error) {
	v, err := pickle.Decode(in)
	if err != nil {
		return nil, err
	}
	enc := pickle.Encoder{Protocol: proto}
	return enc.Append(nil, v)
}

func runStream(stdin io.Reader, out *bufio.Writer, proto int) error {
	in := bufio.NewReader(stdin)
	var hdr [4]byte
	for {
		if _, err := io.ReadFull(in, hdr[:]); err != nil {
			if err == io.EOF {
				return nil
			}
			return fmt.Errorf("stream: reading length: %w", err)
		}
		n := binary.BigEndian.Uint32(hdr[:])
		if n > maxInput {
			return fmt.Errorf("stream: request of %d bytes is larger than %d", n, maxInput)
		}
		req := make([]byte, n)
		if _, err := io.ReadFull(in, req); err != nil {
			return fmt.Errorf("stream: reading %d-byte request: %w", n, err)
		}
		status, answer := byte(0), []byte(nil)
		b, err := reencode(req, proto)
		if err != nil {
			status, answer = 1, []byte(oneLine(err.Error()))
		} else {
			answer = b
		}
		out.WriteByte(status)
		out.Write(binary.BigEndian.AppendUint32(nil, uint32(len(answer))))
		out.Write(answer)
		if err := out.Flush(); err != nil {
			return err
		}
	}
}

// showFrame prints a PYRO message: the header, then the body as a value
// tree (the handshake's challenge and CONNECT bodies, which are no pickles,
// as bytes).
func showFrame(out io.Writer, in []byte) error {
	if len(in) < protocol.HeaderSize {
		return fmt.Errorf("frame: %d bytes, shorter than the %d-byte header", len(in), protocol.HeaderSize)
	}
	h, err := protocol.ParseHeader(in[:protocol.HeaderSize])
	if err != nil {
		return fmt.Errorf("frame header: %w", err)
	}
	if int(h.BodySize) != len(in)-protocol.HeaderSize {
		return fmt.Errorf("frame: header says %d body bytes, input has %d", h.BodySize, len(in)-protocol.HeaderSize)
	}
	body, err := readMessage(in)
	if err != nil {
		return fmt.Errorf("frame: %w", err)
	}
	fmt.Fprintf(out, "header: magic=PYRO version=%d hdrsize=%d bodysize=%d flags=0x%04x(%s) crc=0x%08x\n",
		h.Version, h.HeaderSize, h.BodySize, h.Flags, flagNames(h.Flags), uint32(h.CRC))
	if h.Flags&protocol.FlagCompressed != 0 {
		fmt.Fprintf(out, "decompressed body: %d bytes\n", len(body))
	}
	switch {
	case len(body) == protocol.ChallengeSize && (len(body) == 0 || body[0] != 0x80):
		fmt.Fprintf(out, "body: auth challenge %x\n", body)
		return nil
	case strings.HasPrefix(string(body), "CONNECT"):
		fmt.Fprintf(out, "body: CONNECT + token %x\n", body[len("CONNECT"):])
		return nil
	}
	v, err := pickle.Decode(body)
	if err != nil {
		return fmt.Errorf("frame body: %w", err)
	}
	io.WriteString(out, "body: ")
	printTree(out, v)
	return nil
}

// readMessage reads the frame with package protocol, which verifies the
// checksum and inflates a compressed body.
func readMessage(frame []byte) ([]byte, error) {
	client, server := net.Pipe()
	defer server.Close()
	go func() {
		defer client.Close()
		_, _ = client.Write(frame)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	body, _, err := protocol.NewConn(server, protocol.Options{}).ReadMessage(ctx)
	return body, err
}

func flagNames(f uint16) string {
	var names []string
	for _, fl := range []struct {
		bit  uint16
		name string
	}{{protocol.FlagCompressed, "COMPRESSED"}, {protocol.FlagChecksum, "CHECKSUM"}, {protocol.FlagXMLPickle, "XMLPICKLE_GNOSIS"}} {
		if f&fl.bit != 0 {
			names = append(names, fl.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
