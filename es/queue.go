package es

import (
	"context"
	"errors"
	"sync"
)

// errQueueClosed is returned by put once the queue's worker has ended.
var errQueueClosed = errors.New("es: subscriber queue closed")

// queue is one subscriber's event queue: FIFO, bounded by limit (0 =
// unbounded) like Python's Queue.Queue(PYRO_ES_QUEUESIZE).
type queue struct {
	mu     sync.Mutex
	items  []*Delivery
	head   int
	limit  int
	closed bool
	// finishing makes get report the end once the queue is empty.
	finishing bool
	// wake has room for one signal: the consumer waits on it when empty.
	wake chan struct{}
	// space is closed (and replaced) whenever an item leaves a full queue,
	// releasing producers that wait for room.
	space chan struct{}
	// done is closed when the queue is closed.
	done chan struct{}
}

func newQueue(limit int) *queue {
	return &queue{limit: limit, wake: make(chan struct{}, 1), space: make(chan struct{}), done: make(chan struct{})}
}

func (q *queue) lenLocked() int { return len(q.items) - q.head }

// put appends it. When the queue is full it waits for room if block is set
// (until ctx ends or the queue is closed), else it reports dropped.
func (q *queue) put(ctx context.Context, it *Delivery, block bool) (dropped bool, err error) {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return false, errQueueClosed
		}
		if q.limit <= 0 || q.lenLocked() < q.limit {
			q.items = append(q.items, it)
			q.mu.Unlock()
			select {
			case q.wake <- struct{}{}:
			default:
			}
			return false, nil
		}
		if !block {
			q.mu.Unlock()
			return true, nil
		}
		space := q.space
		q.mu.Unlock()
		select {
		case <-space:
		case <-q.done:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// finish makes the consumer stop once it has taken the queued items, the
// way Pyro's event service queues "QUIT" for a subscriber's worker.
func (q *queue) finish() {
	q.mu.Lock()
	q.finishing = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take removes up to max of the oldest items, appending them to dst. It
// waits until there is at least one or ctx ends, and returns dst unchanged
// when the queue is empty after finish.
func (q *queue) take(ctx context.Context, dst []*Delivery, max int) ([]*Delivery, error) {
	for {
		q.mu.Lock()
		if n := q.lenLocked(); n > 0 {
			k := min(n, max)
			dst = append(dst, q.items[q.head:q.head+k]...)
			clear(q.items[q.head : q.head+k])
			q.head += k
			if q.head == len(q.items) {
				q.items, q.head = q.items[:0], 0
			} else if q.head > 1024 && q.head*2 > len(q.items) {
				q.items = append(q.items[:0], q.items[q.head:]...)
				q.head = 0
			}
			if q.limit > 0 && n == q.limit {
				close(q.space)
				q.space = make(chan struct{})
			}
			q.mu.Unlock()
			return dst, nil
		}
		if q.finishing {
			q.mu.Unlock()
			return dst, nil
		}
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-ctx.Done():
			return dst, ctx.Err()
		}
	}
}

// close discards the queued items and makes every put fail from now on,
// releasing producers blocked on a full queue. It returns how many items
// were discarded.
func (q *queue) close() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return 0
	}
	n := q.lenLocked()
	q.closed = true
	q.items, q.head = nil, 0
	close(q.done)
	return n
}
