//go:build unix

package core

import (
	"net"
	"syscall"
)

// arrived reports how many of a new connection's first bytes have arrived
// already (up to len(buf)), without waiting and without consuming them;
// ok is false where the connection cannot tell.
func arrived(nc net.Conn, buf []byte) (n int, ok bool) {
	sc, isSys := nc.(syscall.Conn)
	if !isSys {
		return 0, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var rerr error
	if err := rc.Read(func(fd uintptr) bool {
		n, _, rerr = syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true
	}); err != nil {
		return 0, false
	}
	if rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK {
		return 0, true
	}
	if rerr != nil || n < 0 {
		return 0, false
	}
	return n, true
}
