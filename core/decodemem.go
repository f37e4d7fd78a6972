package core

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/gopyro/gopyro/pickle"
)

// A request's pickle may build up to its budget (pickle.Limits.Budget,
// proportional to its size, at most 128 MiB) while it is decoded, and many
// connections decode at once. A daemon bounds the memory of the requests it
// reads and decodes at once: once a request's header is read, and before
// any of its body is (protocol.Options.Admit), it reserves decodeCost of the
// most the body can take (its size; for a compressed body what zlib can
// inflate it to, so a small compressed body that inflates hugely is paid
// for before it inflates) from DaemonOptions.MaxDecodeMemory, and gives it
// back once the request is decoded. A request that does not fit waits up to
// decodeWait for others to finish, then its body is dropped unread and it is
// answered with a PyroError; the connection goes on. Requests of at most
// freeDecodeBody bytes, the everyday calls, reserve nothing: they cost at
// most a few MiB each, so hostile connections that fill the bound keep no
// one else out.

// DefaultMaxDecodeMemory is the bound used when DaemonOptions.MaxDecodeMemory
// is 0: room for one request whose budget is the ceiling (1 MB and more
// reserve about 400 MB), or for 21 requests of 64 KB at once.
const DefaultMaxDecodeMemory = 512 << 20

// freeDecodeBody is the largest request body decoded without a reservation.
const freeDecodeBody = 16 << 10

// decodeWait is how long a request waits for room to be decoded.
const decodeWait = 2 * time.Second

// decodeCost is the reservation of a request body of at most n bytes: what
// reading and decoding it holds at its peak, as measured: the body thrice
// (a compressed body's buffer as it grows, the inflated body, the copy
// decoded strings share) and thrice its build budget (the slices a decoder
// builds grow by doubling, so the array being filled, the one it was copied
// from and the garbage of earlier ones are held at once until the next
// collection). The 16M-DUP request of issue 11 reserves 432 MB and its
// refused decode peaks at 445 MB of RSS.
func decodeCost(n int) int64 {
	return 3*int64(n) + 3*int64(pickle.DefaultLimits.Budget(n))
}

// decodeMemory is a weighted semaphore over bytes.
type decodeMemory struct {
	capacity int64
	wait     time.Duration

	mu      sync.Mutex
	used    int64
	changed chan struct{} // closed and replaced at every release
}

func newDecodeMemory(capacity int64) *decodeMemory {
	return &decodeMemory{capacity: capacity, wait: decodeWait, changed: make(chan struct{})}
}

// errDecodeMemory is the refusal of a request that found no room.
type errDecodeMemory struct {
	need, used, capacity int64
}

func (e *errDecodeMemory) Error() string {
	return fmt.Sprintf("server too busy: decoding this request needs %d bytes, and the requests being decoded hold %d of the daemon's %d (MaxDecodeMemory); try again later", e.need, e.used, e.capacity)
}

// acquire reserves n bytes (at most the whole capacity: a request larger
// than the bound is decoded alone), waiting up to m.wait for room. It
// returns the bytes to release.
func (m *decodeMemory) acquire(ctx context.Context, n int64) (int64, error) {
	n = min(n, m.capacity)
	var timer *time.Timer
	for {
		m.mu.Lock()
		if m.used+n <= m.capacity {
			m.used += n
			m.mu.Unlock()
			return n, nil
		}
		used, changed := m.used, m.changed
		m.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(m.wait)
			defer timer.Stop()
		}
		select {
		case <-changed:
		case <-timer.C:
			return 0, &errDecodeMemory{need: n, used: used, capacity: m.capacity}
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// collectAfter is the reservation from which giving it back first runs
// the collector: what a large decode built is garbage now, and without a
// collection the next large decode would grow the heap beside it rather
// than reuse it (the collector's goal was set while the first one held its
// memory), so that memory the bound admits one at a time would be mapped
// twice.
const collectAfter = 64 << 20

func (m *decodeMemory) release(n int64) {
	if n >= collectAfter {
		runtime.GC()
	}
	m.mu.Lock()
	m.used -= n
	close(m.changed)
	m.changed = make(chan struct{})
	m.mu.Unlock()
}
