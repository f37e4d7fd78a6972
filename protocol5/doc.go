// Package protocol5 implements the message framing of Pyro 5, protocol
// 502, as Pyro5 5.17's Pyro5/protocol.py does. It knows nothing about
// serializers: message data is opaque bytes.
//
// # Framing
//
// A message is a 40-byte header (Python struct "!4sHBBHHII16sHH": "PYRO",
// version 502, message type, serializer id, flags, sequence number, data
// length, annotations length, 16-byte correlation id, reserved, magic
// 0x4dc5), then the annotation chunks (4-character ASCII id, uint32 length,
// bytes), then the data. There is no checksum and no HMAC (Pyro 5 leaves
// integrity to TLS).
//
// Message is one message as sent: ReadMessage and Message.WriteTo
// (AppendBinary, MarshalBinary) read and write it byte for byte, compressed
// data and all, so a frame read re-encodes to the bytes it came from.
// Annotations keep their wire order; Message.Annotation looks one up as
// Pyro's dict does.
//
// Conn adds what a connection needs: per-step deadlines (Options.IOTimeout
// and the context's), Pyro 5's size limit on annotations plus data
// (Options.MaxMessageSize, Pyro 5's default 1 GiB; memory grows only with
// the bytes that arrive), decompression on receipt and Pyro 5's compression
// rule on sending (data over 100 bytes at zlib level 4, annotations never;
// Go's zlib output is valid but not byte-identical to CPython's).
//
// Like Pyro 5, a reader takes the first 6 bytes ("PYRO" and the version)
// before the rest of a header, so a peer of another protocol is refused
// without waiting for 40 bytes: CheckPrefix tells a Pyro 5 client by its
// first bytes on a port shared with other protocols.
//
// # Errors
//
// Failures are *FrameError values (the type of package protocol too)
// whose Kind matches with errors.Is and whose text is Pyro 5's where Pyro 5
// has one: "invalid data", "invalid protocol version: 48", "invalid
// message or protocol version", "message too large (N, max=M)",
// "annotation chunk length exceeds remaining data", "invalid msg type 4
// received (expected: 1)". A Pyro 5 daemon answers those met during the
// handshake with a CONNECTFAIL message whose data is the text, and closes;
// later it closes without a reply.
package protocol5
