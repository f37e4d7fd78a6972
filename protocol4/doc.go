// Package protocol4 implements the message framing of Pyro 4, protocol
// 48, as Pyro4 4.82's Pyro4/message.py does. It knows nothing about
// serializers: message data is opaque bytes.
//
// # Framing
//
// A message is a 24-byte header (Python struct "!4sHHHHiHHHH": "PYRO",
// version 48, message type, flags, sequence number, data length, serializer
// id, annotations length, reserved, checksum), then the annotation chunks
// (4-character ASCII id, uint16 length, bytes), then the data. The checksum
// is the sum of the type, version, data length, annotations length,
// serializer id, flags, sequence number and 0x34E9, modulo 2¹⁶; it is
// verified on receipt.
//
// Message is one message as sent: ReadMessage and Message.AppendBinary
// (MarshalBinary, WriteTo) read and write it byte for byte, compressed data
// and HMAC annotation included, so a frame read re-encodes to the bytes it
// came from. Annotations keep their wire order; Message.Annotation looks one
// up as Pyro's dict does.
//
// # HMAC
//
// With a key (Pyro4's _pyroHmacKey on a proxy, Daemon._pyroHmacKey), every
// message carries an "HMAC" annotation: HMAC-SHA1 keyed with it over the
// data as transmitted (compressed, if it is) and then the values of the
// other annotations in the order of their ids. Message.Sign adds it and
// Message.Verify checks it as Pyro4's Message.recv does: a wrong digest is
// "message hmac mismatch", a digest without a key or a key without a digest
// "hmac key config not symmetric" (ErrSecurity both).
//
// # Conn
//
// Conn adds what a connection needs: the HMAC key (Options.HMACKey), signing
// every message sent and verifying every message read; per-step deadlines
// (Options.IOTimeout and the context's); a size limit on annotations plus
// data (Options.MaxMessageSize; Pyro4's MAX_MESSAGE_SIZE is unlimited by
// default, the header's signed 32-bit length bounds it here); decompression
// on receipt and Pyro4's compression rule on sending (data of 200 bytes or
// more at zlib's default level, kept only when it is smaller; Go's zlib
// output is valid but not byte-identical to CPython's).
//
// CheckPrefix tells a Pyro 4 client by its first 6 bytes ("PYRO" and the
// version) on a port shared with other protocols.
//
// # Errors
//
// Failures are *FrameError values (the type of package protocol and
// protocol5 too) whose Kind matches with errors.Is and whose text is
// Pyro4's: "invalid data or unsupported protocol version", "header checksum
// mismatch", "max message size exceeded (N where max=M)", "invalid msg type
// 4 received", "message hmac mismatch", "hmac key config not symmetric". A
// Pyro4 daemon answers those met during the handshake with a CONNECTFAIL
// message whose data is the text (marshal-serialized unless the client's
// serializer was known), and closes.
package protocol4
