// Package protocol implements the PYRO wire protocol of Pyro 3.16: message
// framing and the connection handshake, in both the client and the server
// role. It knows nothing about pickles; message bodies are opaque bytes.
// The protocol itself is described in the repository's spec.md (Part 1,
// §1-§3 and §7-§8 for this package).
//
// # Framing
//
// Every message is an 18-byte Header (Python struct "!4sHHlHl": magic
// "PYRO", version 5, header size 18, signed body size, flags, signed crc)
// followed by the body. Flags: FlagCompressed (body is zlib data),
// FlagChecksum (crc is the Adler-32 of the body as transmitted),
// FlagXMLPickle (gnosis XML pickle, refused with ErrXMLPickle).
//
// A Conn wraps a net.Conn. ReadMessage honours the peer's flags whatever
// the local Options say: it verifies the checksum, decompresses, and limits
// both the transmitted and the decompressed size to Options.MaxMessageSize
// (DefaultMaxMessageSize, 64 MiB, when 0); bodies are read in bounded chunks
// so a header announcing a huge body costs nothing until the bytes arrive.
// WriteMessage compresses (zlib default level, as Python's zlib.compress) when
// Options.Compress is set and the result is strictly shorter, and checksums
// when Options.Checksum is set, exactly like Pyro's PYRO_COMPRESSION and
// PYRO_CHECKSUM. (Go's compress/flate output is valid zlib but not
// byte-identical to CPython's: it ends with an empty final block, so it is a
// few bytes longer.)
//
// Every read and write has a deadline: Options.IOTimeout from the start of
// each step (a header, a body, a raw answer) and the context's deadline,
// whichever is earlier; cancelling the context interrupts blocked I/O.
//
// # Errors
//
// Failures are *FrameError values whose Kind (ErrVersion, ErrHeader,
// ErrChecksum, ErrTooLarge, ErrCompression, ErrXMLPickle, ErrClosed,
// ErrTruncated, ErrTimeout, ErrCanceled, ErrConnection, ErrHandshake) matches
// with errors.Is and whose text is Pyro's for the same condition. A server
// answers ErrVersion, ErrHeader and ErrChecksum with a
// Pyro.errors.ProtocolError capsule carrying Error() and closes; it answers
// ErrCompression with a zlib.error capsule and keeps the connection; it
// closes without reply otherwise. Refused handshakes are *DeniedError values
// whose text is that of Pyro's ConnectionDeniedError.
//
// # Handshake
//
//	client                                   server
//	  | ---- TCP connect ----------------------> |  Validator.AcceptHost: may answer raw "DENIED1" and close
//	  | <--- message: 16-byte challenge -------- |  Validator.CreateChallenge
//	  | ---- message: "CONNECT" + token -------> |  Validator.CreateToken (client)
//	  | <--- raw "GRANTED" or "DENIED"+reason -- |  Validator.AcceptIdentification
//
// ServerHandshake and ClientHandshake run the two roles with a pluggable
// Validator; DefaultValidator has Pyro's semantics (connection limit, token
// HMAC-MD5(key=challenge, msg=MD5(passphrase)) or no identification).
//
// # Connection security
//
// Besides DefaultValidator's passphrases (SetAllowedIdentifications):
// DenyHosts, AllowHosts and CheckHosts refuse hosts with "host blocked"
// (Pyro's denyhosts example); LoginValidator checks login and password with
// the token of Pyro's user_passwd_auth example; SSLValidator is Pyro's
// BasicSSLValidator for PYROSSL daemons (client certificate required,
// checkCertificate hook).
//
// # TLS (PYROSSL)
//
// Pyro's PYROSSL protocol is the same protocol inside TLS with mutual
// certificate authentication. TLSSettings (from the PYROSSL_* items)
// builds the server and client *tls.Config; TLSListener and DialTLS make
// the connections, and ServerHandshake / ClientHandshake run the TLS
// handshake before Pyro's. Failures are ErrTLS errors that name the cause on
// both sides (expired or unknown certificate, host name mismatch, a peer
// that does not speak TLS); a plain client on a TLS port is answered
// "DENIED3" instead of being left waiting.
package protocol
