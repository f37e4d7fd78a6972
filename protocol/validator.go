package protocol

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// ConnInfo describes a new connection to a server's Validator.
type ConnInfo struct {
	RemoteAddr net.Addr
	LocalAddr  net.Addr
	// Connections is the number of connections the server currently has,
	// including this new one (Pyro's multithreaded daemon counts the new
	// connection's thread), so MaxConnections=1 refuses every client.
	Connections int
	// TLS is the state of a TLS connection (PYROSSL) after its TLS
	// handshake, with the client's certificates if it sent any; nil for
	// plain TCP. ServerHandshake fills it in for a *tls.Conn.
	TLS *tls.ConnectionState
}

// ServerValidator is the server's half of Pyro's "connection validator"
// (Pyro.protocol.DefaultConnValidator), which ServerHandshake asks who may
// connect. It must be safe for concurrent use.
type ServerValidator interface {
	// AcceptHost is asked before anything is sent; a refusal is answered
	// with a raw "DENIED"+reason.
	AcceptHost(info ConnInfo) (ok bool, reason DenyReason)
	// CreateChallenge returns the 16-byte challenge for a new connection.
	CreateChallenge(info ConnInfo) ([]byte, error)
	// AcceptIdentification checks the token of the client's CONNECT message.
	AcceptIdentification(info ConnInfo, challenge, token []byte) (ok bool, reason DenyReason)
}

// ClientValidator is the client's half of a connection validator, which
// ClientHandshake asks for the token answering the server's challenge. It
// must be safe for concurrent use.
type ClientValidator interface {
	// CreateToken computes the client's token from the server's challenge
	// and the client's (munged) identification.
	CreateToken(challenge, ident []byte) ([]byte, error)
	// MungeIdent turns a passphrase into the identification that is stored
	// and used for tokens (the passphrase itself is never kept).
	MungeIdent(passphrase string) []byte
}

// Validator is both halves, as Pyro's validator classes are: the
// validators of this package (DefaultValidator, SSLValidator,
// HostValidator, LoginValidator) implement it, so one value configures a
// server and its clients alike.
type Validator interface {
	ServerValidator
	ClientValidator
}

// DefaultMaxConnections is Pyro's default PYRO_MAXCONNECTIONS.
const DefaultMaxConnections = 200

// DefaultValidator implements Pyro's DefaultConnValidator: it refuses a
// connection with DenyServerTooBusy when ConnInfo.Connections reaches
// MaxConnections, challenges with 16 unpredictable bytes, and, if allowed
// identifications are set, accepts only tokens HMAC-MD5(key=challenge,
// msg=MD5(passphrase)) of one of them. The zero value is ready to use and
// accepts every identification. Its methods are safe for concurrent use.
type DefaultValidator struct {
	// MaxConnections is the connection limit; 0 means DefaultMaxConnections.
	MaxConnections int

	mu      sync.RWMutex
	allowed [][]byte // munged identifications; nil accepts any token
}

// SetAllowedIdentifications sets the passphrases a client may identify with.
// Only their MD5 digests are stored. nil accepts every client without
// looking at its token (Pyro's default); an empty non-nil slice refuses
// every client.
func (v *DefaultValidator) SetAllowedIdentifications(ids []string) {
	var allowed [][]byte
	if ids != nil {
		allowed = make([][]byte, 0, len(ids))
		for _, id := range ids {
			allowed = append(allowed, v.MungeIdent(id))
		}
	}
	v.mu.Lock()
	v.allowed = allowed
	v.mu.Unlock()
}

// AcceptHost refuses with DenyServerTooBusy when info.Connections >=
// MaxConnections.
func (v *DefaultValidator) AcceptHost(info ConnInfo) (bool, DenyReason) {
	limit := v.MaxConnections
	if limit <= 0 {
		limit = DefaultMaxConnections
	}
	if info.Connections >= limit {
		return false, DenyServerTooBusy
	}
	return true, DenyUnspecified
}

// CreateChallenge returns the MD5 digest of "<ip>-<pid>-<time>-<random>"
// with 16 bytes from crypto/rand as the random part, like Pyro's challenge
// but unpredictable.
func (v *DefaultValidator) CreateChallenge(info ConnInfo) ([]byte, error) {
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, fmt.Errorf("protocol: challenge: %w", err)
	}
	host := ""
	if info.LocalAddr != nil {
		host = info.LocalAddr.String()
	}
	now := time.Now()
	seed := fmt.Sprintf("%s-%d-%d.%09d-%x", host, os.Getpid(), now.Unix(), now.Nanosecond(), rnd)
	sum := md5.Sum([]byte(seed))
	return sum[:], nil
}

// AcceptIdentification accepts every token when no identifications are set;
// otherwise it compares the token in constant time against the expected
// token of each allowed identification and refuses with DenySecurity.
func (v *DefaultValidator) AcceptIdentification(_ ConnInfo, challenge, token []byte) (bool, DenyReason) {
	v.mu.RLock()
	allowed := v.allowed
	v.mu.RUnlock()
	if allowed == nil {
		return true, DenyUnspecified
	}
	match := 0
	for _, id := range allowed {
		want := hmacMD5(challenge, id)
		match |= subtle.ConstantTimeCompare(want, token)
	}
	if match == 1 {
		return true, DenyUnspecified
	}
	return false, DenySecurity
}

// CreateToken returns HMAC-MD5(key=challenge, msg=ident).
func (v *DefaultValidator) CreateToken(challenge, ident []byte) ([]byte, error) {
	return hmacMD5(challenge, ident), nil
}

// MungeIdent returns the 16-byte MD5 digest of the passphrase.
func (v *DefaultValidator) MungeIdent(passphrase string) []byte {
	sum := md5.Sum([]byte(passphrase))
	return sum[:]
}

func hmacMD5(key, msg []byte) []byte {
	m := hmac.New(md5.New, key)
	m.Write(msg)
	return m.Sum(nil)
}
