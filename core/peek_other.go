//go:build !unix

package core

import "net"

// arrived cannot tell without waiting on this system.
func arrived(net.Conn, []byte) (int, bool) { return 0, false }
