// Package discovery sends the UDP requests of Pyro's name server
// discovery, for Pyro 3 ("location", "shutdown": package ns) and Pyro 5
// ("GET_NSURI": package core's Pyro 5 locator, which cannot import ns).
package discovery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// ErrNoReply is returned by Send when no Name Server answered.
var ErrNoReply = errors.New("Name Server not responding")

// Send sends cmd as a UDP datagram (with SO_BROADCAST) to every
// destination ("host:port"; duplicates are sent once), waits timeout for the
// first reply and repeats retries more times (retries < 0: until ctx ends),
// as Pyro's NameServerLocator does. It returns the first reply.
func Send(ctx context.Context, cmd string, dests []string, timeout time.Duration, retries int) (string, error) {
	lc := net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	pc, err := lc.ListenPacket(ctx, "udp4", ":0")
	if err != nil {
		return "", err
	}
	defer pc.Close()
	var addrs []*net.UDPAddr
	seen := map[string]bool{}
	for _, d := range dests {
		if seen[d] {
			continue
		}
		seen[d] = true
		host, port, err := net.SplitHostPort(d)
		if err != nil {
			return "", err
		}
		if host == "" || host == "<broadcast>" {
			host = "255.255.255.255"
		}
		a, err := net.ResolveUDPAddr("udp4", net.JoinHostPort(host, port))
		if err != nil {
			return "", fmt.Errorf("invalid broadcast address '%s'", host)
		}
		addrs = append(addrs, a)
	}
	stop := context.AfterFunc(ctx, func() { pc.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, 1000)
	for i := 0; retries < 0 || i <= retries; i++ {
		for _, a := range addrs {
			if _, err := pc.WriteTo([]byte(cmd), a); err != nil {
				return "", err
			}
		}
		if timeout > 0 {
			pc.SetReadDeadline(time.Now().Add(timeout))
		} else {
			pc.SetReadDeadline(time.Time{})
		}
		n, _, err := pc.ReadFrom(buf)
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if err == nil {
			return string(buf[:n]), nil
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			return "", err
		}
	}
	return "", ErrNoReply
}
