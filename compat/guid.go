package compat

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// InternalDaemonGUID is the object id of the object every Pyro daemon serves
// for itself (ResolvePYROLOC, getRegistered, ...). It is 32 characters long,
// unlike generated ids.
const InternalDaemonGUID = "c0000000011000001000000010000001"

var guidState struct {
	sync.Mutex
	counter int64
	last    int64
	host    string
}

// NewGUID returns a new object id in Pyro's format: the host's IPv4 address
// in 8 hex digits, the process id in at least 4, a timestamp-based value in
// at least 14 (16 in practice) and 6 random hex digits, 34 characters in all
// for ordinary process ids. Ids are unique within the process; across
// processes they differ by time, pid and random part, as Pyro's do.
//
// The address is the first non-loopback IPv4 address of the host's
// interfaces, or 127.0.0.1 if there is none; no name lookup is done.
func NewGUID() string {
	guidState.Lock()
	if guidState.host == "" {
		guidState.host = fmt.Sprintf("%08x%04x", ipv4Number(), os.Getpid())
	}
	// Pyro: t1 = time*100 + counter (strictly increasing), shifted left 24
	// bits and or-ed with 24 bits of clock noise.
	t1 := time.Now().UnixNano()/1e7 + guidState.counter
	guidState.counter++
	if t1 <= guidState.last {
		t1 = guidState.last + 1
	}
	guidState.last = t1
	host := guidState.host
	guidState.Unlock()

	var r [6]byte
	if _, err := rand.Read(r[:]); err != nil {
		// crypto/rand does not fail on supported platforms; fall back to time bits.
		binary.BigEndian.PutUint32(r[:4], uint32(time.Now().UnixNano()))
	}
	noise := uint64(r[0])<<16 | uint64(r[1])<<8 | uint64(r[2])
	random := uint64(r[3])<<16 | uint64(r[4])<<8 | uint64(r[5])
	return fmt.Sprintf("%s%014x%06x", host, uint64(t1)<<24|noise, random)
}

func ipv4Number() uint32 {
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			if ip4 := ipn.IP.To4(); ip4 != nil && !ip4.IsLoopback() {
				return binary.BigEndian.Uint32(ip4)
			}
		}
	}
	return 0x7f000001
}
