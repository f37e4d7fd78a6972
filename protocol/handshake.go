package protocol

import (
	"bytes"
	"context"
	"errors"
	"fmt"
)

// Raw handshake words. The verdict is always exactly 7 bytes without a
// header: "GRANTED" or "DENIED" followed by one reason character.
const (
	connectPrefix = "CONNECT"
	granted       = "GRANTED"
	denied        = "DENIED"
	verdictSize   = len(granted)
)

var defaultValidator = &DefaultValidator{}

// ServerHandshake runs the server side of the connection handshake on a
// freshly accepted connection (spec.md §3):
//
//  1. v.AcceptHost; a refusal sends the raw "DENIED"+reason (no challenge).
//  2. Sends the 16-byte challenge from v.CreateChallenge as a message.
//  3. Reads the client's message, which must start with "CONNECT"; the rest
//     is the token.
//  4. v.AcceptIdentification; sends the raw "GRANTED" or "DENIED"+reason.
//
// It returns nil when the client was granted. A *DeniedError means we refused
// the client (and told it so). A *FrameError reports the client's fault:
// ErrHandshake for a body without "CONNECT" (Pyro closes without replying);
// ErrVersion, ErrHeader or ErrChecksum for a broken CONNECT message (Pyro
// replies an exception capsule before closing); I/O kinds otherwise. In every
// case but nil the caller closes the connection.
//
// A nil v means a DefaultValidator with default settings. A nil
// info.RemoteAddr or info.LocalAddr is taken from c.
//
// On a *tls.Conn (PYROSSL, see TLSListener), or a wrapper of one that has a
// NetConn() net.Conn method, the TLS handshake runs first and
// info.TLS is filled in for the Validator; its failure is an ErrTLS error.
func ServerHandshake(ctx context.Context, c *Conn, v ServerValidator, info ConnInfo) error {
	if v == nil {
		v = defaultValidator
	}
	if info.RemoteAddr == nil {
		info.RemoteAddr = c.RemoteAddr()
	}
	if info.LocalAddr == nil {
		info.LocalAddr = c.LocalAddr()
	}
	if tc := tlsConnOf(c.nc); tc != nil && info.TLS == nil {
		st, err := c.serverTLS(ctx, tc)
		if err != nil {
			return err
		}
		info.TLS = st
	}
	if ok, reason := v.AcceptHost(info); !ok {
		return deny(ctx, c, reason)
	}
	challenge, err := v.CreateChallenge(info)
	if err != nil {
		return err
	}
	if len(challenge) != ChallengeSize {
		return fmt.Errorf("protocol: validator returned a %d-byte challenge, want %d", len(challenge), ChallengeSize)
	}
	if err := c.WriteMessage(ctx, challenge); err != nil {
		return err
	}
	body, _, err := c.readMessage(ctx, 0, true)
	if err != nil {
		var pe *FrameError
		if errors.As(err, &pe) && (pe.Kind == ErrVersion || pe.Kind == ErrHeader) && looksLikeTLS(c.hdr[:]) {
			return newError(pe.Kind, pe.Msg, errors.New("the client started a TLS handshake: it wants PYROSSL, this server speaks plain PYRO"))
		}
		return err
	}
	token, ok := bytes.CutPrefix(body, []byte(connectPrefix))
	if !ok {
		return newError(ErrHandshake, "invalid handshake message: no CONNECT", nil)
	}
	if ok, reason := v.AcceptIdentification(info, challenge, token); !ok {
		return deny(ctx, c, reason)
	}
	return c.writeRaw(ctx, []byte(granted))
}

func deny(ctx context.Context, c *Conn, reason DenyReason) error {
	if err := c.writeRaw(ctx, []byte{'D', 'E', 'N', 'I', 'E', 'D', reason.code()}); err != nil {
		return err
	}
	return &DeniedError{Reason: reason}
}

// ClientHandshake runs the client side of the connection handshake on a
// freshly dialled connection (spec.md §3): it reads the challenge (or an early raw
// "DENIED"+reason sent instead of it), sends "CONNECT" + v.CreateToken(
// challenge, ident) and reads the 7-byte verdict.
//
// ident is the munged identification (v.MungeIdent(passphrase)), or nil for a
// client without identification. A nil v means a DefaultValidator.
//
// It returns nil when granted, a *DeniedError when the server refused (its
// Error text is that of Pyro's ConnectionDeniedError), and a *FrameError
// otherwise: ErrHandshake for a challenge that is not 16 bytes or a verdict
// that is neither GRANTED nor DENIED, framing or I/O kinds for the rest.
// On a *tls.Conn (see DialTLS), or a wrapper of one that has a NetConn()
// net.Conn method, the TLS handshake runs first; a TLS failure
// (certificate refused on either side, a server that is not PYROSSL) is an
// ErrTLS error that says which.
//
// On error the caller closes the connection.
func ClientHandshake(ctx context.Context, c *Conn, v ClientValidator, ident []byte) error {
	if v == nil {
		v = defaultValidator
	}
	if tc := tlsConnOf(c.nc); tc != nil && !tc.ConnectionState().HandshakeComplete {
		if err := c.clientTLS(ctx, tc); err != nil {
			return err
		}
	}
	// A server that refuses the host sends 7 raw bytes where the challenge
	// header would start, so look at those first.
	if err := c.readRaw(ctx, c.hdr[:verdictSize]); err != nil {
		return err
	}
	if string(c.hdr[:len(denied)]) == denied {
		return &DeniedError{Reason: parseDenyReason(c.hdr[len(denied)])}
	}
	challenge, _, err := c.readMessage(ctx, verdictSize, true)
	if err != nil {
		return err
	}
	if len(challenge) != ChallengeSize {
		return newError(ErrHandshake, "Received version must be 5 and auth challenge must be exactly 16 bytes", nil)
	}
	token, err := v.CreateToken(challenge, ident)
	if err != nil {
		return err
	}
	msg := make([]byte, 0, len(connectPrefix)+len(token))
	msg = append(append(msg, connectPrefix...), token...)
	if err := c.WriteMessage(ctx, msg); err != nil {
		return err
	}
	var verdict [verdictSize]byte
	if err := c.readRaw(ctx, verdict[:]); err != nil {
		return err
	}
	switch {
	case string(verdict[:]) == granted:
		return nil
	case string(verdict[:len(denied)]) == denied:
		return &DeniedError{Reason: parseDenyReason(verdict[len(denied)])}
	}
	return newError(ErrHandshake, "no connection available in remoteinvocation", fmt.Errorf("unexpected handshake answer %q", verdict[:]))
}
